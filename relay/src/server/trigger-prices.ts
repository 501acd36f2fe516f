import { TriggerSource } from '@tickmesh/shared';
import type { MarketDataService } from '../md/market-data-service';
import type { Oms } from '../oms/oms';

/**
 * The relay's own market data as the prices conditional orders trigger on (never a
 * browser's): every published trade is a Last price, and after every book batch the book's
 * mid — the mark — if it moved, with the symbol's cross-venue mid (venue '') if that moved.
 * Keeps the latest of each so an order armed between two prices arms on the current one
 * (OmsDeps.marketPrice).
 */
export class TriggerPrices {
  /** Last trade by symbol, then by venue ('' = any venue's latest); nested maps: no key string built per trade. */
  private readonly last = new Map<string, Map<string, number>>();
  private readonly mids = new Map<number, number>();
  /** The cross-venue mid last pushed, by symbol. */
  private readonly symbolMids = new Map<string, number>();
  private oms: Oms | undefined;

  constructor(private readonly md: MarketDataService) {}

  /** Starts pushing prices into `oms` (Oms.onMarketPrice). */
  attach(oms: Oms): void {
    this.oms = oms;
    this.md.onTrade((symbol, price, _size, _timeUs, venue, badPrint) => {
      // A stop fired by a print far off its venue's book would sell at a price that never was.
      if (badPrint) return;
      let byVenue = this.last.get(symbol);
      if (byVenue === undefined) this.last.set(symbol, (byVenue = new Map()));
      byVenue.set(venue, price);
      byVenue.set('', price);
      oms.onMarketPrice(symbol, venue, TriggerSource.Last, price);
    });
    this.md.onBatch((frame) => {
      const mid = this.midOf(frame.stream.id);
      if (Number.isNaN(mid) || this.mids.get(frame.stream.id) === mid) return;
      this.mids.set(frame.stream.id, mid);
      const { symbol, venue } = frame.stream.instrument;
      oms.onMarketPrice(symbol, venue, TriggerSource.Mark, mid);
      const across = this.price(symbol, '', TriggerSource.Mark);
      if (Number.isNaN(across) || this.symbolMids.get(symbol) === across) return;
      this.symbolMids.set(symbol, across);
      oms.onMarketPrice(symbol, '', TriggerSource.Mark, across);
    });
  }

  /** OmsDeps.marketPrice: NaN when there is no such price yet. */
  price(symbol: string, venue: string, source: TriggerSource): number {
    if (source === TriggerSource.Last) return this.last.get(symbol)?.get(venue) ?? Number.NaN;
    const ids = this.md.streamIdsForSymbol(symbol).filter((id) => venue === '' || this.md.stream(id)!.instrument.venue === venue);
    // Across venues: the mid of the best bid and best ask anywhere (the risk engine's reference price).
    let bid = Number.NaN;
    let ask = Number.NaN;
    for (const id of ids) {
      const book = this.md.stream(id)!.book;
      const b = book.bestBid();
      const a = book.bestAsk();
      if (!(b <= bid)) bid = b;
      if (!(a >= ask)) ask = a;
    }
    return bid > 0 && ask > 0 ? Math.round((bid + ask) / 2) : Number.NaN;
  }

  /** The mid of one stream's book in whole ticks (reports carry integer prices), NaN if a side is empty. */
  private midOf(streamId: number): number {
    const book = this.md.stream(streamId)?.book;
    if (book === undefined) return Number.NaN;
    const b = book.bestBid();
    const a = book.bestAsk();
    return b > 0 && a > 0 ? Math.round((b + a) / 2) : Number.NaN;
  }
}
