import { z } from 'zod';

/**
 * Error codes that cross the API boundary. A code tells the caller what kind of
 * problem it was; the message is one sentence a person can act on. Stack traces
 * never cross.
 */
export const ErrorCode = z.enum([
  'INVALID_INPUT',
  'UNKNOWN_CALL',
  'NOT_FOUND',
  'NOT_AUTHOR',
  'CONFLICT',
  'NOT_INITIALIZED',
  'ALREADY_INITIALIZED',
  'LOCKED',
  'BAD_PASSPHRASE',
  'UNSUPPORTED',
  'CANCELLED',
  'WORKSPACE_DAMAGED',
  'WORKSPACE_TOO_NEW',
  'FORBIDDEN',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiError = z.strictObject({ code: ErrorCode, message: z.string() });
export type ApiError = z.infer<typeof ApiError>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string): Result<never> => ({
  ok: false,
  error: { code, message },
});

/** Thrown by services; transports turn it into `{ ok: false, error }`. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
