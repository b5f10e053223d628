// Label set helpers: stable text form, hashing, legends.

/** `{a="1", b="2"}` with keys sorted — the identity of a series. */
export function labelsToString(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return `{${keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(', ')}}`;
}

/** 32-bit FNV-1a over UTF-16 code units, hex: cheap and stable, used for row ids. */
export function fnv1a(text: string, seed = 0x811c9dc5): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Renders a legend format (`{{service_name}} on {{pod}}`); unknown labels render empty, as in Loki's plugin. */
export function renderLegend(format: string, labels: Record<string, string>): string {
  return format.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, key: string) => labels[key] ?? '');
}
