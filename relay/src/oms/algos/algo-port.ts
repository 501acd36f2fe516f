import type { Order, OrderIntent, OrderStatus, OrderType, Result, Side, TimeInForce } from '@tickmesh/shared';

/**
 * The one definition of the algo port: what an algo (TWAP, VWAP, iceberg, a conditional
 * order) gets from the OMS and what the OMS drives. It lives beside the algos so they import
 * nothing of the OMS; ../oms-ports.ts re-exports it.
 */

/** One child order an algo asks for; symbol and account come from the parent. `venue: ''` lets the smart order router split it. */
export interface AlgoChild {
  /** Default: the parent's side (only a bracket's exits trade the other way). */
  side?: Side;
  venue: string;
  /** Limit price in ticks; 0 for a market child (the router's protection band applies). */
  price: number;
  qty: number;
  orderType: OrderType;
  timeInForce: TimeInForce;
}

/** How an algo ended: the status the OMS should give the parent, with a stable reason code. */
export interface AlgoDone {
  /** `Filled`, `Canceled` or `Expired`. */
  status: OrderStatus;
  /** '' when filled, else an `OMS_ALGO_*` code. */
  reasonCode: string;
  /** Lots the algo saw filled through `onChildFill`. */
  filledQty: number;
}

/**
 * What the OMS gives a running algo, one per parent order. Wiring contract, which the algos
 * rely on:
 * - every `sendChild` becomes exactly one child order, and the OMS calls the handle's
 *   `onChildDone` once when that child reaches a terminal status (a child that would take
 *   the parent's children past its qty, or arrives after the parent ended, is denied with
 *   OMS_CHILD_EXCEEDS_PARENT / OMS_ORDER_NOT_OPEN and reported there too);
 * - `onChildFill` is called for every fill of a child, before that child's `onChildDone`;
 * - callbacks may arrive synchronously inside `sendChild` (the algos are re-entrancy safe).
 * Given a router (`AlgoRunner`'s second argument) the algos split `venue: ''` clips
 * themselves, so every child they send names a venue and the first point holds.
 */
export interface AlgoContext {
  /** Milliseconds on the OMS clock (nowUs / 1000). */
  nowMs(): number;
  /** Runs `fn` once after `ms`; the returned function cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
  /** Sends a child order of the parent. Fire and forget: the outcome comes back through the handle. */
  sendChild(child: AlgoChild): void;
  /** Cancels every working child of this parent (the parent stays working). */
  cancelChildren(): void;
  /** Cumulative lots traded on `symbol` so far, all venues (0 when the OMS has no market data). */
  marketVolume(symbol: string): number;
  /**
   * Optional for algos on a clock (TWAP, VWAP) to call whenever they schedule: when the next
   * slice is due (ms on this clock, 0 = none to come) and when the horizon closes. The OMS
   * reports it on the parent, so the trader sees the schedule and not only what filled.
   */
  scheduled?(nextSliceMs: number, endsMs: number): void;
  /**
   * The algo will send no more children: the parent then ends once its open children end.
   * Without it a parent ends only when filled or canceled. Not called after `cancel()`.
   */
  done?(): void;
  /**
   * The outcome with its `OMS_ALGO_*` reason, once, when the algo ends (including after
   * `cancel()`). The OMS uses it when the parent ends because the algo is done, not when a
   * client canceled it or it filled.
   */
  onDone?(done: AlgoDone): void;
}

/**
 * The router the algos split `venue: ''` clips with (structurally the OMS's `OmsRouter`;
 * `SmartOrderRouter` fits). Children carrying `orderType`/`timeInForce` keep them (taking
 * legs IOC, a resting leg GTC); otherwise the clip's own are used.
 */
export interface AlgoRouter {
  route(intent: OrderIntent): Result<
    Array<{ venue: string; price: number; qty: number; orderType?: OrderType; timeInForce?: TimeInForce }>
  >;
}

/** A running algo, as the OMS drives it. */
export interface AlgoHandle {
  /** A child filled `qty` lots (the slicing algos need not know which; conditional orders do). */
  onChildFill(qty: number, childOrderId: string): void;
  /** A child reached a terminal status (filled, canceled, expired, rejected, denied). */
  onChildDone(childOrderId: string, status: OrderStatus): void;
  /** Stops the algo (timers, no more children) and reports `Canceled` through `onDone`; the OMS cancels the children. */
  cancel(): void;
}

/** The OMS's algo port (implemented by `AlgoRunner`). */
export interface OmsAlgos {
  /**
   * Optional business check of the algo parameters (duration, display qty ...). A failure
   * denies the parent with its code (e.g. OMS_ALGO_INVALID_PARAMS) before risk runs; start()
   * is only called for parents that passed.
   */
  validate?(intent: OrderIntent): Result<unknown>;
  /** Starts working `parent` (algo != None); children go out through `ctx.sendChild`. */
  start(parent: Order, ctx: AlgoContext): AlgoHandle;
}
