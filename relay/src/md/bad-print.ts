/**
 * How far outside its own venue's touch (in basis points) a trade print may be and still count
 * as a price: 1 %. A real trade happens at or inside the touch it took; even a sweep leaves the
 * book where it stopped, so after its batch the touch is at or beyond the print. A print far
 * outside a two-sided book is an error at the venue or on the way (a fat-finger "trade" a venue
 * later busts, a corrupted field): it must not halt a market or fire a trader's stop.
 */
export const BAD_PRINT_BPS = 100;

/**
 * Whether `price` (ticks) lies more than `maxBps` outside the book's touch (above the ask or
 * below the bid). A book without two sides, or crossed, cannot judge a print: false.
 */
export function isBadPrint(book: { bestBid(): number; bestAsk(): number }, price: number, maxBps = BAD_PRINT_BPS): boolean {
  const bid = book.bestBid();
  const ask = book.bestAsk();
  if (!(bid > 0) || !(ask > 0) || bid >= ask) return false;
  return price * 10_000 > ask * (10_000 + maxBps) || price * 10_000 < bid * (10_000 - maxBps);
}
