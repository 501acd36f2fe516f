import { Side, type OrderTouch } from '@tickmesh/shared';

/**
 * How far an order of `side` at `price` (ticks) rests behind its own side's touch, in bps of
 * that touch: positive = away from the market (a bid below the best bid, an ask above the best
 * ask), 0 or less = at or inside the touch, or marketable. 0 for a market order (price 0: it
 * takes the touch) and when its side of the book was empty (the order itself is the touch then).
 */
export function touchDistanceBps(side: Side, price: number, touch: OrderTouch): number {
  const ref = side === Side.Buy ? touch.bid : touch.ask;
  if (!(ref > 0) || !(price > 0)) return 0;
  return ((side === Side.Buy ? ref - price : price - ref) / ref) * 10_000;
}
