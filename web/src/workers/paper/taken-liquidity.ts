import { Side } from '@tickmesh/shared';

/**
 * Lots paper orders took from each displayed level of each replayed stream since that
 * stream's last book update. Taking does not change the replayed book (it is a recording), so
 * without this two paper orders at the same moment could both take the same displayed lots.
 * A stream's tally is dropped when its book changes: the new book is the venue's word.
 */
export class TakenLiquidity {
  /** stream key → signed price key (bids +price, asks -price) → lots taken. */
  private readonly byStream = new Map<string, Map<number, number>>();

  /** Lots taken at `price` on `side` of `stream`, 0 if none. */
  get(stream: string, side: Side, price: number): number {
    return this.byStream.get(stream)?.get(key(side, price)) ?? 0;
  }

  add(stream: string, side: Side, price: number, lots: number): void {
    let m = this.byStream.get(stream);
    if (m === undefined) this.byStream.set(stream, (m = new Map()));
    const k = key(side, price);
    m.set(k, (m.get(k) ?? 0) + lots);
  }

  /** Forgets what was taken from `stream` (its book was updated). */
  reset(stream: string): void {
    this.byStream.delete(stream);
  }

  clear(): void {
    this.byStream.clear();
  }
}

// Prices are positive, so the sign keeps the two sides of one price apart in one map.
function key(side: Side, price: number): number {
  return side === Side.Buy ? price : -price;
}

/** Key of one replayed stream (venue + symbol); NUL cannot occur in either. */
export function streamKey(venue: string, symbol: string): string {
  return `${venue}\u0000${symbol}`;
}
