// Query modifications Grafana asks for from log details (filter for / filter out a label value, or a string).
import { addLabelFilter, addLineFilter, addParser, addStreamMatcher } from './logql.js';

export const SUPPORTED_MODIFICATIONS = [
  'ADD_FILTER',
  'ADD_FILTER_OUT',
  'ADD_STRING_FILTER',
  'ADD_STRING_FILTER_OUT',
  'ADD_LOGFMT_PARSER',
  'ADD_JSON_PARSER',
] as const;
export type ModificationType = (typeof SUPPORTED_MODIFICATIONS)[number];

export interface Modification {
  type: string;
  options?: { key?: string; value?: string };
}

/**
 * Applies one modification. Indexed labels (listed in `streamLabels`) go into the selector, which lets lode
 * use its index; any other label becomes a label filter at the end of the pipeline.
 */
export function modifyExpr(expr: string, action: Modification, streamLabels: readonly string[] = []): string {
  const key = action.options?.key;
  const value = action.options?.value ?? '';
  switch (action.type) {
    case 'ADD_FILTER':
    case 'ADD_FILTER_OUT': {
      if (!key) return expr;
      const op = action.type === 'ADD_FILTER' ? '=' : '!=';
      return streamLabels.includes(key) ? addStreamMatcher(expr, key, op, value) : addLabelFilter(expr, key, op, value);
    }
    case 'ADD_STRING_FILTER':
      return value === '' ? expr : addLineFilter(expr, '|=', value);
    case 'ADD_STRING_FILTER_OUT':
      return value === '' ? expr : addLineFilter(expr, '!=', value);
    case 'ADD_LOGFMT_PARSER':
      return addParser(expr, 'logfmt');
    case 'ADD_JSON_PARSER':
      return addParser(expr, 'json');
    default:
      return expr;
  }
}
