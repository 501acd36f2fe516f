import { ExecType, OrderStatus, applyReport } from '@tickmesh/shared';
import type { JournalEntry } from '@tickmesh/shared';
import { createOrderRecord, fillOf } from './order-record';
import type { OrderStore } from './order-store';
import type { OrderRecord } from './order-record';
import type { ResumedOrder, VenueAdapter } from '../venues/venue-adapter';
import { isTerminal } from './order-transitions';
import type { PositionBook } from './position-book';

/** What {@link replayJournal} rebuilt. */
export interface ReplayStats {
  /** Orders created from `order-request` records. */
  orders: number;
  /** Fills booked from `execution` records. */
  fills: number;
  /** `execution` records of an order without an `order-request` (skipped). */
  orphans: number;
  /** Highest numeric suffix of an order id with the OMS's prefix (so new ids never repeat). */
  maxOrderSeq: number;
}

/**
 * Rebuilds orders, the client-order-id index, fills and positions from journal entries, in
 * journal order, into empty `store` and `book`. Nothing is journaled or emitted.
 *
 * The journal's reports are the truth: each report's status and cumulative fields are taken
 * as written (they passed the transition table when they were written). Fills are booked
 * from the Trade reports of venue-facing orders only — a parent's Trade report repeats its
 * child's fill — with the same fill ids the live OMS gave them.
 */
export function replayJournal(entries: Iterable<JournalEntry>, store: OrderStore, book: PositionBook, idPrefix: string): ReplayStats {
  const stats: ReplayStats = { orders: 0, fills: 0, orphans: 0, maxOrderSeq: 0 };
  for (const { record } of entries) {
    if (record.kind === 'order-request') {
      const rec = createOrderRecord({ ...record.intent }, record.orderId, record.parentOrderId, record.timeUs);
      store.add(rec);
      if (record.parentOrderId === '') store.reserveClientId(rec.order.account, rec.order.clientOrderId, rec);
      stats.orders++;
      if (record.orderId.startsWith(idPrefix)) {
        const n = Number(record.orderId.slice(idPrefix.length));
        if (Number.isSafeInteger(n) && n > stats.maxOrderSeq) stats.maxOrderSeq = n;
      }
      continue;
    }
    if (record.kind !== 'execution') continue;
    const r = record.report;
    const rec = store.get(r.orderId);
    if (rec === undefined) {
      stats.orphans++;
      continue;
    }
    const o = rec.order;
    applyReport(o, r);
    if (o.parentOrderId === '') store.reserveClientId(o.account, r.clientOrderId, rec);
    if (r.execType === ExecType.Trade) {
      if (rec.parent === null && r.lastQty > 0) {
        const fill = fillOf(rec, r.lastPrice, r.lastQty, r.fee, r.liquidityMaker, r.tradeId, r.timeUs);
        store.addFill(fill);
        book.apply(fill);
        stats.fills++;
      }
    }
    if (isWorking(r.status)) rec.working = r.status;
    store.updated(rec);
  }
  return stats;
}

function isWorking(s: OrderStatus): boolean {
  return s === OrderStatus.Submitted || s === OrderStatus.Accepted || s === OrderStatus.PartiallyFilled || s === OrderStatus.Triggered;
}

/**
 * The orders the journal leaves open at a restart, split: direct orders at a venue that keeps
 * orders across our restarts (it has `resume`) go back to it, with the fills already booked,
 * and are marked sent;
 * every other open order is lost with the process (children first, so each parent's final
 * report comes after its children's). Orders of algo or routed parents are lost too: their
 * parents' algos are not restarted.
 */
export function ordersAtRestart(store: OrderStore, venues: ReadonlyMap<string, VenueAdapter>): { resume: Map<VenueAdapter, ResumedOrder[]>; lost: OrderRecord[] } {
  const resume = new Map<VenueAdapter, ResumedOrder[]>();
  const lost: OrderRecord[] = [];
  const tradeIds = new Map<string, number[]>();
  for (const rec of store.all()) {
    const o = rec.order;
    if (isTerminal(o.status)) continue;
    const venue = venues.get(o.venue);
    if (venue?.resume && rec.parent === null && o.parentOrderId === '') {
      if (tradeIds.size === 0) for (const f of allFills(store)) tradeIds.set(f.orderId, [...(tradeIds.get(f.orderId) ?? []), f.tradeId]);
      const list = resume.get(venue) ?? [];
      list.push({
        orderId: o.orderId, account: o.account, symbol: o.symbol, side: o.side, type: o.orderType, timeInForce: o.timeInForce,
        price: o.price, qty: o.qty, postOnly: o.postOnly, filledQty: o.filledQty, tradeIds: tradeIds.get(o.orderId) ?? [],
        accepted: o.status !== OrderStatus.Submitted && o.status !== OrderStatus.Initialized,
      });
      resume.set(venue, list);
      rec.sent = true; // it is at the venue: a cancel must go there, not end it locally
    } else {
      lost.push(rec);
    }
  }
  lost.sort((a, b) => Number(a.parent !== null) - Number(b.parent !== null));
  return { resume, lost };
}

function* allFills(store: OrderStore) {
  const accounts = new Set([...store.all()].map((r) => r.order.account));
  for (const a of accounts) yield* store.fills(a);
}
