import { MAX_NOTIONAL } from './notional';

/**
 * Pre-trade limits of one account in one symbol. Quantities are instrument lots, money is
 * quote-currency units of 1e-8 (the unit of `notional()`). Limits are in the instrument's own
 * quote currency: the defaults assume USD-like quotes, so a symbol quoted in something else
 * needs a per-symbol override. Every check passes at exactly the limit and fails one past it.
 */
export interface RiskLimits {
  /** Largest quantity of one order, lots. Default 1,000,000. */
  maxOrderQty: number;
  /**
   * Largest notional of one order, quote × 1e-8. Default 100,000,000,000,000 (1,000,000 quote,
   * e.g. 1 million USD). At most MAX_NOTIONAL.
   */
  maxNotional: number;
  /**
   * Fat-finger collar: a limit price more than this many basis points away from the reference
   * price (either side) is refused; market orders are bounded by the same band. Default 500
   * (5%).
   */
  priceCollarBps: number;
  /**
   * Largest absolute position in the symbol, lots, counting every open order on the order's
   * side as filled: long side position + openBuyQty + qty, short side
   * openSellQty + qty − position. Default 1,000,000.
   */
  maxPosition: number;
  /**
   * Largest buying commitment, quote × 1e-8, checked on buy orders only:
   * openBuyNotional + long position valued at the reference price + this order's notional.
   * Sells never consume credit (short exposure is bounded by maxPosition). Default
   * 500,000,000,000,000 (5,000,000 quote). At most MAX_NOTIONAL.
   */
  creditLimit: number;
  /** Largest number of open orders, counting the new one. Default 200. */
  maxOpenOrders: number;
}

/** The limits every account gets unless configured otherwise (values in `RiskLimits`' TSDoc). */
export const DEFAULT_RISK_LIMITS: Readonly<RiskLimits> = Object.freeze({
  maxOrderQty: 1_000_000,
  maxNotional: 100_000_000_000_000,
  priceCollarBps: 500,
  maxPosition: 1_000_000,
  creditLimit: 500_000_000_000_000,
  maxOpenOrders: 200,
});

/**
 * One layer of limit configuration (house-wide or one account): fields override the layer
 * below, `symbols[symbol]` overrides this layer's own fields for that symbol.
 */
export interface AccountRiskLimits extends Partial<RiskLimits> {
  symbols?: Readonly<Record<string, Partial<RiskLimits>>>;
}

const KEYS = Object.keys(DEFAULT_RISK_LIMITS) as (keyof RiskLimits)[];

/**
 * The effective limits of `symbol` under `layers`, applied in order on top of `base`
 * (default DEFAULT_RISK_LIMITS): for each layer its own fields, then its `symbols[symbol]`.
 * Undefined fields are skipped. The relay passes (house, account), so an account's symbol
 * override beats its account-wide value, which beats the house's symbol override.
 */
export function resolveRiskLimits(
  symbol: string,
  layers: readonly (AccountRiskLimits | undefined)[],
  base: Readonly<RiskLimits> = DEFAULT_RISK_LIMITS,
): RiskLimits {
  const out: RiskLimits = { ...base };
  for (const layer of layers) {
    if (layer === undefined) continue;
    assign(out, layer);
    const sym = layer.symbols?.[symbol];
    if (sym !== undefined) assign(out, sym);
  }
  return out;
}

function assign(out: RiskLimits, from: Partial<RiskLimits>): void {
  for (const k of KEYS) {
    const v = from[k];
    if (v !== undefined) out[k] = v;
  }
}

/**
 * Throws RangeError unless every given limit is a non-negative safe integer (and notional
 * limits are at most MAX_NOTIONAL). Configuration errors are broken invariants, caught at
 * start-up or at the admin API, never at order time. `where` names the layer in the message.
 */
export function validateRiskLimits(limits: AccountRiskLimits, where = 'limits'): void {
  const check = (l: Partial<RiskLimits>, at: string): void => {
    for (const k of KEYS) {
      const v = l[k];
      if (v === undefined) continue;
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${at}.${k} must be a non-negative integer, got ${v}`);
      if ((k === 'maxNotional' || k === 'creditLimit') && v > MAX_NOTIONAL) {
        throw new RangeError(`${at}.${k} must be at most ${MAX_NOTIONAL}`);
      }
    }
  };
  check(limits, where);
  for (const [sym, l] of Object.entries(limits.symbols ?? {})) check(l, `${where}.symbols.${sym}`);
}
