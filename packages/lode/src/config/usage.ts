/** Renders `lode serve --help` from the option table. */
import { LIMIT_OPTIONS, SERVE_OPTIONS, defaultText, envOf, flagOf, type OptionSpec } from './options.js';

function describeKind(spec: OptionSpec): string {
  return typeof spec.kind === 'string' ? spec.kind : spec.kind.join('|');
}

function section(title: string, options: readonly OptionSpec[]): string {
  const lines = [title];
  for (const o of options) {
    lines.push(`  ${flagOf(o.key)} <${describeKind(o)}>`);
    lines.push(`      ${o.help}`);
    lines.push(`      default ${defaultText(o)}; YAML ${o.key}; env ${envOf(o.key)}`);
  }
  return lines.join('\n');
}

export function serveUsage(): string {
  return [
    'Usage: lode serve [options]',
    '',
    'Runs every lode listener (Loki API, OTLP, syslog, file inputs) on one store.',
    'Precedence: flags > LODE_* environment > YAML file (--config) > defaults.',
    'Durations: 30s, 5m, 1h30m, 7d. Sizes: 262144, 256KB, 4MiB. A listen port of 0 disables it.',
    'YAML-only sections: overrides.<tenant>.<limit>, api_keys, inputs.files, retention_stream,',
    'syslog_labels, limits.otlp_config (see docs/configuration.md).',
    '',
    section('Options:', SERVE_OPTIONS),
    '',
    section('Per-tenant limits (Loki limits_config names):', LIMIT_OPTIONS),
    '',
  ].join('\n');
}
