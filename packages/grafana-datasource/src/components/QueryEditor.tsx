// Query editor: LogQL field plus the options of a query type (lines and direction for logs, legend and step
// for metrics).
import React, { useMemo } from 'react';
import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import type { LodeDatasource } from '../datasource';
import type { LodeDirection, LodeQueryType } from '../shared/types.js';
import type { LodeOptions, LodeQuery } from '../types';
import { LogQLField, type Suggestions } from './LogQLField';

type Props = QueryEditorProps<LodeDatasource, LodeQuery, LodeOptions>;

const TYPES: Array<SelectableValue<LodeQueryType>> = [
  { label: 'Logs', value: 'logs', description: 'Log lines over the time range' },
  { label: 'Metrics', value: 'metrics', description: 'A metric query evaluated over the range' },
  { label: 'Instant', value: 'instant', description: 'A metric query evaluated once, at the end of the range' },
];
const DIRECTIONS: Array<SelectableValue<LodeDirection>> = [
  { label: 'Newest first', value: 'backward' },
  { label: 'Oldest first', value: 'forward' },
];

export function QueryEditor({ query, onChange, onRunQuery, datasource, range }: Props): React.JSX.Element {
  const suggestions: Suggestions = useMemo(
    () => ({
      labelNames: (selector) => datasource.labelNames(selector, range),
      labelValues: (label, selector) => datasource.labelValues(label, selector, range),
    }),
    [datasource, range],
  );
  const type = query.queryType ?? 'logs';
  const set = (patch: Partial<LodeQuery>) => onChange({ ...query, ...patch });

  return (
    <Stack direction="column" gap={1}>
      <LogQLField
        value={query.expr ?? ''}
        onChange={(expr) => set({ expr })}
        onRunQuery={onRunQuery}
        suggestions={suggestions}
        placeholder='{service_name="api"} |= "error"   (Shift+Enter to run)'
      />
      <InlineFieldRow>
        <InlineField label="Type">
          <RadioButtonGroup options={TYPES} value={type} onChange={(v) => { set({ queryType: v }); onRunQuery(); }} size="sm" />
        </InlineField>
        {type === 'logs' ? (
          <>
            <InlineField label="Line limit" tooltip={`Maximum number of lines (default ${datasource.maxLines})`}>
              <Input
                type="number"
                width={12}
                min={1}
                placeholder={String(datasource.maxLines)}
                defaultValue={query.maxLines}
                onBlur={(e) => {
                  const n = Number(e.currentTarget.value);
                  set({ maxLines: Number.isFinite(n) && n > 0 ? Math.floor(n) : undefined });
                  onRunQuery();
                }}
              />
            </InlineField>
            <InlineField label="Direction">
              <RadioButtonGroup options={DIRECTIONS} value={query.direction ?? 'backward'} onChange={(v) => { set({ direction: v }); onRunQuery(); }} size="sm" />
            </InlineField>
          </>
        ) : (
          <>
            <InlineField label="Legend" tooltip="Series name, e.g. {{service_name}} {{level}}">
              <Input width={24} placeholder="{{label}}" defaultValue={query.legendFormat} onBlur={(e) => { set({ legendFormat: e.currentTarget.value || undefined }); onRunQuery(); }} />
            </InlineField>
            {type === 'metrics' && (
              <InlineField label="Step" tooltip="Resolution, a duration such as 30s; empty = automatic">
                <Input width={10} placeholder="auto" defaultValue={query.step} onBlur={(e) => { set({ step: e.currentTarget.value.trim() || undefined }); onRunQuery(); }} />
              </InlineField>
            )}
          </>
        )}
      </InlineFieldRow>
    </Stack>
  );
}
