import type { LevelArrays } from './ladder-grouping';

/** One side of a depth chart: level prices (ticks) from the touch outwards and the size summed up to each (lots). */
export interface DepthSide {
  price: number[];
  cum: number[];
}

/** What a depth chart draws: both sides' cumulative curves and the axes' extent. */
export interface DepthCurve {
  bids: DepthSide;
  asks: DepthSide;
  /** Price range shown, ticks: symmetric around the mid so neither side looks deeper by its extent alone. */
  minPrice: number;
  maxPrice: number;
  /** Largest cumulative size of either side (the y axis' top), lots. */
  maxCum: number;
  /** Mid of the touch, ticks (NaN with a side empty). */
  mid: number;
}

function side(prices: ArrayLike<number>, sizes: ArrayLike<number>): DepthSide {
  const price: number[] = [];
  const cum: number[] = [];
  let total = 0;
  const n = Math.min(prices.length, sizes.length);
  for (let i = 0; i < n; i++) {
    if (!(sizes[i]! > 0)) break;
    total += sizes[i]!;
    price.push(prices[i]!);
    cum.push(total);
  }
  return { price, cum };
}

/**
 * The cumulative depth of a best-first ladder. The price range spans the nearer of the two
 * sides' far ends mirrored around the mid, so the chart compares equal distances from it.
 */
export function depthCurve(levels: LevelArrays): DepthCurve {
  const bids = side(levels.bidPrice, levels.bidSize);
  const asks = side(levels.askPrice, levels.askSize);
  const bestBid = bids.price[0];
  const bestAsk = asks.price[0];
  const mid = bestBid !== undefined && bestAsk !== undefined ? (bestBid + bestAsk) / 2 : Number.NaN;
  const farBid = bids.price[bids.price.length - 1];
  const farAsk = asks.price[asks.price.length - 1];
  let minPrice = farBid ?? bestAsk ?? 0;
  let maxPrice = farAsk ?? bestBid ?? 0;
  if (!Number.isNaN(mid) && farBid !== undefined && farAsk !== undefined) {
    const reach = Math.min(mid - farBid, farAsk - mid);
    minPrice = mid - reach;
    maxPrice = mid + reach;
  }
  const within = (s: DepthSide, bid: boolean) => {
    let m = 0;
    for (let i = 0; i < s.price.length; i++) if (bid ? s.price[i]! >= minPrice : s.price[i]! <= maxPrice) m = s.cum[i]!;
    return m;
  };
  return { bids, asks, minPrice, maxPrice, maxCum: Math.max(within(bids, true), within(asks, false)), mid };
}
