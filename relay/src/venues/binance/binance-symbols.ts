import { ErrorCode, type Instrument } from '@tickmesh/shared';
import { toUnits, unitStep, type UnitStep } from '../live/exact-units';
import { splitSymbol, VenueStartError } from '../live/live-venue-config';
import type { ExchangeSymbol } from './binance-wire';

/** Binance's default spot fee: 0.1% maker and taker (10 bp = 1000 hundredths of a bp) before any discount. */
const DEFAULT_FEE_BPS_X100 = 1000;

/** One listed symbol, with everything its order entry and book sync need. */
export interface BinanceMarket {
  instrument: Instrument;
  /** Binance's name, e.g. BTCUSDT. */
  exchangeSymbol: string;
  price: UnitStep;
  size: UnitStep;
  /** Smallest price × quantity Binance accepts, in quote units × 1e-8 (0 = none). */
  minNotionalE8: number;
  orderTypes: readonly string[];
}

/** Canonical BTC-USDT -> BTCUSDT. */
export function toBinanceSymbol(symbol: string): string {
  return symbol.replace('-', '');
}

/**
 * The market of a canonical symbol from exchangeInfo, refused with a code when Binance does
 * not list it as TRADING or its filters do not give exact integer ticks and lots.
 */
export function binanceMarket(symbol: string, info: readonly ExchangeSymbol[]): BinanceMarket {
  const parts = splitSymbol(symbol);
  if (!parts) throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `binance: ${symbol} is not BASE-QUOTE`);
  const [base, quote] = parts;
  const exchangeSymbol = toBinanceSymbol(symbol);
  const s = info.find((x) => x.symbol === exchangeSymbol);
  // The pair must really be base/quote: "BTCUSDT" could in principle split another way.
  if (!s || s.baseAsset !== base || s.quoteAsset !== quote) throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `binance does not list ${symbol}`);
  if (s.status !== 'TRADING') throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `binance lists ${symbol} as ${s.status}, not TRADING`);
  const filter = (type: string) => s.filters.find((f) => f.filterType === type);
  const priceFilter = filter('PRICE_FILTER');
  const lotFilter = filter('LOT_SIZE');
  const price = priceFilter?.tickSize ? unitStep(priceFilter.tickSize) : undefined;
  const size = lotFilter?.stepSize ? unitStep(lotFilter.stepSize) : undefined;
  const unrepresentable = (why: string) => new VenueStartError(ErrorCode.VENUE_INSTRUMENT_UNREPRESENTABLE, `binance ${symbol}: ${why}`);
  if (!price) throw unrepresentable(`tick size ${JSON.stringify(priceFilter?.tickSize)} is not a positive decimal`);
  if (!size) throw unrepresentable(`step size ${JSON.stringify(lotFilter?.stepSize)} is not a positive decimal`);
  const minQty = toUnits(lotFilter!.minQty ?? '0', size);
  const maxQty = toUnits(lotFilter!.maxQty ?? '0', size);
  const maxPrice = toUnits(priceFilter!.maxPrice ?? '0', price);
  if (minQty === undefined || maxQty === undefined) throw unrepresentable(`min/max quantity ${lotFilter!.minQty}/${lotFilter!.maxQty} are not whole lots of ${size.step}`);
  if (maxPrice === undefined) throw unrepresentable(`max price ${priceFilter!.maxPrice} is not whole ticks of ${price.step}`);
  const notional = filter('NOTIONAL') ?? filter('MIN_NOTIONAL');
  const minNotionalE8 = notional?.minNotional ? toUnits(notional.minNotional, unitStep('0.00000001')!) : 0;
  if (minNotionalE8 === undefined) throw unrepresentable(`min notional ${notional?.minNotional} has more than 8 decimals`);
  return {
    instrument: {
      streamId: 0,
      symbol,
      venue: 'binance',
      base,
      quote,
      tickSize: price.step,
      lotSize: size.step,
      minQty: Math.max(1, minQty),
      maxQty: maxQty > 0 ? maxQty : Number.MAX_SAFE_INTEGER,
      makerFeeBpsX100: DEFAULT_FEE_BPS_X100,
      takerFeeBpsX100: DEFAULT_FEE_BPS_X100,
    },
    exchangeSymbol,
    price,
    size,
    minNotionalE8,
    orderTypes: s.orderTypes,
  };
}
