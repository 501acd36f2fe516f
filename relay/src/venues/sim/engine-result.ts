/**
 * Outcome of one matching-engine command. Business failures are values (DESIGN.md house
 * style 2): the engine never throws for them. Codes are stable; add, never rename.
 */
export const EngineResult = {
  OK: 'OK',
  /** cancel/replace of an order that is not resting (never existed, filled or canceled). */
  UNKNOWN_ORDER: 'VENUE_UNKNOWN_ORDER',
  /** A post-only order (or a replace of one) would have crossed the spread. */
  POST_ONLY_WOULD_TAKE: 'VENUE_POST_ONLY_WOULD_TAKE',
  /** A fill-or-kill order could not be filled in full at once; nothing traded. */
  FOK_UNFILLABLE: 'VENUE_FOK_UNFILLABLE',
  /** Limit price not a positive safe integer (ticks). */
  INVALID_PRICE: 'VENUE_INVALID_PRICE',
  /** Quantity not a positive safe integer (lots), or a replace to ≤ the filled quantity. */
  INVALID_QTY: 'VENUE_INVALID_QTY',
  /** Market order against an empty opposite side. */
  NO_LIQUIDITY: 'VENUE_NO_LIQUIDITY',
  /** Reason on the `canceled` event of a resting order removed by self-trade prevention. */
  SELF_TRADE_PREVENTED: 'VENUE_SELF_TRADE_PREVENTED',
} as const;
export type EngineResult = (typeof EngineResult)[keyof typeof EngineResult];
