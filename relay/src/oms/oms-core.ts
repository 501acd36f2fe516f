import { foldReason, orderIntent, ErrorCode, ExecType, OrderStatus, fail, ok, type ExecutionReportMsg, type Order, type OrderIntent, type OrderTouch, type Reason, type Result } from '@tickmesh/shared';
import type { JournalRecord } from '@tickmesh/shared';
import type { VenueAdapter, VenueExecution } from '../venues/venue-adapter';
import { executionReport, type ReportEvent } from './execution-report';
import type { OmsDeps } from './oms-deps';
import { createOrderRecord, type OrderRecord } from './order-record';
import { OrderStore } from './order-store';
import { orderStatusName, transition } from './order-transitions';
import { PositionBook } from './position-book';
import { TriggerFeed } from './conditional/trigger-feed';

/** A subscriber to every execution report (Oms.onReport). */
export type ReportListener = (report: ExecutionReportMsg) => void;

/**
 * What every part of the OMS shares: the orders, fills and positions, the venues, and the
 * one path every state change is made durable and reported through (`publish`). Internal:
 * `Oms` is the public face; the parent handling (ParentOrders), the venue-execution booking
 * (ExecutionBooking) and recovery work on this, so none of them owns state the others need.
 *
 * THE RULE lives here: no execution report reaches a listener before the journal append of
 * its record resolved — acknowledged means durable. Records are appended in event order and
 * reports are emitted in that same order, each once its own append resolved (so one slow
 * append holds back the reports after it; the journal is sequential anyway).
 */
export class OmsCore {
  readonly store = new OrderStore();
  /** The market prices armed conditional orders watch (Oms.onMarketPrice pushes them in). */
  readonly triggers = new TriggerFeed();
  readonly book = new PositionBook();
  /** By venue id; the map Oms exposes as its own `venues`. */
  readonly venues = new Map<string, VenueAdapter>();
  readonly idPrefix: string;
  readonly onError: (error: unknown) => void;
  readonly setTimer: (ms: number, fn: () => void) => () => void;
  /** Number of the last order id handed out; recovery raises it past the journal's. */
  seq = 0;
  private readonly listeners = new Set<ReportListener>();
  /** Reports in journal order, each waiting for its own append; emitted from the front. */
  private readonly outbox: Outgoing[] = [];
  private outHead = 0;

  constructor(readonly deps: OmsDeps) {
    this.idPrefix = deps.idPrefix ?? 'o-';
    this.onError = deps.onError ?? ((e) => console.error('oms:', e));
    this.setTimer = deps.setTimer ?? defaultSetTimer;
    for (const venue of deps.venues) {
      if (this.venues.has(venue.id)) throw new Error(`Oms: venue ${venue.id} given twice`);
      this.venues.set(venue.id, venue);
    }
  }

  nowUs(): number {
    return this.deps.nowUs();
  }

  onReport(listener: ReportListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---------------------------------------------------------------- order lifecycle steps

  /**
   * A new Initialized order, stored and indexed; `written` resolves when its order-request is
   * durable. `touch`: the market it met (journaled for surveillance; trader orders only).
   */
  create(input: OrderIntent, parentOrderId: string, now: number, touch?: OrderTouch): { rec: OrderRecord; written: Promise<unknown> } {
    const orderId = `${this.idPrefix}${++this.seq}`;
    const intent = orderIntent(input, input.account);
    const rec = createOrderRecord(intent, orderId, parentOrderId, now);
    this.store.add(rec);
    if (parentOrderId === '') {
      const reserved = this.store.reserveClientId(intent.account, intent.clientOrderId, rec);
      if (!reserved.ok) throw new Error(`Oms: client id ${intent.clientOrderId} reserved twice`);
    }
    // `intent` is this call's own copy and the record keeps none of it (the order copies the
    // fields), so the journal record can hold it as it is.
    const written = this.append(
      touch === undefined ? { kind: 'order-request', timeUs: now, orderId, parentOrderId, intent } : { kind: 'order-request', timeUs: now, orderId, parentOrderId, intent, touch },
    );
    return { rec, written };
  }

  deny(rec: OrderRecord, reason: Reason, now: number, requestId: number): Promise<unknown> {
    rec.order.reasonCode = reason.code;
    this.move(rec, OrderStatus.Denied);
    return this.publish(rec, { execType: ExecType.Denied, timeUs: now, requestId, reason: reason.message });
  }

  submitted(rec: OrderRecord, now: number, requestId: number): Promise<unknown> {
    this.move(rec, OrderStatus.Submitted);
    rec.working = OrderStatus.Submitted;
    return this.publish(rec, { execType: ExecType.Status, timeUs: now, requestId });
  }

  /**
   * Hands a durable Submitted order to its venue, unless it was canceled meanwhile. Nothing
   * goes to a venue before the record announcing it is durable: after a crash the journal
   * knows about every order a venue may have.
   */
  sendToVenue(rec: OrderRecord): void {
    const o = rec.order;
    if (o.status !== OrderStatus.Submitted || rec.sent) return;
    rec.sent = true;
    this.venueOf(rec).submit({
      orderId: o.orderId,
      account: o.account,
      symbol: o.symbol,
      side: o.side,
      type: o.orderType,
      timeInForce: o.timeInForce,
      price: o.price,
      qty: o.qty,
      postOnly: o.postOnly,
    });
  }

  /** The order `account` knows as `id` (a client order id, current or earlier, or an order id). */
  lookup(account: string, id: string): Result<OrderRecord> {
    const rec = this.store.byClientId(account, id) ?? this.store.get(id);
    if (rec === undefined) return fail(ErrorCode.OMS_UNKNOWN_ORDER, `unknown order ${id}`);
    if (rec.order.account !== account) return fail(ErrorCode.OMS_NOT_YOUR_ORDER, `order ${id} belongs to another account`);
    return ok(rec);
  }

  venueOf(rec: OrderRecord): VenueAdapter {
    const v = this.venues.get(rec.order.venue);
    if (v === undefined) throw new Error(`Oms: order ${rec.order.orderId} has unknown venue ${rec.order.venue}`);
    return v;
  }

  // ---------------------------------------------------------------- status changes

  /** An OMS-made status change; the OMS never asks for an invalid one (a bug if it does). */
  move(rec: OrderRecord, to: OrderStatus): void {
    if (rec.order.status === to) return;
    const r = transition(rec.order, to);
    if (!r.ok) throw new Error(`Oms: ${rec.order.orderId}: ${r.reason.code} ${r.reason.message}`);
    this.store.updated(rec);
  }

  /** Applies a venue-caused status change; an invalid one is journaled as an alert, not applied. */
  moveFromVenue(rec: OrderRecord, to: OrderStatus, e: VenueExecution): boolean {
    const o = rec.order;
    if (o.status === to && to !== OrderStatus.PartiallyFilled) return true;
    const r = transition(o, to);
    if (r.ok) {
      this.store.updated(rec);
      return true;
    }
    this.alert(r.reason.code, o.account, o.symbol, `${o.orderId}: venue ${e.kind} in status ${orderStatusName[o.status]}`, e.timeUs);
    return false;
  }

  // ---------------------------------------------------------------- journal and reports

  append(record: JournalRecord): Promise<unknown> {
    try {
      return this.deps.journal.append(record);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Journals the order's current state as a report and emits it once durable, after every
   * earlier report. Returns the append's promise (for callers that must wait for durability).
   */
  publish(rec: OrderRecord, ev: ReportEvent): Promise<unknown> {
    rec.order.updatedUs = ev.timeUs;
    const report = executionReport(rec.order, ev);
    // The order keeps its code's text, folded as journal replay folds it (REST shows it).
    if (ev.execType !== ExecType.CancelRejected) foldReason(rec.order, report);
    const durable = this.append({ kind: 'execution', timeUs: ev.timeUs, report });
    // A queue in append order rather than a chain of promises: one reaction per report, and a
    // report goes out in the turn its append resolves once the reports before it are out. Its
    // rejection is handled here, so a failed append (journal closed at shutdown, disk error)
    // never counts as unhandled; callers that await `durable` still see the failure.
    const out: Outgoing = { report, state: PENDING, error: undefined };
    this.outbox.push(out);
    durable.then(
      () => {
        out.state = DURABLE;
        this.pump();
      },
      (e: unknown) => {
        out.state = FAILED;
        out.error = e;
        this.pump();
      },
    );
    return durable;
  }

  alert(code: string, account: string, symbol: string, message: string, timeUs: number): void {
    this.append({ kind: 'alert', timeUs, code, account, symbol, message }).catch(this.onError);
  }

  /** Emits the reports at the front of the outbox whose appends have settled; a failed one is never emitted. */
  private pump(): void {
    const box = this.outbox;
    while (this.outHead < box.length) {
      const out = box[this.outHead]!;
      if (out.state === PENDING) return;
      box[this.outHead++] = undefined as unknown as Outgoing;
      if (out.state === DURABLE) this.emit(out.report);
      else this.onError(out.error);
    }
    box.length = 0;
    this.outHead = 0;
  }

  private emit(report: ExecutionReportMsg): void {
    for (const l of this.listeners) {
      try {
        l(report);
      } catch (e) {
        this.onError(e);
      }
    }
  }
}

const PENDING = 0;
const DURABLE = 1;
const FAILED = 2;

/** A report waiting in the outbox for its journal append. */
interface Outgoing {
  report: ExecutionReportMsg;
  state: typeof PENDING | typeof DURABLE | typeof FAILED;
  error: unknown;
}

/** A copy of the order for callers: they must not see later changes or make their own. */
export function snapshot(rec: OrderRecord): Order {
  return { ...rec.order };
}

/** True if a cancel of the order is already on its way (a parent: requested once for all its children). */
export function cancelOutstanding(rec: OrderRecord): boolean {
  return rec.parent !== null ? rec.parent.cancelRequested : rec.pending.some((p) => p.kind === 'cancel');
}

/** The report event of one venue fill: the same for the child that filled and its parent. */
export function tradeEvent(e: VenueExecution): ReportEvent {
  return {
    execType: ExecType.Trade,
    timeUs: e.timeUs,
    lastPrice: e.price,
    lastQty: e.qty,
    tradeId: e.tradeId,
    fee: e.fee,
    liquidityMaker: e.liquidityMaker,
  };
}

function defaultSetTimer(ms: number, fn: () => void): () => void {
  const t = setTimeout(fn, ms);
  (t as { unref?: () => void }).unref?.();
  return () => clearTimeout(t);
}
