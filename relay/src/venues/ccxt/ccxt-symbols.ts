import { ErrorCode, type Instrument } from '@tickmesh/shared';
import { toUnits, unitStep, type UnitStep } from '../live/exact-units';
import { splitSymbol, VenueStartError } from '../live/live-venue-config';
import { CcxtPrecision, type CcxtMarketInfo } from './ccxt-wire';

/**
 * Significant decimal digits a float carries exactly: a decimal string of at most 15 of them
 * survives parseFloat -> String unchanged (IEEE 754 doubles hold 15.95 digits). ccxt keeps
 * books, trades and orders as floats, so a market whose prices or sizes need more digits
 * could not be told apart from its neighbours tick by tick: it is refused at start.
 */
const EXACT_DIGITS = 15;
/** Largest price assumed when the venue gives no max price: 10^9 quote units (9 integer digits). */
const ASSUMED_MAX_PRICE_DIGITS = 9;
/** Largest quantity assumed when the venue gives no max amount: 10^10 base units. */
const ASSUMED_MAX_AMOUNT_DIGITS = 10;

/** One ccxt market with what the feed and order entry need, in exact ticks and lots. */
export interface CcxtMarket {
  instrument: Instrument;
  /** ccxt's unified symbol, e.g. "BTC/USDT". */
  ccxtSymbol: string;
  price: UnitStep;
  size: UnitStep;
  /** Smallest price × quantity the venue accepts, in quote units × 1e-8 (0 = none known). */
  minNotionalE8: number;
}

/** Canonical BTC-USDT -> ccxt's unified spot symbol BTC/USDT. */
export function toCcxtSymbol(symbol: string): string {
  return symbol.replace('-', '/');
}

/**
 * A float as ccxt returns it -> the shortest decimal string that reads back as that float
 * (what the venue sent, when it sent at most 15 significant digits), never in exponent form.
 * Undefined for NaN, infinities and negatives.
 */
export function decimalOf(n: number): string | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const exp = Number(s.slice(e + 1));
  const mantissa = s.slice(0, e);
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot < 0 ? mantissa.length : dot) + exp;
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A float in whole steps, exactly, or undefined (off the grid, or beyond what a float holds). */
export function floatToUnits(n: number | undefined, step: UnitStep): number | undefined {
  if (n === undefined) return undefined;
  const d = decimalOf(n);
  return d === undefined ? undefined : toUnits(d, step);
}

/** ccxt's precision value -> the step as a decimal string ("0.01"), by its precision mode. */
function stepOf(precision: number | undefined, mode: number): string | undefined {
  if (precision === undefined || !Number.isFinite(precision) || precision <= 0 && mode !== CcxtPrecision.DECIMAL_PLACES) return undefined;
  if (mode === CcxtPrecision.TICK_SIZE) return decimalOf(precision);
  if (mode === CcxtPrecision.DECIMAL_PLACES) {
    if (!Number.isInteger(precision) || precision < 0 || precision > EXACT_DIGITS) return undefined;
    return precision === 0 ? '1' : `0.${'0'.repeat(precision - 1)}1`;
  }
  // SIGNIFICANT_DIGITS: the tick depends on the price; no fixed integer grid.
  return undefined;
}

const intDigits = (max: number | undefined, assumed: number) => (max !== undefined && Number.isFinite(max) && max > 0 ? Math.max(1, Math.floor(Math.log10(max)) + 1) : assumed);

/**
 * The market of a canonical symbol from ccxt's loaded markets (spot only), refused with a
 * code when the venue does not list it (VENUE_UNLISTED_SYMBOL), or when its tick and lot are
 * not fixed positive decimals, or its prices or sizes need more digits than a float keeps
 * exactly (VENUE_INSTRUMENT_UNREPRESENTABLE).
 */
export function ccxtMarket(venue: string, symbol: string, markets: Record<string, CcxtMarketInfo>, precisionMode: number): CcxtMarket {
  const parts = splitSymbol(symbol);
  if (!parts) throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `${venue}: ${symbol} is not BASE-QUOTE`);
  const ccxtSymbol = toCcxtSymbol(symbol);
  const m = markets[ccxtSymbol];
  // ccxt's unified base/quote must be ours: USDT is not USD, and a spot market only.
  if (!m || m.base !== parts[0] || m.quote !== parts[1] || (m.spot === false || (m.type !== undefined && m.type !== 'spot'))) {
    throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `${venue} does not list spot ${symbol}`);
  }
  if (m.active === false) throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `${venue} lists ${symbol} as inactive`);
  const unrepresentable = (why: string) => new VenueStartError(ErrorCode.VENUE_INSTRUMENT_UNREPRESENTABLE, `${venue} ${symbol}: ${why}`);
  if (precisionMode === CcxtPrecision.SIGNIFICANT_DIGITS) throw unrepresentable('precision in significant digits: the tick varies with the price, no fixed integer grid');
  const tick = stepOf(m.precision.price, precisionMode);
  const lot = stepOf(m.precision.amount, precisionMode);
  const price = tick ? unitStep(tick) : undefined;
  const size = lot ? unitStep(lot) : undefined;
  if (!price) throw unrepresentable(`price precision ${JSON.stringify(m.precision.price)} is not a positive decimal tick`);
  if (!size) throw unrepresentable(`amount precision ${JSON.stringify(m.precision.amount)} is not a positive decimal lot`);
  if (intDigits(m.limits.price?.max, ASSUMED_MAX_PRICE_DIGITS) + price.places > EXACT_DIGITS) throw unrepresentable(`prices at tick ${price.step} need more than ${EXACT_DIGITS} digits (ccxt keeps floats)`);
  if (intDigits(m.limits.amount?.max, ASSUMED_MAX_AMOUNT_DIGITS) + size.places > EXACT_DIGITS) throw unrepresentable(`sizes at lot ${size.step} need more than ${EXACT_DIGITS} digits (ccxt keeps floats)`);
  // Minimums off the grid are rounded up to the grid: the venue refuses less anyway.
  const minLots = m.limits.amount?.min ? Math.max(1, Math.ceil(m.limits.amount.min / Number(size.step) - 1e-9)) : 1;
  const maxLots = m.limits.amount?.max ? floatToUnits(m.limits.amount.max, size) ?? Math.floor(m.limits.amount.max / Number(size.step)) : Number.MAX_SAFE_INTEGER;
  const minCost = m.limits.cost?.min;
  const minNotionalE8 = minCost ? (floatToUnits(minCost, unitStep('0.00000001')!) ?? Math.ceil(minCost * 1e8)) : 0;
  const fee = (f: number | undefined) => (f !== undefined && Number.isFinite(f) ? Math.round(f * 1e6) : 1000); // 0.001 = 10 bp = 1000 hundredths
  return {
    instrument: {
      streamId: 0,
      symbol,
      venue,
      base: parts[0],
      quote: parts[1],
      tickSize: price.step,
      lotSize: size.step,
      minQty: minLots,
      maxQty: Number.isSafeInteger(maxLots) && maxLots > 0 ? maxLots : Number.MAX_SAFE_INTEGER,
      makerFeeBpsX100: fee(m.maker),
      takerFeeBpsX100: fee(m.taker),
    },
    ccxtSymbol,
    price,
    size,
    minNotionalE8,
  };
}
