import type { Instrument } from './model';
import { formatPrice, formatQty } from './format';

/** One level as the ladder draws it. */
export interface LadderRow {
  /** Price in ticks (what a click loads into the ticket). */
  ticks: number;
  price: string;
  size: string;
  /** Size summed from the best level to this one. */
  cum: string;
  /** Size relative to the largest level shown on either side, 0..1. */
  bar: number;
}

export interface LadderRows {
  /** Asks top to bottom: the worst first, the best ask last (nearest the spread). */
  asks: LadderRow[];
  /** Bids top to bottom: the best bid first (nearest the spread). */
  bids: LadderRow[];
  /** Best ask minus best bid, null when a side is empty. */
  spread: { ticks: number; price: string; bps: number; bpsText: string } | null;
}

interface Levels {
  bidPrice: ArrayLike<number>;
  bidSize: ArrayLike<number>;
  askPrice: ArrayLike<number>;
  askSize: ArrayLike<number>;
}

function shapeSide(prices: ArrayLike<number>, sizes: ArrayLike<number>, n: number, inst: Pick<Instrument, 'tickSize' | 'lotSize'>, max: number): LadderRow[] {
  const rows: LadderRow[] = [];
  let cum = 0;
  for (let i = 0; i < n; i++) {
    const size = sizes[i]!;
    cum += size;
    rows.push({ ticks: prices[i]!, price: formatPrice(inst, prices[i]!), size: formatQty(inst, size), cum: formatQty(inst, cum), bar: max > 0 ? size / max : 0 });
  }
  return rows;
}

/** Levels present on a side: both arrays must hold them and empty (size ≤ 0) levels end it. */
function levelCount(prices: ArrayLike<number>, sizes: ArrayLike<number>, depth: number): number {
  const n = Math.min(prices.length, sizes.length, depth);
  for (let i = 0; i < n; i++) if (!(sizes[i]! > 0) || !Number.isFinite(prices[i]!)) return i;
  return n;
}

/**
 * Basis points with two significant digits below 10, so a tight spread never reads "0.0":
 * 0.0322 -> "0.032", 2.04 -> "2.0", 13.7 -> "14"; 0 -> "0". Negative (crossed) keeps its sign.
 */
export function bpsText(bps: number): string {
  if (bps === 0 || !Number.isFinite(bps)) return '0';
  const abs = Math.abs(bps);
  const places = abs >= 10 ? 0 : Math.max(1, 1 - Math.floor(Math.log10(abs)));
  return bps.toFixed(places);
}

/**
 * Shapes the worker's best-first parallel arrays into rows for the ladder: asks reversed so the
 * best ask sits just above the spread, bids best first just below it, cumulative sizes from
 * the touch outwards and bars scaled to the largest level on screen.
 */
export function shapeLadder(levels: Levels, inst: Pick<Instrument, 'tickSize' | 'lotSize'>, depth = Infinity): LadderRows {
  const nb = levelCount(levels.bidPrice, levels.bidSize, depth);
  const na = levelCount(levels.askPrice, levels.askSize, depth);
  let max = 0;
  for (let i = 0; i < nb; i++) max = Math.max(max, levels.bidSize[i]!);
  for (let i = 0; i < na; i++) max = Math.max(max, levels.askSize[i]!);
  const bids = shapeSide(levels.bidPrice, levels.bidSize, nb, inst, max);
  const asks = shapeSide(levels.askPrice, levels.askSize, na, inst, max).reverse();
  let spread: LadderRows['spread'] = null;
  if (nb > 0 && na > 0) {
    const bid = levels.bidPrice[0]!;
    const ask = levels.askPrice[0]!;
    const ticks = ask - bid;
    const mid = (ask + bid) / 2;
    const bps = mid > 0 ? (ticks / mid) * 10_000 : 0;
    spread = { ticks, price: formatPrice(inst, ticks), bps, bpsText: bpsText(bps) };
  }
  return { asks, bids, spread };
}
