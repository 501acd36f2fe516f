import { ErrorCode } from '../model/codes';
import { fail, type Reason } from '../model/result';

/**
 * Internal to the codec: validation deep inside a decoder throws this, and every public decode
 * function catches it at its boundary and returns `fail(code, message)`. Throwing keeps the
 * field-by-field checks readable; callers of the codec only ever see values.
 */
export class DecodeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Converts anything a decoder threw into a failure value; foreign errors mean malformed bytes. */
export function failFromError(e: unknown): { ok: false; reason: Reason<ErrorCode> } {
  if (e instanceof DecodeError) return fail(e.code, e.message);
  return fail(ErrorCode.CODEC_MALFORMED, e instanceof Error ? e.message : String(e));
}

export function malformed(message: string): DecodeError {
  return new DecodeError(ErrorCode.CODEC_MALFORMED, message);
}

export function invalidField(field: string, why: string): DecodeError {
  return new DecodeError(ErrorCode.CODEC_INVALID_FIELD, `${field}: ${why}`);
}
