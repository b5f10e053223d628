/**
 * Parses the `--labels '{app="x", env="prod"}'` argument of `lode push`: equality matchers only,
 * double-quoted (Go escapes) or back-quoted values, names as Loki allows them.
 */
import { UsageError } from './errors.js';
import type { Labels } from './loki-types.js';

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

export function parseLabelSet(text: string, flag = '--labels'): Labels {
  const fail = (why: string): never => {
    throw new UsageError(`${flag}: ${why} in ${text}; expected e.g. {app="api", env="prod"}`);
  };
  const labels: Labels = {};
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  skip();
  if (text[i] !== '{') fail('missing "{"');
  i++;
  skip();
  while (text[i] !== '}') {
    NAME.lastIndex = i;
    const name = NAME.exec(text)?.[0];
    if (!name) fail(`a label name was expected at position ${i + 1}`);
    i += name!.length;
    skip();
    if (text[i] !== '=' || text[i + 1] === '~') fail(`label ${name} needs "=" (only equality is allowed here)`);
    i++;
    skip();
    const quote = text[i];
    if (quote !== '"' && quote !== '`') fail(`the value of ${name} must be quoted`);
    let end = i + 1;
    while (end < text.length && text[end] !== quote) end += quote === '"' && text[end] === '\\' ? 2 : 1;
    if (end >= text.length) fail(`the value of ${name} is not closed`);
    const raw = text.slice(i, end + 1);
    let value: string;
    try {
      value = quote === '`' ? raw.slice(1, -1) : (JSON.parse(raw) as string);
    } catch {
      return fail(`the value of ${name} has an invalid escape`);
    }
    if (name! in labels) fail(`label ${name} appears twice`);
    labels[name!] = value;
    i = end + 1;
    skip();
    if (text[i] === ',') {
      i++;
      skip();
    } else if (text[i] !== '}') fail(`"," or "}" was expected at position ${i + 1}`);
  }
  i++;
  skip();
  if (i !== text.length) fail('unexpected text after "}"');
  if (Object.keys(labels).length === 0) fail('at least one label is needed');
  return labels;
}
