import type { Order, OrderIntent, OrderStatus, OrderType, Result, TimeInForce } from '@tickmesh/shared';

/** One child order an algo asks for. `venue: ''` lets the smart order router split it. */
export interface AlgoChild {
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
 * What an algo may do and see (structurally identical to `AlgoContext` in ../oms-ports.ts,
 * plus the optional `onDone`). Wiring contract, which the algos rely on:
 * - every `sendChild` becomes exactly one child order, and the OMS calls the handle's
 *   `onChildDone` once when that child reaches a terminal status;
 * - `onChildFill` is called for every fill of a child, before that child's `onChildDone`;
 * - callbacks may arrive synchronously inside `sendChild` (the algos are re-entrancy safe).
 * Given a router (`AlgoRunner`'s second argument) the algos split `venue: ''` clips
 * themselves, so every child they send names a venue and the first point holds.
 */
export interface AlgoContext {
  nowMs(): number;
  /** Runs `fn` once after `ms`; the returned function cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
  sendChild(child: AlgoChild): void;
  /** Cancels every working child of this parent. */
  cancelChildren(): void;
  /** Cumulative lots traded on `symbol` so far, all venues. */
  marketVolume(symbol: string): number;
  /**
   * Optional for algos on a clock (TWAP, VWAP) to call whenever they schedule: when the next
   * slice is due (ms on this clock, 0 = none to come) and when the horizon closes. The OMS
   * reports it on the parent, so the trader sees the schedule and not only what filled.
   */
  scheduled?(nextSliceMs: number, endsMs: number): void;
  /** The OMS's hook: the algo will send no more children (not called after `cancel()`). */
  done?(): void;
  /** The outcome with its `OMS_ALGO_*` reason, once, when the algo ends (including `cancel()`). */
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

/** A running algo, as the OMS drives it (structurally identical to `AlgoHandle` in ../oms-ports.ts). */
export interface AlgoHandle {
  onChildFill(qty: number): void;
  onChildDone(childOrderId: string, status: OrderStatus): void;
  /** Stops the algo and cancels its working child; reports `Canceled` through `onDone`. */
  cancel(): void;
}

/** The OMS's algo port (structurally identical to `OmsAlgos` in ../oms-ports.ts). */
export interface OmsAlgos {
  start(parent: Order, ctx: AlgoContext): AlgoHandle;
}
