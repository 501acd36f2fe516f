import { Algo, OrderStatus, newOrder, type Fill, type Order, type OrderIntent } from '@tickmesh/shared';
import type { AlgoHandle, AlgoDone } from './oms-ports';

/** A cancel or replace sent to the venue and not yet answered. */
export interface PendingRequest {
  kind: 'cancel' | 'replace';
  /** Replace only: the client order id the order takes once the venue confirms ('' = keep). */
  clientOrderId: string;
}

/** What the OMS tracks for a parent order (SOR or algo) beyond its Order. */
export interface ParentState {
  /** The running algo; null for SOR parents and after the algo was stopped. */
  handle: AlgoHandle | null;
  /** A cancel of the parent was requested: no new children; ends Canceled once children end. */
  cancelRequested: boolean;
  /** No more children will come (SOR: plan sent; algo: ctx.done() called). */
  complete: boolean;
  /** Timers the algo set and has not cleared; cleared when the parent ends. */
  timers: Set<() => void>;
  /** The algo's own account of how it ended (AlgoContext.onDone), if it gave one; on recovery, the restart's. */
  outcome: AlgoDone | null;
  /**
   * Child fills taken into the parent's own figures, one Trade report each (live and on
   * replay). Recovery compares it with the fills its children booked: a crash can leave a
   * child's Trade record durable without the parent's that follows it.
   */
  rolledUpFills: number;
}

/**
 * The OMS's bookkeeping of one order: the Order clients see plus what the state machine
 * needs and clients don't (the status to restore when a cancel/replace is refused, the
 * outstanding requests, whether the venue has seen the order).
 */
export interface OrderRecord {
  readonly order: Order;
  /**
   * The status without outstanding requests (Submitted, Accepted, PartiallyFilled or
   * Triggered): what a refused cancel/replace restores. Why not just "previous status":
   * a fill or an ack can arrive while the request is out, and the restore must reflect it.
   */
  working: OrderStatus;
  /** Outstanding requests, oldest first; venues answer them in order. */
  pending: PendingRequest[];
  /** venue.submit was called (children and direct orders); false while the Submitted record is not yet durable. */
  sent: boolean;
  /** Fills booked so far; numbers fill ids (`<orderId>-<n>`) identically live and on replay. */
  fillCount: number;
  /** Set on parent orders (SOR and algo); null for direct and child orders. */
  parent: ParentState | null;
}

/** A parent is an order the OMS works itself: an algo order, a smart-routed one (venue '') or a conditional one. */
export function isParentIntent(order: Pick<Order, 'parentOrderId' | 'algo' | 'venue' | 'conditional'>): boolean {
  return order.parentOrderId === '' && (order.algo !== Algo.None || order.venue === '' || order.conditional !== undefined);
}

/** The status the order shows given its working status and outstanding requests. */
export function displayedStatus(rec: OrderRecord): OrderStatus {
  if (rec.pending.some((p) => p.kind === 'cancel')) return OrderStatus.PendingCancel;
  if (rec.pending.length > 0) return OrderStatus.PendingUpdate;
  return rec.working;
}

/** A new order in status Initialized, as created from a request (live or replayed). */
export function createOrderRecord(intent: OrderIntent, orderId: string, parentOrderId: string, timeUs: number): OrderRecord {
  const order = newOrder(intent, orderId, parentOrderId, timeUs);
  return {
    order,
    working: OrderStatus.Initialized,
    pending: [],
    sent: false,
    fillCount: 0,
    parent: isParentIntent(order) ? { handle: null, cancelRequested: false, complete: false, timers: new Set(), outcome: null, rolledUpFills: 0 } : null,
  };
}

/** Books the next fill of a venue-facing order, with the same fill id live and on replay. */
export function fillOf(
  rec: OrderRecord,
  price: number,
  qty: number,
  fee: number,
  liquidityMaker: boolean,
  tradeId: number,
  timeUs: number,
): Fill {
  const o = rec.order;
  rec.fillCount++;
  return {
    fillId: `${o.orderId}-${rec.fillCount}`,
    orderId: o.orderId,
    parentOrderId: o.parentOrderId,
    account: o.account,
    symbol: o.symbol,
    venue: o.venue,
    side: o.side,
    price,
    qty,
    fee,
    liquidityMaker,
    tradeId,
    timeUs,
  };
}

