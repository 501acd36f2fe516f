/**
 * Exact `a × b / d` on integers, rounded down or up. Risk compares money against limits, so a
 * float rounding that lets an order slip one unit past a limit is a bug: the Number path is
 * taken only while every intermediate is a safe integer (where IEEE arithmetic is exact), and
 * BigInt takes over past that. Results beyond Number.MAX_SAFE_INTEGER are NaN so callers can
 * fail closed (`!(x <= limit)`), never an inexact number.
 */

/**
 * floor(a × b / d) for non-negative integers a, b and a positive integer d. NaN when a or b is
 * not a safe integer or the result is past 2^53 - 1.
 */
export function mulDivFloor(a: number, b: number, d: number): number {
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) return Number.NaN;
  const p = a * b;
  if (Number.isSafeInteger(p)) {
    const r = p % d;
    return (p - r) / d;
  }
  return fromBig((BigInt(a) * BigInt(b)) / BigInt(d));
}

/** ceil(a × b / d), same domain and NaN rule as `mulDivFloor`. */
export function mulDivCeil(a: number, b: number, d: number): number {
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) return Number.NaN;
  const p = a * b;
  if (Number.isSafeInteger(p)) {
    const r = p % d;
    return r === 0 ? p / d : (p - r) / d + 1;
  }
  const bd = BigInt(d);
  return fromBig((BigInt(a) * BigInt(b) + bd - 1n) / bd);
}

function fromBig(v: bigint): number {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : Number.NaN;
}
