// Write-ahead log of the store: see wal.ts for the behaviour, format.ts for the on-disk record.
export { Wal } from './wal.js';
export type { Durability, WalOptions, WalCorruption, ReplayReport, WalAppend } from './wal.js';
export { WalClosedError, WalIoError } from './errors.js';
