import { stricterState, type TradingState } from '@tickmesh/shared';

/** Where a trading state applies. Absent account = every account; absent symbol = every symbol. */
export interface TradingStateScope {
  account?: string;
  symbol?: string;
}

/** One non-active state set by an operator. */
export interface TradingStateRecord extends TradingStateScope {
  state: Exclude<TradingState, 'active'>;
  actor: string;
  sinceMs: number;
}

const SEP = '\u0000';

/**
 * Operator-set trading states at four scopes: everything, an account, a symbol, an account in
 * a symbol. An order is governed by the stricter of all that apply (halted > reducing > active),
 * so no scope can loosen another: a reducing account stays reducing in an active symbol, and a
 * halted symbol stays halted for an active account. Only non-active states are stored, so the
 * common case (nothing set) costs one size check.
 */
export class TradingStateRegistry {
  private readonly entries = new Map<string, TradingStateRecord>();

  /** Sets the state of a scope; 'active' clears it. Returns the scope's previous state. */
  set(scope: TradingStateScope, state: TradingState, actor: string, nowMs: number): TradingState {
    const key = keyOf(scope.account, scope.symbol);
    const previous = this.entries.get(key)?.state ?? 'active';
    if (state === 'active') this.entries.delete(key);
    else {
      const record: TradingStateRecord = { state, actor, sinceMs: nowMs };
      if (scope.account !== undefined) record.account = scope.account;
      if (scope.symbol !== undefined) record.symbol = scope.symbol;
      this.entries.set(key, record);
    }
    return previous;
  }

  /** The state that governs `account`'s orders in `symbol`. */
  effective(account: string, symbol: string): TradingState {
    if (this.entries.size === 0) return 'active';
    let s: TradingState = 'active';
    for (const key of [keyOf(undefined, undefined), keyOf(account, undefined), keyOf(undefined, symbol), keyOf(account, symbol)]) {
      const e = this.entries.get(key);
      if (e !== undefined) s = stricterState(s, e.state);
    }
    return s;
  }

  snapshot(): TradingStateRecord[] {
    return [...this.entries.values()].map((r) => ({ ...r }));
  }
}

// A prefix per part keeps "account a, no symbol" apart from "no account, symbol a".
function keyOf(account: string | undefined, symbol: string | undefined): string {
  return (account === undefined ? '*' : `a${account}`) + SEP + (symbol === undefined ? '*' : `s${symbol}`);
}
