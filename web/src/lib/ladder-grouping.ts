import { fromTicks, type Instrument } from './model';

/** Best-first parallel level arrays (ticks, lots), as the worker's LadderFrame carries them. */
export interface LevelArrays {
  bidPrice: ArrayLike<number>;
  bidSize: ArrayLike<number>;
  askPrice: ArrayLike<number>;
  askSize: ArrayLike<number>;
}

/** Grouping steps offered, in ticks: 1 tick, then powers of ten (0.01, 0.1, 1, 10, 100 for a 0.01 tick). */
export const GROUPING_TICKS = [1, 10, 100, 1_000, 10_000] as const;

/** A grouping step as a price: 1000 ticks of 0.01 -> "10". */
export function groupingLabel(inst: Pick<Instrument, 'tickSize'>, ticks: number): string {
  return String(fromTicks(inst, ticks));
}

function groupSide(prices: ArrayLike<number>, sizes: ArrayLike<number>, g: number, bid: boolean): { price: number[]; size: number[] } {
  const price: number[] = [];
  const size: number[] = [];
  const n = Math.min(prices.length, sizes.length);
  for (let i = 0; i < n; i++) {
    const s = sizes[i]!;
    if (!(s > 0)) break;
    // Bids round down and asks up, as exchanges group: a group never claims a better price than any level in it.
    const p = bid ? Math.floor(prices[i]! / g) * g : Math.ceil(prices[i]! / g) * g;
    const last = price.length - 1;
    if (last >= 0 && price[last] === p) size[last]! += s;
    else {
      price.push(p);
      size.push(s);
    }
  }
  return { price, size };
}

/**
 * The ladder's levels summed into price groups of `groupTicks` ticks (1 = as they are). Input
 * and output are best first; a best-first side stays sorted after rounding, so equal groups
 * are always adjacent.
 */
export function groupLevels(levels: LevelArrays, groupTicks: number): LevelArrays {
  if (!(groupTicks > 1)) return levels;
  const bids = groupSide(levels.bidPrice, levels.bidSize, groupTicks, true);
  const asks = groupSide(levels.askPrice, levels.askSize, groupTicks, false);
  return { bidPrice: bids.price, bidSize: bids.size, askPrice: asks.price, askSize: asks.size };
}
