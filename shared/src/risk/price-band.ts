import { Side } from '../model/side';
import { mulDivCeil, mulDivFloor } from './exact-math';

/**
 * The price collar (fat-finger band) around a reference price, in integer ticks. Both edges are
 * rounded inward, so "exactly at the edge" means the largest/smallest whole tick whose
 * distance from the reference is at most `bps`. The same band bounds market orders: the OMS
 * sends them to venues as IOC limits at `marketProtectionPrice`, and risk values them there.
 */

const BPS = 10_000;

/**
 * Highest price inside the collar: floor(ref × (10,000 + bps) / 10,000). NaN when `ref` is
 * not a positive safe integer (unknown reference) or the result overflows.
 */
export function bandHigh(ref: number, bps: number): number {
  if (!(ref > 0)) return Number.NaN;
  return mulDivFloor(ref, BPS + bps, BPS);
}

/**
 * Lowest price inside the collar: ceil(ref × (10,000 − bps) / 10,000), and never below 1 tick
 * (a collar of 100% or more leaves only the floor of positive prices). NaN when `ref` is
 * unknown.
 */
export function bandLow(ref: number, bps: number): number {
  if (!(ref > 0)) return Number.NaN;
  if (bps >= BPS) return 1;
  return Math.max(1, mulDivCeil(ref, BPS - bps, BPS));
}

/**
 * Worst price a market order may fill at inside the band: the band's top for a buy, its
 * bottom for a sell. NaN when `ref` is unknown.
 */
export function marketProtectionPrice(side: Side, ref: number, bps: number): number {
  return side === Side.Buy ? bandHigh(ref, bps) : bandLow(ref, bps);
}
