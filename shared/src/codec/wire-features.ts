import { invalidField } from './decode-error';
import { checkId, checkListLength } from './field-checks';

/**
 * Optional /ws wire features, asked for in `Hello.features` and granted in `Welcome.features`
 * (proto/session.proto). A client that names none gets the protocol as it always was.
 */

/** `ServerMessage.book_delta`, the compact BookBatch (proto/market_data.proto BookDelta). */
export const WIRE_FEATURE_BOOK_DELTA = 'book_delta';

/** Every feature this build of the codec decodes. */
export const WIRE_FEATURES: readonly string[] = Object.freeze([WIRE_FEATURE_BOOK_DELTA]);

/** Feature names a Hello or Welcome may carry; more is a hostile or broken peer. */
const MAX_FEATURES = 16;

/** What a relay grants: the asked features it supports, in its own order, each once. */
export function grantFeatures(asked: readonly string[] | undefined, supported: readonly string[] = WIRE_FEATURES): string[] {
  if (!asked?.length) return [];
  return supported.filter((f) => asked.includes(f));
}

/** Validated feature names of a decoded Hello/Welcome; undefined when none (the field stays absent). */
export function featuresFromProto(names: readonly string[] | null | undefined, field: string, maxIdLength: number): string[] | undefined {
  if (!names?.length) return undefined;
  checkListLength(names.length, field, MAX_FEATURES);
  return names.map((n) => {
    if (typeof n !== 'string') throw invalidField(field, 'not a string');
    return checkId(n, field, maxIdLength, false);
  });
}
