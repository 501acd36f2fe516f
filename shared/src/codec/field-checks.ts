import { invalidField } from './decode-error';

/**
 * Field validators shared by the protobuf and legacy JSON decoders. Each returns the checked
 * value or throws `DecodeError(CODEC_INVALID_FIELD)`, which the public decode functions turn
 * into a failure value.
 */

/** Any safe integer (prices can be negative for some instruments). */
export function checkInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalidField(field, 'not a safe integer');
  return v;
}

/** A safe integer >= 0 (sizes, ids, sequence numbers, times). */
export function checkUint(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalidField(field, 'not a safe non-negative integer');
  return v;
}

/** A safe integer >= 1 (order quantities, stream ids). */
export function checkPositive(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw invalidField(field, 'not a positive safe integer');
  return v;
}

/** A 32-bit signed integer (fees). */
export function checkInt32(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw invalidField(field, 'not an int32');
  return v;
}

/** One of the allowed enum numbers. */
export function checkEnum<T extends number>(v: unknown, allowed: readonly T[], field: string): T {
  if (!allowed.includes(v as T)) throw invalidField(field, `unknown enum value ${String(v)}`);
  return v as T;
}

export function checkBool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw invalidField(field, 'not a boolean');
  return v;
}

// Printable ASCII without space: ids end up in logs, keys and URLs, so no control characters.
const ID_CHARS = /^[\x21-\x7e]*$/;

/** An identifier (symbol, venue, order id …): printable ASCII, at most `max` characters. */
export function checkId(v: unknown, field: string, max: number, allowEmpty: boolean): string {
  if (typeof v !== 'string') throw invalidField(field, 'not a string');
  if (v.length > max) throw invalidField(field, `longer than ${max}`);
  if (!allowEmpty && v.length === 0) throw invalidField(field, 'empty');
  if (!ID_CHARS.test(v)) throw invalidField(field, 'not printable ASCII');
  return v;
}

/** Free text: any characters, at most `max` of them. */
export function checkText(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string') throw invalidField(field, 'not a string');
  if (v.length > max) throw invalidField(field, `longer than ${max}`);
  return v;
}

/** A list of at most `max` entries. */
export function checkListLength(length: number, field: string, max: number): void {
  if (length > max) throw invalidField(field, `more than ${max} entries`);
}

// A positive decimal step such as "0.01" or "5"; tick/lot conversions rely on this shape.
const DECIMAL_STEP = /^(0|[1-9][0-9]{0,15})(\.[0-9]{1,15})?$/;

/** A positive decimal string (tick or lot size). */
export function checkDecimalStep(v: unknown, field: string): string {
  if (typeof v !== 'string' || !DECIMAL_STEP.test(v) || !(Number(v) > 0)) throw invalidField(field, 'not a positive decimal string');
  return v;
}
