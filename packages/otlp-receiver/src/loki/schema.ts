import protobuf from 'protobufjs';

/**
 * `logproto.PushRequest` as Loki clients send it (fields per API.md). Written here, not taken
 * from Loki: only what push needs. Timestamps are `google.protobuf.Timestamp`.
 */
const PUSH_PROTO = `
syntax = "proto3";
package logproto;

message Timestamp {
  int64 seconds = 1;
  int32 nanos = 2;
}
message LabelPairAdapter {
  string name = 1;
  string value = 2;
}
message EntryAdapter {
  Timestamp timestamp = 1;
  string line = 2;
  repeated LabelPairAdapter structuredMetadata = 3;
}
message StreamAdapter {
  string labels = 1;
  repeated EntryAdapter entries = 2;
  uint64 hash = 3;
}
message PushRequest {
  repeated StreamAdapter streams = 1;
}
`;

const root = protobuf.parse(PUSH_PROTO, { keepCase: true }).root;
/** For clients and tests that encode pushes; the server decodes with its own reader (`decodeLokiProto`). */
export const PushRequestType = root.lookupType('logproto.PushRequest');

