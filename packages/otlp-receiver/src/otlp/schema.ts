import protobuf from 'protobufjs';

/**
 * The logs part of the OpenTelemetry protocol (opentelemetry-proto `logs/v1`, `common/v1`,
 * `resource/v1`, `collector/logs/v1`) plus `google.rpc.Status` for error bodies. Written here
 * with only the messages logs need; field numbers follow the published protos.
 */
const OTLP_LOGS_PROTO = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue {
  string key = 1;
  AnyValue value = 2;
}
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}
message ScopeLogs {
  InstrumentationScope scope = 1;
  repeated LogRecord log_records = 2;
  string schema_url = 3;
}
message ResourceLogs {
  Resource resource = 1;
  repeated ScopeLogs scope_logs = 2;
  string schema_url = 3;
}
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsPartialSuccess {
  int64 rejected_log_records = 1;
  string error_message = 2;
}
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
message Status {
  int32 code = 1;
  string message = 2;
}
`;

const root = protobuf.parse(OTLP_LOGS_PROTO).root;
/** Decodes OTLP/JSON and encodes requests for clients; binary requests are read by `readExportRequest`. */
export const ExportLogsServiceRequest = root.lookupType('otlp.ExportLogsServiceRequest');
export const ExportLogsServiceResponse = root.lookupType('otlp.ExportLogsServiceResponse');
export const RpcStatus = root.lookupType('otlp.Status');

/** A 64-bit integer: a BigInt from the wire reader, or as protobufjs hands it out (OTLP/JSON): a `Long` or a number. */
export type Int64 = bigint | number | { low: number; high: number; unsigned?: boolean };

export interface AnyValue {
  /** Name of the set oneof member (protobufjs virtual oneof property). */
  value?: 'stringValue' | 'boolValue' | 'intValue' | 'doubleValue' | 'arrayValue' | 'kvlistValue' | 'bytesValue';
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: Uint8Array;
}
export interface KeyValue {
  key?: string;
  value?: AnyValue;
}
export interface LogRecord {
  timeUnixNano?: Int64;
  observedTimeUnixNano?: Int64;
  severityNumber?: number;
  severityText?: string;
  body?: AnyValue;
  attributes?: KeyValue[];
  flags?: number;
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  eventName?: string;
}
export interface ScopeLogs {
  scope?: { name?: string; version?: string; attributes?: KeyValue[] };
  logRecords?: LogRecord[];
}
export interface ResourceLogs {
  resource?: { attributes?: KeyValue[] };
  scopeLogs?: ScopeLogs[];
}
export interface ExportRequest {
  resourceLogs?: ResourceLogs[];
}
