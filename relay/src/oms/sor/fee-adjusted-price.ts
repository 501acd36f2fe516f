import { Side } from '@tickmesh/shared';

/** Fees are in hundredths of a basis point: 1_000_000 of them make 100 %. */
const FEE_SCALE = 1_000_000;

/**
 * A totally ordered "cost" of taking one lot at `price` on a venue with `takerFeeBpsX100`,
 * lower is better for both sides: a buyer pays price * (1 + fee), a seller receives
 * price * (1 - fee), negated so that the same `<` picks the best level. Scaled to integers
 * (ticks * 1e6) so comparisons are exact for any realistic tick price (< 2^53 / 1e6 ticks).
 */
export function takerCost(side: Side, price: number, takerFeeBpsX100: number): number {
  return side === Side.Buy ? price * (FEE_SCALE + takerFeeBpsX100) : -price * (FEE_SCALE - takerFeeBpsX100);
}

/**
 * The worst price a market order of `side` may reach: `bps` basis points through `touch`
 * (the best price on the side it takes from), rounded inward so the band is never exceeded.
 */
export function protectionLimit(side: Side, touch: number, bps: number): number {
  return side === Side.Buy ? Math.floor((touch * (10_000 + bps)) / 10_000) : Math.ceil((touch * (10_000 - bps)) / 10_000);
}

/** True when `price` is at or better than `limit` for an order of `side`. */
export function withinLimit(side: Side, price: number, limit: number): boolean {
  return side === Side.Buy ? price <= limit : price >= limit;
}
