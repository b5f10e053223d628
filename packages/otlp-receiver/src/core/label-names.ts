import type { Labels } from '@lode/store';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The first label name that is not a valid Prometheus/Loki name, if any. */
export function invalidLabelName(labels: Labels): string | undefined {
  for (const name in labels) if (!LABEL_NAME.test(name)) return name;
  return undefined;
}
