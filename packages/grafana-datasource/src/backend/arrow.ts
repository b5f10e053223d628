// Frames → Arrow IPC *file* format with Grafana's metadata conventions, which is what Grafana's server
// decodes (data.UnmarshalArrowFrame): schema metadata `name`, `refId`, `meta` (JSON); field metadata `name`,
// `labels` and `config` (JSON); times as nanosecond timestamps, JSON values as binary.
import {
  Binary,
  Field,
  Float64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampNanosecond,
  Utf8,
  makeData,
  tableToIPC,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';
import type { Frame, FrameField } from '../shared/frame.js';

const encoder = new TextEncoder();

function columnData(field: FrameField): Data<DataType> {
  switch (field.type) {
    case 'time':
      return makeData({ type: new TimestampNanosecond(), length: field.values.length, nullCount: 0, data: BigInt64Array.from(field.values) });
    case 'number':
      return makeData({ type: new Float64(), length: field.values.length, nullCount: 0, data: Float64Array.from(field.values) });
    case 'string':
      // An explicit Utf8 type: without it apache-arrow dictionary-encodes strings, which Grafana cannot read.
      return vectorFromArray(field.values, new Utf8()).data[0]!;
    case 'other':
      return vectorFromArray(
        field.values.map((v) => encoder.encode(JSON.stringify(v ?? null))),
        new Binary(),
      ).data[0]!;
  }
}

function arrowType(field: FrameField): DataType {
  switch (field.type) {
    case 'time':
      return new TimestampNanosecond();
    case 'number':
      return new Float64();
    case 'string':
      return new Utf8();
    case 'other':
      return new Binary();
  }
}

export function frameToArrow(frame: Frame): Uint8Array {
  const length = frame.fields[0]?.values.length ?? 0;
  for (const f of frame.fields) {
    if (f.values.length !== length) throw new Error(`frame ${frame.refId}: field ${f.name} has ${f.values.length} values, expected ${length}`);
  }
  const fields = frame.fields.map((f) => {
    const meta = new Map<string, string>([['name', f.name]]);
    if (f.labels) meta.set('labels', JSON.stringify(f.labels));
    if (f.config) meta.set('config', JSON.stringify(f.config));
    return new Field(f.name, arrowType(f), false, meta);
  });
  const schemaMeta = new Map<string, string>([
    ['name', frame.name ?? ''],
    ['refId', frame.refId],
  ]);
  if (frame.meta) schemaMeta.set('meta', JSON.stringify(frame.meta));
  const schema = new Schema(fields, schemaMeta);
  const children = frame.fields.map(columnData);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length, nullCount: 0, children }));
  return tableToIPC(new Table(schema, [batch]), 'file');
}
