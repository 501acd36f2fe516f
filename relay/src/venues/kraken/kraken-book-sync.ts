import { Side } from '@tickmesh/shared';
import { toUnits } from '../live/exact-units';
import type { FeedBook } from '../live/feed-book';
import type { KrakenMarket } from './kraken-symbols';
import { CHECKSUM_LEVELS, checksumToken, crc32, type KrakenBookData, type KrakenLevel } from './kraken-wire';

/** What a book sync asks of its venue. */
export interface KrakenBookSyncHost {
  /** Unsubscribe and subscribe this symbol's book again; Kraken answers with a fresh snapshot. */
  resubscribe(sync: KrakenBookSync, why: string): void;
}

/** Why a book went out of sync (counted per sync; for tests, metrics and logs). */
export type KrakenResyncReason = 'checksum' | 'unrepresentable';

/**
 * One symbol's `book` channel, kept as Kraken's v2 book-checksum guide says: apply every level
 * of a message, truncate to the subscribed depth (Kraken sends no qty 0 for levels pushed out of
 * scope), then compare the CRC32 of the top 10 asks and bids with the message's checksum —
 * on EVERY message, snapshot included. v2 has no sequence numbers, so the checksum is the only
 * proof the book is right: a mismatch (a lost, duplicated or reordered update) or a value off
 * the tick/lot grid marks the feed STALE at once and resubscribes; the book is Live again only
 * after the new snapshot checks out.
 */
export class KrakenBookSync {
  private synced = false;
  /** Resyncs by reason. */
  readonly resyncs: Record<KrakenResyncReason, number> = { checksum: 0, unrepresentable: 0 };
  /** Snapshots applied and checked. */
  snapshots = 0;
  // Reused per message: converted levels, so nothing is applied before all of it is valid.
  private readonly sides: Side[] = [];
  private readonly prices: number[] = [];
  private readonly sizes: number[] = [];

  constructor(
    readonly market: KrakenMarket,
    readonly book: FeedBook,
    /** Subscribed depth (levels per side). */
    readonly depth: number,
    private readonly host: KrakenBookSyncHost,
  ) {}

  get isSynced(): boolean {
    return this.synced;
  }

  /** The socket is down: STALE until the snapshot of the next subscription. */
  streamDown(): void {
    this.synced = false;
    this.book.stale();
  }

  snapshot(data: KrakenBookData): void {
    this.book.stale();
    this.synced = false;
    if (!this.convert(data)) return this.resync('unrepresentable');
    this.book.clear();
    this.applyConverted();
    this.book.truncate(this.depth);
    if (this.checksum() !== data.checksum) return this.resync('checksum');
    this.snapshots++;
    this.synced = true;
    this.book.markLive();
  }

  update(data: KrakenBookData): void {
    // Updates before the (next) snapshot belong to a subscription being replaced.
    if (!this.synced) return;
    if (!this.convert(data)) return this.resync('unrepresentable');
    this.applyConverted();
    this.book.truncate(this.depth);
    if (this.checksum() !== data.checksum) this.resync('checksum');
  }

  /** The CRC32 of the local book as Kraken computes it: top 10 asks low->high, then bids high->low. */
  checksum(): number {
    let s = '';
    for (const side of [Side.Sell, Side.Buy] as const) {
      const levels = side === Side.Buy ? this.book.bids : this.book.asks;
      for (const p of this.book.top(side, CHECKSUM_LEVELS)) {
        s += checksumToken(p, this.book.price.scaled, this.book.price.places, this.market.pricePrecision);
        s += checksumToken(levels.get(p)!, this.book.size.scaled, this.book.size.places, this.market.qtyPrecision);
      }
    }
    return crc32(s);
  }

  private resync(reason: KrakenResyncReason): void {
    if (reason === 'unrepresentable') this.book.unrepresentable++;
    this.resyncs[reason]++;
    this.synced = false;
    this.book.stale();
    this.host.resubscribe(this, reason);
  }

  private convert(data: KrakenBookData): boolean {
    this.sides.length = 0;
    this.prices.length = 0;
    this.sizes.length = 0;
    return this.convertSide(Side.Buy, data.bids) && this.convertSide(Side.Sell, data.asks);
  }

  private convertSide(side: Side, levels: readonly KrakenLevel[]): boolean {
    for (const l of levels) {
      const p = toUnits(l.price, this.book.price);
      const s = toUnits(l.qty, this.book.size);
      if (p === undefined || s === undefined) return false;
      this.sides.push(side);
      this.prices.push(p);
      this.sizes.push(s);
    }
    return true;
  }

  private applyConverted(): void {
    for (let i = 0; i < this.prices.length; i++) this.book.setLevel(this.sides[i]!, this.prices[i]!, this.sizes[i]!);
  }
}
