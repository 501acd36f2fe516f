/**
 * What an account or an instrument may do now:
 * - `active`: everything the limits allow;
 * - `reducing`: only orders that bring the position closer to flat (never through it);
 * - `halted`: no new orders and no replaces (cancels are always allowed).
 */
export type TradingState = 'active' | 'reducing' | 'halted';

const RANK: Readonly<Record<TradingState, number>> = { active: 0, reducing: 1, halted: 2 };

/** The stricter of two states (`halted` > `reducing` > `active`): the one that allows less. */
export function stricterState(a: TradingState, b: TradingState): TradingState {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Type guard for input from the admin API. */
export function isTradingState(v: unknown): v is TradingState {
  return v === 'active' || v === 'reducing' || v === 'halted';
}
