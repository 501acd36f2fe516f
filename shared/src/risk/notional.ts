import { decimalPlaces, scaledInteger } from '../model/decimal';
import type { Instrument } from '../model/instrument';
import { mulDivCeil } from './exact-math';

/**
 * Largest notional `notional()` returns: Number.MAX_SAFE_INTEGER (2^53 - 1) units of 1e-8,
 * i.e. 90,071,992.54740991 of the quote currency (about 90 million USD on a USD-quoted
 * instrument). Every notional limit must be at most this.
 */
export const MAX_NOTIONAL = Number.MAX_SAFE_INTEGER;

/** Decimal places of the notional unit: notionals are integers of 1e-8 quote. */
export const NOTIONAL_DECIMALS = 8;

/** notional = ceil(price × qty × mul / div), with mul, div derived once per (tickSize, lotSize). */
interface NotionalScale {
  mul: number;
  div: number;
}

// Keyed by the decimal strings (not the instrument object) so a rebuilt instrument object hits
// the same entry; nested maps avoid building a key string per order. Steps come from venue
// instrument lists, so the cache stays tiny; the bound only guards against hostile input.
const MAX_CACHED = 1024;
const scales = new Map<string, Map<string, NotionalScale>>();
let cached = 0;

function scaleOf(tickSize: string, lotSize: string): NotionalScale {
  let byLot = scales.get(tickSize);
  let s = byLot?.get(lotSize);
  if (s !== undefined) return s;
  // tickSize = tN·10^-tp, lotSize = lN·10^-lp: one tick × one lot = tN·lN·10^-(tp+lp) quote,
  // = tN·lN·10^(8-tp-lp) notional units.
  const tp = decimalPlaces(tickSize);
  const lp = decimalPlaces(lotSize);
  const unit = scaledInteger(tickSize, tp) * scaledInteger(lotSize, lp);
  const exp = NOTIONAL_DECIMALS - tp - lp;
  s = exp >= 0 ? { mul: unit * 10 ** exp, div: 1 } : { mul: unit, div: 10 ** -exp };
  if (!Number.isSafeInteger(s.mul) || !Number.isSafeInteger(s.div) || s.mul <= 0) {
    throw new RangeError(`unsupported tick/lot size: ${tickSize} / ${lotSize}`);
  }
  if (cached >= MAX_CACHED) {
    scales.clear();
    cached = 0;
  }
  if (byLot === undefined) {
    byLot = new Map();
    scales.set(tickSize, byLot);
  }
  byLot.set(lotSize, s);
  cached++;
  return s;
}

/**
 * `notional()` without the throw: NaN when `price` or `qty` is not a non-negative safe integer
 * or the result is past MAX_NOTIONAL. Risk rules use it and compare with `!(n <= limit)` so an
 * out-of-range value is a denial (a business failure), not an exception.
 */
export function notionalOrNaN(inst: Pick<Instrument, 'tickSize' | 'lotSize'>, price: number, qty: number): number {
  if (!Number.isSafeInteger(price) || !Number.isSafeInteger(qty) || price < 0 || qty < 0) return Number.NaN;
  const s = scaleOf(inst.tickSize, inst.lotSize);
  const pq = price * qty;
  if (Number.isSafeInteger(pq)) {
    if (s.div === 1) {
      // Most instruments (tick and lot decimals summing to ≤ 8) end here: two exact multiplies.
      const n = pq * s.mul;
      return Number.isSafeInteger(n) ? n : Number.NaN;
    }
    return mulDivCeil(pq, s.mul, s.div);
  }
  // price × qty alone is past 2^53 but a tiny tick × lot may bring the value back into range.
  const d = BigInt(s.div);
  const q = (BigInt(price) * BigInt(qty) * BigInt(s.mul) + d - 1n) / d;
  return q <= BigInt(MAX_NOTIONAL) ? Number(q) : Number.NaN;
}

/**
 * Exact quote value of `qty` lots at `price` ticks, as an integer number of 1e-8 quote units:
 * price × tickSize × qty × lotSize × 1e8, computed on scaled integers (no float rounding).
 * When tickSize and lotSize together carry more than 8 decimals the value is rounded **up** to
 * the next unit, the conservative direction for limits.
 *
 * E.g. BTC-USD (tick "0.01", lot "0.0001"): 1 BTC (10,000 lots) at 50,000.00 (5,000,000 ticks)
 * = 50,000 USD = 5,000,000,000,000.
 *
 * @throws RangeError when price or qty is not a non-negative safe integer, or the result is
 *   past MAX_NOTIONAL (2^53 - 1 units ≈ 90.07 million quote).
 */
export function notional(inst: Pick<Instrument, 'tickSize' | 'lotSize'>, price: number, qty: number): number {
  const n = notionalOrNaN(inst, price, qty);
  if (Number.isNaN(n)) throw new RangeError(`notional out of range: ${qty} lots at ${price} ticks`);
  return n;
}
