import type { ErrorCode } from '@tickmesh/shared';

export type SurveillanceCode =
  | typeof ErrorCode.SURV_SPOOFING
  | typeof ErrorCode.SURV_LAYERING
  | typeof ErrorCode.SURV_WASH_TRADE
  | typeof ErrorCode.SURV_QUOTE_STUFFING
  | typeof ErrorCode.SURV_MOMENTUM_IGNITION;

/** One journal record an alert rests on: where to find it, and what it was. */
export interface Evidence {
  seq: number;
  orderId: string;
  /** "order", "cancel" or "fill", as the event was. */
  what: string;
  /**
   * Spoofing and layering, on orders: how far the order rested behind its side's touch when
   * the OMS took it, in bps; null when its record carries no touch (a journal written before
   * the touch was recorded), so the distance was not checked.
   */
  touchBps?: number | null;
}

/**
 * A surveillance alert: the rule that fired, who, what in, how sure (score 0..1: 1 = the
 * records prove it, lower = a pattern that deserves a look), a sentence for the operator and
 * the records behind it, by journal sequence number.
 */
export interface SurveillanceAlert {
  code: SurveillanceCode;
  account: string;
  symbol: string;
  timeUs: number;
  score: number;
  message: string;
  evidence: Evidence[];
}
