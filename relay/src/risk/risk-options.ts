import { validateRiskLimits, type AccountRiskLimits } from '@tickmesh/shared';

/** Options of the relay's `RiskEngine`. Every field is optional; defaults are written out. */
export interface RiskOptions {
  /**
   * House limits for every account (with per-symbol overrides). Default: DEFAULT_RISK_LIMITS
   * from @tickmesh/shared (1,000,000 USD per order, 5% collar, ...).
   */
  limits?: AccountRiskLimits;
  /** Per-account limits on top of the house limits, by account id. Default none. */
  accounts?: Readonly<Record<string, AccountRiskLimits>>;
  /** New orders per second per account (token bucket; Infinity = off). Default 50. */
  ordersPerSecond?: number;
  /** Burst of new orders per account. Default 100 (2 s worth, as the session limiter). */
  orderBurst?: number;
  /** Replaces per second per account (Infinity = off). Default 100: quoting modifies more than it sends. */
  modifiesPerSecond?: number;
  /** Burst of replaces per account. Default 200. */
  modifyBurst?: number;
  /**
   * Window in which an order equal to an accepted one (same account, symbol, side, type,
   * price, qty) is refused as a duplicate. Default 0 = off: automated strategies legitimately
   * repeat orders, so a window is opt-in (e.g. 500 for manual desks against double clicks).
   */
  duplicateWindowMs?: number;
  /** Most (account, order) keys the duplicate filter remembers; oldest are dropped. Default 100,000. */
  maxDuplicateKeys?: number;
  /** A trade more than this percent away from any trade of the window halts the symbol. Default 5. Infinity = off. */
  breakerPct?: number;
  /** Length of the circuit breaker's sliding window, in trade time. Default 60,000 (60 s). */
  breakerWindowMs?: number;
  /** How long a breaker halt lasts before trading resumes by itself. Default 30,000 (30 s). */
  breakerCooloffMs?: number;
  /** Denials of one account within `denialAlertWindowMs` that raise RISK_ALERT_REPEATED_DENIALS. Default 20; 0 = off. */
  denialAlertThreshold?: number;
  /** Window of the repeated-denials alert; also the quiet period after one alert. Default 60,000. */
  denialAlertWindowMs?: number;
}

/** Options with every default applied. */
export type ResolvedRiskOptions = Required<Omit<RiskOptions, 'limits' | 'accounts'>> & {
  limits: AccountRiskLimits;
  accounts: Readonly<Record<string, AccountRiskLimits>>;
};

export const DEFAULT_RISK_OPTIONS: Readonly<ResolvedRiskOptions> = Object.freeze({
  limits: {},
  accounts: {},
  ordersPerSecond: 50,
  orderBurst: 100,
  modifiesPerSecond: 100,
  modifyBurst: 200,
  duplicateWindowMs: 0,
  maxDuplicateKeys: 100_000,
  breakerPct: 5,
  breakerWindowMs: 60_000,
  breakerCooloffMs: 30_000,
  denialAlertThreshold: 20,
  denialAlertWindowMs: 60_000,
});

/** Applies defaults and validates; throws RangeError on a bad option (a configuration bug). */
export function resolveRiskOptions(options: RiskOptions = {}): ResolvedRiskOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as RiskOptions;
  const o: ResolvedRiskOptions = { ...DEFAULT_RISK_OPTIONS, ...defined };
  const positive = (k: keyof ResolvedRiskOptions) => {
    const v = o[k] as number;
    if (!(v > 0)) throw new RangeError(`risk option ${k} must be positive, got ${v}`);
  };
  const nonNegativeInt = (k: keyof ResolvedRiskOptions) => {
    const v = o[k] as number;
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`risk option ${k} must be a non-negative integer, got ${v}`);
  };
  positive('ordersPerSecond');
  positive('orderBurst');
  positive('modifiesPerSecond');
  positive('modifyBurst');
  positive('breakerPct');
  nonNegativeInt('duplicateWindowMs');
  nonNegativeInt('maxDuplicateKeys');
  nonNegativeInt('breakerWindowMs');
  nonNegativeInt('breakerCooloffMs');
  nonNegativeInt('denialAlertThreshold');
  nonNegativeInt('denialAlertWindowMs');
  validateRiskLimits(o.limits, 'limits');
  for (const [account, l] of Object.entries(o.accounts)) validateRiskLimits(l, `accounts.${account}`);
  return o;
}
