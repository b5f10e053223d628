import type { StreamPush } from '@lode/store';
import type { IngestRejection } from './ingester.js';

/** What a protocol decoder yields: streams to push, plus streams it already refused (bad labels). */
export interface DecodedPush {
  streams: StreamPush[];
  rejected: IngestRejection[];
}

/** The whole body is unusable; the message says what was wrong. */
export class DecodeError extends Error {}
