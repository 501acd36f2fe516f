/**
 * Guards a (price, size) pair entering a book. Written as plain comparisons rather than
 * `Number.isSafeInteger` so it stays a few inlined instructions on the hot path; NaN fails
 * every comparison and so is rejected too.
 */
export function assertLevel(price: number, size: number): void {
  if (
    !(price >= 0 && price <= Number.MAX_SAFE_INTEGER && Math.floor(price) === price) ||
    !(size >= 0 && size <= Number.MAX_SAFE_INTEGER && Math.floor(size) === size)
  ) {
    throw new RangeError(`invalid book level: price ${price}, size ${size}`);
  }
}

/** Throws when parallel level arrays disagree in length (a malformed LevelChanges). */
export function assertParallel(priceLength: number, sizeLength: number): void {
  if (priceLength !== sizeLength) {
    throw new RangeError(`level arrays differ in length: ${priceLength} prices, ${sizeLength} sizes`);
  }
}
