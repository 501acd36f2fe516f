import { ExecType, OrderStatus, applyReport } from '@tickmesh/shared';
import type { JournalEntry } from '@tickmesh/shared';
import { createOrderRecord, fillOf } from './order-record';
import type { OrderStore } from './order-store';
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
