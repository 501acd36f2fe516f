import { TriggerSource } from '@tickmesh/shared';

interface Watcher {
  venue: string;
  source: TriggerSource;
  fn: (price: number) => void;
}

/**
 * The market prices armed conditional orders watch, pushed in by whoever has the relay's
 * market data (Oms.onMarketPrice, wired in server/trading.ts): every trade as a Last price,
 * every book batch's mid as a Mark price. Indexed by symbol, so a symbol nobody watches costs
 * one map lookup per price.
 *
 * A watcher of every venue ('') takes each venue's trades as its Last (the latest trade
 * anywhere), but not each venue's mid as its Mark: two venues' mids differ, and alternating
 * between them would fire on whichever is further through the level. Its Mark is the
 * cross-venue mid, pushed with venue '' (as OmsDeps.marketPrice gives it at arming).
 */
export class TriggerFeed {
  private readonly bySymbol = new Map<string, Set<Watcher>>();

  /** `venue` '' = prices from every venue of the symbol (see above for Mark). Returns the function that stops watching. */
  watch(symbol: string, venue: string, source: TriggerSource, fn: (price: number) => void): () => void {
    const w: Watcher = { venue, source, fn };
    let set = this.bySymbol.get(symbol);
    if (set === undefined) this.bySymbol.set(symbol, (set = new Set()));
    set.add(w);
    return () => {
      set.delete(w);
      if (set.size === 0 && this.bySymbol.get(symbol) === set) this.bySymbol.delete(symbol);
    };
  }

  push(symbol: string, venue: string, source: TriggerSource, price: number): void {
    const set = this.bySymbol.get(symbol);
    if (set === undefined) return;
    // A watcher that fires stops watching (deletes itself) while we iterate: Set allows that.
    const anyVenueTakes = source === TriggerSource.Last || venue === '';
    for (const w of set) if (w.source === source && (w.venue === venue || (w.venue === '' && anyVenueTakes))) w.fn(price);
  }

  /** Number of armed watchers (tests, metrics). */
  get size(): number {
    let n = 0;
    for (const s of this.bySymbol.values()) n += s.size;
    return n;
  }
}
