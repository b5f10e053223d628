/** Typed errors of the store, so callers can map them to status codes without parsing messages. */

/** A tenant id that Loki would refuse (empty, too long, or with characters outside its set). */
export class InvalidTenantError extends Error {
  override readonly name = 'InvalidTenantError';
}

/** A regular expression that uses RE2 syntax lode cannot translate, or that is malformed. */
export class RegexSyntaxError extends Error {
  override readonly name = 'RegexSyntaxError';
}

/** A stream selector string (`{a="b"}`) that does not parse. */
export class SelectorSyntaxError extends Error {
  override readonly name = 'SelectorSyntaxError';
}

/** The store was used after `close()`. */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError';
  constructor() {
    super('the store is closed');
  }
}
