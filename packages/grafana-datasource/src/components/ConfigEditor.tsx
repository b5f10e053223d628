// Datasource settings: lode's URL, tenant, API key (secureJsonData, only the backend sees it), limits.
import React from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { FieldSet, InlineField, Input, SecretInput } from '@grafana/ui';
import { DEFAULT_MAX_LINES, DEFAULT_TIMEOUT_SECONDS } from '../shared/types.js';
import type { LodeOptions, LodeSecureOptions } from '../types';

type Props = DataSourcePluginOptionsEditorProps<LodeOptions, LodeSecureOptions>;

const LABEL_WIDTH = 20;

export function ConfigEditor({ options, onOptionsChange }: Props): React.JSX.Element {
  const json = options.jsonData;
  const setJson = (patch: Partial<LodeOptions>) => onOptionsChange({ ...options, jsonData: { ...json, ...patch } });
  const positive = (text: string) => {
    const n = Number(text);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  };
  return (
    <>
      <FieldSet label="Connection">
        <InlineField label="URL" labelWidth={LABEL_WIDTH} tooltip="lode's HTTP address as Grafana's server reaches it" required>
          <Input
            width={40}
            placeholder="http://localhost:3100"
            value={options.url}
            onChange={(e) => onOptionsChange({ ...options, url: e.currentTarget.value })}
          />
        </InlineField>
        <InlineField label="Tenant" labelWidth={LABEL_WIDTH} tooltip="Sent as X-Scope-OrgID; leave empty unless lode runs multi-tenant">
          <Input width={40} placeholder="fake" value={json.tenant ?? ''} onChange={(e) => setJson({ tenant: e.currentTarget.value || undefined })} />
        </InlineField>
        <InlineField label="API key" labelWidth={LABEL_WIDTH} tooltip="Bearer token, when lode is configured with keys">
          <SecretInput
            width={40}
            isConfigured={Boolean(options.secureJsonFields?.apiKey)}
            value={options.secureJsonData?.apiKey ?? ''}
            placeholder="lode API key"
            onReset={() =>
              onOptionsChange({ ...options, secureJsonFields: { ...options.secureJsonFields, apiKey: false }, secureJsonData: { ...options.secureJsonData, apiKey: '' } })
            }
            onChange={(e) => onOptionsChange({ ...options, secureJsonData: { ...options.secureJsonData, apiKey: e.currentTarget.value } })}
          />
        </InlineField>
      </FieldSet>
      <FieldSet label="Queries">
        <InlineField label="Timeout (s)" labelWidth={LABEL_WIDTH} tooltip="Per request to lode">
          <Input
            type="number"
            width={12}
            placeholder={String(DEFAULT_TIMEOUT_SECONDS)}
            value={json.timeoutSeconds ?? ''}
            onChange={(e) => setJson({ timeoutSeconds: positive(e.currentTarget.value) })}
          />
        </InlineField>
        <InlineField label="Default line limit" labelWidth={LABEL_WIDTH} tooltip="Used by log queries that set none">
          <Input
            type="number"
            width={12}
            placeholder={String(DEFAULT_MAX_LINES)}
            value={json.maxLines ?? ''}
            onChange={(e) => setJson({ maxLines: positive(e.currentTarget.value) })}
          />
        </InlineField>
      </FieldSet>
    </>
  );
}
