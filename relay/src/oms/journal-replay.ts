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
    if (r.execType === ExecType.Trade && r.lastQty > 0) {
      if (rec.parent === null) {
        const fill = fillOf(rec, r.lastPrice, r.lastQty, r.fee, r.liquidityMaker, r.tradeId, r.timeUs);
        store.addFill(fill);
        book.apply(fill);
        stats.fills++;
      } else {
        rec.parent.rolledUpFills++;
      }
    }
    if (isWorking(r.status)) rec.working = r.status;
    store.updated(rec);
  }
  return stats;
}

function isWorking(s: OrderStatus): boolean {
  return (
    s === OrderStatus.Submitted || s === OrderStatus.Accepted || s === OrderStatus.PartiallyFilled || s === OrderStatus.Triggered ||
    s === OrderStatus.PendingTrigger
  );
}

/** What a restart does with the orders the journal leaves open; see {@link ordersAtRestart}. */
export interface RestartPlan {
  /** Venue-facing orders (direct and children) handed back to a venue that keeps orders, per venue. */
  resume: Map<VenueAdapter, ResumedOrder[]>;
  /** Venue-facing orders that died with their venue session (or never reached a venue). */
  lost: OrderRecord[];
  /** Open parents (routed and algo); their open children are in `resume` or `lost`. */
  parents: OrderRecord[];
}

/**
 * Splits the orders the journal leaves open at a restart. A venue-facing order — direct or
 * a child, the venue cannot tell them apart — that reached a venue which keeps orders across
 * our restarts (it has `resume`) goes back to that venue with the fills already booked, and
 * is marked sent; the venue reconciles it. Every other open venue-facing order is lost: its
 * venue session is gone (the sim restarts empty), or it is still Initialized, so it never
 * left the OMS (an order goes to its venue only once its Submitted record is durable).
 * Parents are only listed: what becomes of them depends on their children (Oms.recover).
 */
export function ordersAtRestart(store: OrderStore, venues: ReadonlyMap<string, VenueAdapter>): RestartPlan {
  const plan: RestartPlan = { resume: new Map(), lost: [], parents: [] };
  let tradeIds: Map<string, number[]> | undefined;
  for (const rec of store.all()) {
    const o = rec.order;
    if (isTerminal(o.status)) continue;
    if (rec.parent !== null) {
      plan.parents.push(rec);
      continue;
    }
    const venue = venues.get(o.venue);
    if (venue?.resume === undefined || o.status === OrderStatus.Initialized) {
      plan.lost.push(rec);
      continue;
    }
    tradeIds ??= tradeIdsByOrder(store);
    const list = plan.resume.get(venue) ?? [];
    list.push({
      orderId: o.orderId, account: o.account, symbol: o.symbol, side: o.side, type: o.orderType, timeInForce: o.timeInForce,
      price: o.price, qty: o.qty, postOnly: o.postOnly, filledQty: o.filledQty, tradeIds: tradeIds.get(o.orderId) ?? [],
      // `working`, not the status: an order in PendingCancel may never have been acknowledged.
      accepted: rec.working !== OrderStatus.Submitted,
    });
    plan.resume.set(venue, list);
    rec.sent = true; // it is at the venue: a cancel must go there, not end it locally
  }
  return plan;
}

/** The venue trade ids booked per order: a resumed order's fills are never booked twice. */
function tradeIdsByOrder(store: OrderStore): Map<string, number[]> {
  const ids = new Map<string, number[]>();
  const accounts = new Set([...store.all()].map((r) => r.order.account));
  for (const a of accounts) {
    for (const f of store.fills(a)) {
      const list = ids.get(f.orderId);
      if (list === undefined) ids.set(f.orderId, [f.tradeId]);
      else list.push(f.tradeId);
    }
  }
  return ids;
}
