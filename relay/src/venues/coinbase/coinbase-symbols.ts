import { ErrorCode, type Instrument } from '@tickmesh/shared';
import { toUnits, unitStep, type UnitStep } from '../live/exact-units';
import { splitSymbol, VenueStartError } from '../live/live-venue-config';
import type { Product } from './coinbase-wire';

/**
 * Coinbase's public product metadata carries no fees (they depend on the account's 30-day
 * volume tier and need the authenticated transaction_summary endpoint): 0 maker / 0 taker
 * here, so our risk never invents a fee the venue did not state.
 */
const FEE_BPS_X100 = 0;

/** One listed product, with everything its book sync and order entry need. */
export interface CoinbaseMarket {
  instrument: Instrument;
  /** Coinbase's product id; the canonical symbol itself ("BTC-USD"). */
  productId: string;
  price: UnitStep;
  size: UnitStep;
}

/**
 * Canonical BTC-USD is Coinbase's product id as is. USDC and USDT are their own quote
 * currencies, never USD: a product is accepted only when Coinbase names exactly the base and
 * quote the symbol says.
 */
export function toProductId(symbol: string): string {
  return symbol;
}

/**
 * The market of a canonical symbol from its product, refused with a code when Coinbase does
 * not list it for trading or its increments do not give exact integer ticks and lots.
 */
export function coinbaseMarket(symbol: string, p: Product): CoinbaseMarket {
  const parts = splitSymbol(symbol);
  if (!parts) throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `coinbase: ${symbol} is not BASE-QUOTE`);
  const [base, quote] = parts;
  if (p.product_id !== symbol || p.base_currency_id !== base || p.quote_currency_id !== quote) {
    // e.g. asking for BTC-USDC and being answered with BTC-USD: a different instrument.
    throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `coinbase answered ${p.product_id} (${p.base_currency_id}/${p.quote_currency_id}) for ${symbol}`);
  }
  if (p.alias && p.alias !== p.product_id) {
    // Coinbase's docs: "-USDC" products' public channels carry the "-USD" data. USDC is not
    // USD here, so such a product has no market data of its own to show: refused.
    throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `coinbase publishes ${symbol}'s market data as ${p.alias}, a different instrument`);
  }
  if (p.status !== 'online' || p.trading_disabled || p.is_disabled) {
    throw new VenueStartError(ErrorCode.VENUE_UNLISTED_SYMBOL, `coinbase lists ${symbol} as ${p.status}${p.trading_disabled ? ', trading disabled' : ''}`);
  }
  const unrepresentable = (why: string) => new VenueStartError(ErrorCode.VENUE_INSTRUMENT_UNREPRESENTABLE, `coinbase ${symbol}: ${why}`);
  const price = unitStep(p.quote_increment);
  const size = unitStep(p.base_increment);
  if (!price) throw unrepresentable(`quote_increment ${JSON.stringify(p.quote_increment)} is not a positive decimal`);
  if (!size) throw unrepresentable(`base_increment ${JSON.stringify(p.base_increment)} is not a positive decimal`);
  const minQty = toUnits(p.base_min_size, size);
  const maxQty = toUnits(p.base_max_size, size);
  if (minQty === undefined) throw unrepresentable(`base_min_size ${p.base_min_size} is not whole lots of ${size.step}`);
  if (maxQty === undefined) throw unrepresentable(`base_max_size ${p.base_max_size} is not whole lots of ${size.step}`);
  if (maxQty > 0 && maxQty < minQty) throw unrepresentable(`base_max_size ${p.base_max_size} is below base_min_size ${p.base_min_size}`);
  return {
    instrument: {
      streamId: 0,
      symbol,
      venue: 'coinbase',
      base,
      quote,
      tickSize: price.step,
      lotSize: size.step,
      minQty: Math.max(1, minQty),
      maxQty: maxQty > 0 ? maxQty : Number.MAX_SAFE_INTEGER,
      makerFeeBpsX100: FEE_BPS_X100,
      takerFeeBpsX100: FEE_BPS_X100,
    },
    productId: p.product_id,
    price,
    size,
  };
}
