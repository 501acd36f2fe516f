import { ErrorCode, type Instrument } from '@tickmesh/shared';
import { toUnits, unitStep, type UnitStep } from '../live/exact-units';
import { splitSymbol, VenueStartError } from '../live/live-venue-config';
import type { AssetPair } from './kraken-wire';

/** Kraken's legacy asset ids (REST, v1) -> canonical names. v2 already uses BTC, DOGE, USD. */
const LEGACY_ASSETS: Record<string, string> = {
  XBT: 'BTC',
  XXBT: 'BTC',
  XDG: 'DOGE',
  XXDG: 'DOGE',
  XETH: 'ETH',
  XLTC: 'LTC',
  XXRP: 'XRP',
  XXLM: 'XLM',
  XETC: 'ETC',
  XXMR: 'XMR',
  XZEC: 'ZEC',
  XREP: 'REP',
  XMLN: 'MLN',
  ZUSD: 'USD',
  ZEUR: 'EUR',
  ZGBP: 'GBP',
  ZJPY: 'JPY',
  ZCAD: 'CAD',
  ZAUD: 'AUD',
  ZCHF: 'CHF',
};

/** The canonical asset of a Kraken asset id ("XXBT", "XBT", "BTC" -> "BTC"). */
export function canonicalAsset(asset: string): string {
  return LEGACY_ASSETS[asset] ?? asset;
}

/** Canonical "BTC-USD" (or legacy "XBT-USD") -> the v2 WebSocket name "BTC/USD". */
export function toKrakenSymbol(symbol: string): string {
  const parts = splitSymbol(symbol);
  if (!parts) return symbol;
  return `${canonicalAsset(parts[0])}/${canonicalAsset(parts[1])}`;
}

/** A v2 ("BTC/USD") or legacy ("XBT/USD") pair name -> canonical "BTC-USD"; undefined when not BASE/QUOTE. */
export function fromKrakenSymbol(name: string): string | undefined {
  const slash = name.indexOf('/');
  if (slash <= 0 || slash === name.length - 1) return undefined;
  return `${canonicalAsset(name.slice(0, slash))}-${canonicalAsset(name.slice(slash + 1))}`;
}

/** The REST name AssetPairs knows every pair by (altname, legacy XBT): "BTC-USD" -> "XBTUSD". */
export function toKrakenRestPair(symbol: string): string {
  const parts = splitSymbol(symbol);
  if (!parts) return symbol;
  const legacy = (a: string) => (a === 'BTC' ? 'XBT' : a === 'DOGE' ? 'XDG' : a);
  return legacy(canonicalAsset(parts[0])) + legacy(canonicalAsset(parts[1]));
}

/** The canonical symbol of an AssetPairs entry, from wsname or else base/quote ids. */
export function canonicalOfPair(pair: AssetPair): string {
  const fromWs = pair.wsname ? fromKrakenSymbol(pair.wsname) : undefined;
  return fromWs ?? `${canonicalAsset(pair.base)}-${canonicalAsset(pair.quote)}`;
}

/** One listed pair with everything its book sync and order entry need. */
export interface KrakenMarket {
  instrument: Instrument;
  /** v2 name, e.g. "BTC/USD". */
  wsSymbol: string;
  /** AssetPairs key, e.g. "XXBTZUSD" (REST order entry uses it). */
  restPair: string;
  price: UnitStep;
  size: UnitStep;
  /** Decimals the checksum writes prices and quantities with (pair_decimals, lot_decimals). */
  pricePrecision: number;
  qtyPrecision: number;
}

/** Percent (0.26) -> hundredths of a basis point (2600), from the first (default) fee tier. */
function feeBpsX100(schedule: [number, number][] | undefined): number | undefined {
  const pct = schedule?.[0]?.[1];
  return typeof pct === 'number' && Number.isFinite(pct) ? Math.round(pct * 10_000) : undefined;
}

/**
 * The market of a canonical symbol from the AssetPairs result, refused with a code when Kraken
 * does not list it (VENUE_UNLISTED_SYMBOL) or its tick, lot or minimum do not give exact integer
 * ticks and lots, or cannot be written with the pair's precision (VENUE_INSTRUMENT_UNREPRESENTABLE).
 */
export function krakenMarket(symbol: string, pairs: Record<string, AssetPair>): KrakenMarket {
  const parts = splitSymbol(symbol);
  if (!parts) throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `kraken: ${symbol} is not BASE-QUOTE`);
  const canonical = `${canonicalAsset(parts[0])}-${canonicalAsset(parts[1])}`;
  const entry = Object.entries(pairs).find(([, p]) => canonicalOfPair(p) === canonical);
  if (!entry) throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `kraken does not list ${symbol}`);
  const [restPair, p] = entry;
  if (p.status === 'delisted') throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `kraken lists ${symbol} as delisted`);
  const unrepresentable = (why: string) => new VenueStartError(ErrorCode.VENUE_INSTRUMENT_UNREPRESENTABLE, `kraken ${symbol}: ${why}`);
  const precisionOk = (n: number) => Number.isInteger(n) && n >= 0 && n <= 15;
  if (!precisionOk(p.pair_decimals) || !precisionOk(p.lot_decimals)) throw unrepresentable(`precisions ${p.pair_decimals}/${p.lot_decimals} out of range`);
  const tick = p.tick_size ?? decimalStep(p.pair_decimals);
  const price = unitStep(tick);
  const size = unitStep(decimalStep(p.lot_decimals));
  if (!price) throw unrepresentable(`tick size ${JSON.stringify(p.tick_size)} is not a positive decimal`);
  if (!size) throw unrepresentable(`lot decimals ${p.lot_decimals} do not give a lot size`);
  // The checksum writes prices with pair_decimals digits: a tick finer than that cannot be written.
  if (price.places > p.pair_decimals) throw unrepresentable(`tick ${tick} is finer than the price precision ${p.pair_decimals}`);
  const minQty = p.ordermin === undefined ? 1 : toUnits(p.ordermin, size);
  if (minQty === undefined) throw unrepresentable(`ordermin ${p.ordermin} is not whole lots of ${size.step}`);
  const taker = feeBpsX100(p.fees) ?? 0;
  const maker = feeBpsX100(p.fees_maker) ?? taker;
  const [base, quote] = canonical.split('-') as [string, string];
  return {
    instrument: {
      streamId: 0,
      symbol: canonical,
      venue: 'kraken',
      base,
      quote,
      tickSize: price.step,
      lotSize: size.step,
      minQty: Math.max(1, minQty),
      maxQty: Number.MAX_SAFE_INTEGER,
      makerFeeBpsX100: maker,
      takerFeeBpsX100: taker,
    },
    wsSymbol: `${base}/${quote}`,
    restPair,
    price,
    size,
    pricePrecision: p.pair_decimals,
    qtyPrecision: p.lot_decimals,
  };
}

/** 3 -> "0.001", 0 -> "1". */
function decimalStep(decimals: number): string {
  return decimals === 0 ? '1' : `0.${'0'.repeat(decimals - 1)}1`;
}
