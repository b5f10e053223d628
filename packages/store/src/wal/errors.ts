// Errors the WAL throws or rejects with.

/** append/checkpoint after close() was called. */
export class WalClosedError extends Error {
  constructor(what: string) {
    super(`WAL is closed: cannot ${what} after close()`);
    this.name = 'WalClosedError';
  }
}

/** A file-system operation of the WAL failed. `code` is the errno name when there is one (ENOSPC, EIO…). */
export class WalIoError extends Error {
  readonly code: string | undefined;
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'WalIoError';
    this.code = errnoCode(cause);
  }
}

const EXPLAINED: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large (file size limit reached)',
  EIO: 'I/O error from the device',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory (was the WAL directory removed?)',
  EMFILE: 'too many open files',
};

/** "no space left on device (ENOSPC)" or the error's own message. */
export function describeIoError(err: unknown): string {
  const code = errnoCode(err);
  if (code !== undefined && EXPLAINED[code] !== undefined) return `${EXPLAINED[code]} (${code})`;
  return err instanceof Error ? err.message : String(err);
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}
