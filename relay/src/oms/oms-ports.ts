import type { Order, OrderIntent, OrderStatus, OrderType, Result, Side, TimeInForce } from '@tickmesh/shared';
import type { JournalRecord } from '@tickmesh/shared';

/**
 * The ports the OMS depends on. The lead wires the real implementations (journal, risk
 * engine, SOR, algos); tests use small in-memory fakes. Everything the OMS needs from the
 * outside world goes through these, so the OMS itself stays deterministic.
 */

/** Where the OMS makes its events durable. */
export interface OmsJournal {
  /**
   * Appends one record. Records are stored in call order; the promise resolves once the
   * record is durable. The OMS never reports an event to a client before this resolves.
   */
  append(record: JournalRecord): Promise<unknown>;
}

/** The authoritative risk engine, as the OMS calls it (synchronously, on the order path). */
export interface OmsRisk {
  /** Pre-trade check of a new order (parent orders are checked as a whole). */
  checkNew(intent: OrderIntent): Result<void>;
  /** Check of a replace of `order` to `price` (ticks) and total `qty` (lots). */
  checkReplace(order: Order, price: number, qty: number): Result<void>;
}

/** One child of a routing plan. */
export interface RoutePlanChild {
  /** A venue id; never empty. */
  venue: string;
  /** Limit price in ticks (0 for market orders). */
  price: number;
  /** Lots; the plan's sum never exceeds the intent's qty. */
  qty: number;
  /** Optional: the child's own type / time in force (a taking leg IOC, a resting one GTC). Default: the parent's. */
  orderType?: OrderType;
  timeInForce?: TimeInForce;
}

/** Smart order router (implemented in relay/src/oms/sor). */
export interface OmsRouter {
  /** Splits an order with an empty venue into child orders; a failure denies the order. */
  route(intent: OrderIntent): Result<RoutePlanChild[]>;
}

/** What an algo asks the OMS to send: side, symbol and account come from the parent. */
export interface AlgoChildRequest {
  /** Default: the parent's side (only a bracket's exits trade the other way). */
  side?: Side;
  venue: string;
  price: number;
  qty: number;
  orderType: OrderType;
  timeInForce: TimeInForce;
}

/** Execution algorithms (implemented in relay/src/oms/algos). */
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

/** What the OMS gives a running algo. One context per parent order. */
export interface AlgoContext {
  /** Milliseconds on the OMS clock (nowUs / 1000). */
  nowMs(): number;
  /** Runs `fn` after `ms`; returns a function that clears the timer. */
  setTimer(ms: number, fn: () => void): () => void;
  /**
   * Sends a child order of the parent. Fire and forget: the outcome comes back through
   * AlgoHandle.onChildFill / onChildDone. A child that would take the parent's children past
   * its qty, or that arrives after the parent ended, is denied (OMS_CHILD_EXCEEDS_PARENT /
   * OMS_ORDER_NOT_OPEN) and reported to onChildDone.
   */
  sendChild(child: AlgoChildRequest): void;
  /** Cancels every open child of this parent (the parent stays working). */
  cancelChildren(): void;
  /** Cumulative traded lots of `symbol` seen so far (0 when the OMS has no market data). */
  marketVolume(symbol: string): number;
  /**
   * Optional for algos on a clock (TWAP, VWAP) to call whenever they schedule: when the next
   * slice is due (ms on this clock, 0 = none to come) and when the horizon closes. The OMS
   * reports it on the parent, so the trader sees the schedule and not only what filled.
   */
  scheduled?(nextSliceMs: number, endsMs: number): void;
  /**
   * Optional for algos to call: the algo will send no more children. The parent then ends
   * once its open children end (Filled, Expired or Canceled). Without it a parent ends only
   * when filled or canceled. Always provided by the OMS.
   */
  done?(): void;
  /**
   * Optional for algos to call, once, when the algo ends (also after cancel()): the status
   * the parent should end with (Filled, Canceled or Expired) and its OMS_ALGO_* reason code.
   * The OMS uses it when the parent ends because the algo is done (not when a client canceled
   * it or it filled). Always provided by the OMS.
   */
  onDone?(outcome: AlgoOutcome): void;
}

/** How an algo ended, as it tells the OMS through AlgoContext.onDone. */
export interface AlgoOutcome {
  status: OrderStatus;
  /** '' when filled, else an OMS_ALGO_* code. */
  reasonCode: string;
  /** Lots the algo saw filled. */
  filledQty: number;
}

/** A running algo, as the OMS drives it. */
export interface AlgoHandle {
  /** A child of this parent filled `qty` lots (the algos need not know which; conditional orders do). */
  onChildFill(qty: number, childOrderId: string): void;
  /** A child reached a terminal status (filled, canceled, expired, rejected, denied). */
  onChildDone(childOrderId: string, status: OrderStatus): void;
  /** The parent was canceled: stop timers and send nothing more (the OMS cancels children). */
  cancel(): void;
}
