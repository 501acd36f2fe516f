import { resolveRiskLimits, validateRiskLimits, type AccountRiskLimits, type RiskLimits } from '@tickmesh/shared';

/**
 * House and per-account limits, resolved per (account, symbol) once and cached, so the order
 * path does two map lookups instead of merging layers. Changing a layer drops the cache it
 * affects.
 */
export class LimitsRegistry {
  private house: AccountRiskLimits;
  private readonly accounts: Map<string, AccountRiskLimits>;
  private readonly cache = new Map<string, Map<string, Readonly<RiskLimits>>>();

  constructor(house: AccountRiskLimits, accounts: Readonly<Record<string, AccountRiskLimits>>) {
    validateRiskLimits(house, 'limits');
    for (const [a, l] of Object.entries(accounts)) validateRiskLimits(l, `accounts.${a}`);
    this.house = house;
    this.accounts = new Map(Object.entries(accounts));
  }

  /** Effective limits of `account` in `symbol`: defaults < house < house symbol < account < account symbol. */
  get(account: string, symbol: string): Readonly<RiskLimits> {
    let bySymbol = this.cache.get(account);
    let l = bySymbol?.get(symbol);
    if (l !== undefined) return l;
    l = Object.freeze(resolveRiskLimits(symbol, [this.house, this.accounts.get(account)]));
    if (bySymbol === undefined) {
      bySymbol = new Map();
      this.cache.set(account, bySymbol);
    }
    bySymbol.set(symbol, l);
    return l;
  }

  /** Replaces the house layer. Throws RangeError on an invalid limit. */
  setHouse(limits: AccountRiskLimits): void {
    validateRiskLimits(limits, 'limits');
    this.house = limits;
    this.cache.clear();
  }

  /** Replaces (or with undefined removes) an account's layer. Throws RangeError on an invalid limit. */
  setAccount(account: string, limits: AccountRiskLimits | undefined): void {
    if (limits === undefined) this.accounts.delete(account);
    else {
      validateRiskLimits(limits, `accounts.${account}`);
      this.accounts.set(account, limits);
    }
    this.cache.delete(account);
  }

  snapshot(): { house: AccountRiskLimits; accounts: Record<string, AccountRiskLimits> } {
    return { house: this.house, accounts: Object.fromEntries(this.accounts) };
  }
}
