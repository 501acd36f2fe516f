import type { Fill, Order } from './model';
import { Side } from './model';
import { isOpenStatus } from './format';

/** An open order drawn as a horizontal line at its limit price. */
export interface OrderLine {
  key: string;
  /** Ticks. */
  price: number;
  side: Side;
  /** Lots still working. */
  leaves: number;
}

/** A fill drawn as a marker on its candle. */
export interface FillMark {
  /** The candle's bucket open, seconds. */
  time: number;
  side: Side;
  /** Ticks and lots. */
  price: number;
  qty: number;
}

/** Fill markers kept on the chart (the newest). */
export const FILL_MARKS_KEPT = 200;

/**
 * The trader's open orders of `symbol` that have a price (limit, post-only, iceberg …), top-level
 * only: a smart-routed or algo parent is one line at its price, not one per child.
 */
export function orderLines(orders: readonly Order[], symbol: string): OrderLine[] {
  const out: OrderLine[] = [];
  for (const o of orders) {
    if (o.symbol !== symbol || o.parentOrderId !== '' || !(o.price > 0) || !isOpenStatus(o.status)) continue;
    out.push({ key: o.orderId || o.clientOrderId, price: o.price, side: o.side, leaves: Math.max(0, o.qty - o.filledQty) });
  }
  return out;
}

/** The trader's fills of `symbol` on candles `seconds` wide, oldest first (lightweight-charts wants markers sorted by time). */
export function fillMarks(fills: readonly Fill[], symbol: string, seconds: number): FillMark[] {
  const out: FillMark[] = [];
  for (const f of fills) {
    if (f.symbol !== symbol) continue;
    out.push({ time: Math.floor(f.timeUs / 1e6 / seconds) * seconds, side: f.side, price: f.price, qty: f.qty });
    if (out.length >= FILL_MARKS_KEPT) break; // the list is newest first: these are the newest
  }
  return out.sort((a, b) => a.time - b.time);
}
