import type { OrderType, Side, TimeInForce, TriggerSource, TriggerType } from '@tickmesh/shared';
import type { AlgoHandle, AlgoDone } from '../oms-ports';

/** One child a conditional order sends: a leg, or what a trigger releases. */
export interface ConditionalChild {
  /** The parent's side, or the opposite one for a bracket's exits. */
  side: Side;
  /** A venue id, or '' to let the smart order router split it (one child per venue leg). */
  venue: string;
  /** Limit price in ticks; 0 for a market child. */
  price: number;
  qty: number;
  orderType: OrderType;
  timeInForce: TimeInForce;
  /**
   * Run the risk engine on the child before it goes out: true for everything sent when a
   * trigger fires or an entry filled (the market may have halted since the order was placed);
   * a refusal makes the child Denied with the risk code, journaled, never sent.
   */
  riskCheck: boolean;
}

/**
 * What the OMS gives a conditional order's handle (ParentOrders builds it; the AlgoContext
 * seam of the execution algos, plus the market-data price source). Every status change it
 * asks for goes through the transition table, the journal and the reports.
 */
export interface ConditionalContext {
  /** Creates the child (or, for venue '', one per routed leg) and returns their order ids. */
  sendChild(child: ConditionalChild): string[];
  /** Cancels one child if it is still open. */
  cancelChild(orderId: string): void;
  /** The order's market price now from `source` (its venue's, or across venues for ''), NaN when none yet. */
  price(source: TriggerSource): number;
  /** Calls `fn` with each new price from `source`; returns the function that stops it (also stopped when the order ends). */
  watch(source: TriggerSource, fn: (price: number) => void): () => void;
  /** The order is armed at `level` (PendingTrigger, or it stays in it): journaled and reported. */
  armed(level: number): void;
  /** A trailing stop's level tightened to `level`: journaled (a restart resumes from it) and reported. */
  levelMoved(level: number): void;
  /** `trigger` fired at market `price`: the order is Triggered and the report says which and at what price. */
  fired(trigger: TriggerType, price: number): void;
  /** Nothing more will be sent: the order ends once its children ended, as `outcome` says if given. */
  done(outcome?: AlgoDone): void;
}

/** A running conditional order, as the OMS drives it (an AlgoHandle told which child traded). */
export interface ConditionalHandle extends AlgoHandle {
  onChildFill(qty: number, childOrderId: string): void;
}

/** What survived a restart, for a handle resuming an armed order (Oms.recover). */
export interface ResumeState {
  /** Children still open at a venue that kept them, with their side and price (to tell the legs apart). */
  open: Array<{ orderId: string; side: Side; price: number; orderType: OrderType; qty: number; filledQty: number }>;
  /** Lots the opposite-side children (a bracket's exits) filled. */
  exitFilled: number;
}
