/**
 * Base class of every error the @rcnn packages throw on bad input, so callers can
 * tell a user mistake (bad file, bad shape) from a bug. `code` is stable; the
 * message says what was wrong and, where possible, what to do instead.
 */
export class RcnnError extends Error {
  readonly code: RcnnErrorCode;

  constructor(code: RcnnErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RcnnError';
    this.code = code;
  }
}

export type RcnnErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_SHAPE'
  | 'INVALID_IMAGE'
  | 'INVALID_WEIGHTS'
  | 'UNSAFE_PICKLE'
  | 'MISSING_KEYS'
  | 'UNSUPPORTED'
  | 'BACKEND_UNAVAILABLE';

/** Throws an `RcnnError` with `code` when `condition` is false; the message is built lazily. */
export function ensure(condition: unknown, code: RcnnErrorCode, message: () => string): asserts condition {
  if (!condition) throw new RcnnError(code, message());
}
