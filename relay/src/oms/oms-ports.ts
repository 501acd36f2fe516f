import type { Order, OrderIntent, OrderType, Result, TimeInForce } from '@tickmesh/shared';
import type { JournalRecord, OrderTouch } from '@tickmesh/shared';

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
  /**
   * The touch an order of `symbol` on `venue` ('' = smart-routed) meets now, journaled on its
   * order-request for surveillance (distance from the touch). Optional: without it, or when it
   * returns undefined, the order-request carries no touch.
   */
  touch?(symbol: string, venue: string): OrderTouch | undefined;
}

/** The algo port (AlgoContext, AlgoHandle, OmsAlgos ...) has one definition, beside the algos. */
export type { AlgoChild, AlgoContext, AlgoDone, AlgoHandle, OmsAlgos } from './algos/algo-port';
