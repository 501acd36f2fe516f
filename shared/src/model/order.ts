import { TriggerType, copyConditional, type OrderConditional, type ReportTrigger } from './conditional';

/** Numbering of these enums matches proto/orders.proto so the codec maps 1:1. */
export const OrderType = { Limit: 1, Market: 2 } as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

export const TimeInForce = { GTC: 1, IOC: 2, FOK: 3, Day: 4 } as const;
export type TimeInForce = (typeof TimeInForce)[keyof typeof TimeInForce];

/** `Denied` = refused by our risk; `Rejected` = refused by the venue. */
export const OrderStatus = {
  Initialized: 1,
  Denied: 2,
  Submitted: 3,
  Accepted: 4,
  Rejected: 5,
  PendingUpdate: 6,
  PendingCancel: 7,
  PartiallyFilled: 8,
  Filled: 9,
  Canceled: 10,
  Expired: 11,
  Triggered: 12,
  /** A conditional order armed at the relay, waiting for its trigger (relay/src/oms/conditional). */
  PendingTrigger: 13,
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

export const ExecType = {
  New: 1,
  Trade: 2,
  Canceled: 3,
  Replaced: 4,
  Rejected: 5,
  Denied: 6,
  Expired: 7,
  PendingCancel: 8,
  PendingReplace: 9,
  CancelRejected: 10,
  Status: 11,
  /** A conditional order's trigger fired (the report's `trigger` says which, at what price). */
  Triggered: 12,
} as const;
export type ExecType = (typeof ExecType)[keyof typeof ExecType];

/**
 * An order as a trader asked for it, after wire validation and before risk: what the shared
 * pre-trade rules (browser and relay) and the OMS take. Prices in ticks, quantities in lots.
 */
export interface OrderIntent {
  account: string;
  clientOrderId: string;
  symbol: string;
  /** Empty = smart order routing across venues. */
  venue: string;
  side: import('./side').Side;
  orderType: OrderType;
  timeInForce: TimeInForce;
  /** Limit price in ticks; for market orders 0 (risk uses the reference price). */
  price: number;
  qty: number;
  postOnly: boolean;
  algo: import('./messages').Algo;
  /** Iceberg: visible lots. */
  displayQty: number;
  /** TWAP/VWAP horizon. */
  durationMs: number;
  /** Stop, take-profit, trailing, OCO and bracket orders (shared/src/model/conditional.ts); absent = an ordinary order. */
  conditional?: OrderConditional;
}

/** The OMS's view of one order (parent or child). */
export interface Order extends OrderIntent {
  orderId: string;
  /** Set on child orders of SOR and algos. */
  parentOrderId: string;
  status: OrderStatus;
  filledQty: number;
  /** Sum of fill price * fill qty (ticks * lots). */
  cumNotional: number;
  /** Quote currency in units of 1e-8. */
  fees: number;
  /** Stable code of the last denial/rejection, '' if none. */
  reasonCode: string;
  /** What `reasonCode` means for this order, as a person reads it (instrument units); '' with no code. */
  reason: string;
  createdUs: number;
  updatedUs: number;
  /** Conditional orders: the trigger's state now (level, and which fired at what price); absent otherwise. */
  trigger?: ReportTrigger;
  /** Algo parents on a clock (TWAP, VWAP): the schedule as the relay last reported it; absent otherwise. */
  schedule?: AlgoSchedule;
}

/**
 * Where a time-boxed algo parent (TWAP, VWAP) stands on its clock, as the relay's algo runs it:
 * the trader sees when the next slice goes and when the horizon closes (proto fields 31-32).
 */
export interface AlgoSchedule {
  /** When the next slice is due, µs since the epoch; 0 when no slice is to come. */
  nextSliceUs: number;
  /** When the horizon closes (the parent expires with what is unfilled), µs since the epoch. */
  endsUs: number;
}

/** One execution (fill) of an order at a venue. */
export interface Fill {
  fillId: string;
  orderId: string;
  parentOrderId: string;
  account: string;
  symbol: string;
  venue: string;
  side: import('./side').Side;
  price: number;
  qty: number;
  fee: number;
  liquidityMaker: boolean;
  tradeId: number;
  timeUs: number;
}

/** Net position of an account in one symbol (all venues). */
export interface Position {
  account: string;
  symbol: string;
  /** Signed lots: positive long, negative short. */
  qty: number;
  /** Cost of the open quantity, ticks * lots (signed like qty). */
  openCost: number;
  /** Realised P&L in ticks * lots (before fees). */
  realizedPnl: number;
  /** Fees paid, quote units of 1e-8. */
  fees: number;
}

/**
 * Exactly the OrderIntent fields of `source`, under `account`. Callers hold richer objects (a
 * decoded wire message, an order) and must not pass their extra fields along.
 */
export function orderIntent(source: Omit<OrderIntent, 'account'>, account: string): OrderIntent {
  const intent: OrderIntent = {
    account,
    clientOrderId: source.clientOrderId,
    symbol: source.symbol,
    venue: source.venue,
    side: source.side,
    orderType: source.orderType,
    timeInForce: source.timeInForce,
    price: source.price,
    qty: source.qty,
    postOnly: source.postOnly,
    algo: source.algo,
    displayQty: source.displayQty,
    durationMs: source.durationMs,
  };
  // Only conditional orders carry the key: an ordinary intent keeps exactly its fields (and the
  // order path its one object shape).
  if (source.conditional !== undefined) intent.conditional = copyConditional(source.conditional);
  return intent;
}

/**
 * A new order in status Initialized, as created from its intent: nothing filled, no fees yet.
 * One literal, field for field: V8 11 (Node 20) takes a slow path for a spread followed by more
 * properties, about 10 µs an order on the relay's order path (the literal is 0.2 µs). Typed as
 * Order, so a field added there fails to compile here.
 */
export function newOrder(i: OrderIntent, orderId: string, parentOrderId: string, timeUs: number): Order {
  return {
    account: i.account,
    clientOrderId: i.clientOrderId,
    symbol: i.symbol,
    venue: i.venue,
    side: i.side,
    orderType: i.orderType,
    timeInForce: i.timeInForce,
    price: i.price,
    qty: i.qty,
    postOnly: i.postOnly,
    algo: i.algo,
    displayQty: i.displayQty,
    durationMs: i.durationMs,
    orderId,
    parentOrderId,
    status: OrderStatus.Initialized,
    filledQty: 0,
    cumNotional: 0,
    fees: 0,
    reasonCode: '',
    reason: '',
    createdUs: timeUs,
    updatedUs: timeUs,
    conditional: i.conditional,
    trigger: i.conditional === undefined ? undefined : initialTrigger(i.conditional),
  };
}

/** A conditional order's trigger before it was armed: its own level, nothing fired. */
export function initialTrigger(c: OrderConditional): ReportTrigger {
  return {
    triggerType: c.triggerType,
    triggerSource: c.triggerSource,
    contingency: c.contingency,
    triggerPrice: c.triggerPrice,
    firedTrigger: TriggerType.None,
    firedPrice: 0,
  };
}
