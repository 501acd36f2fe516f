/** Who threw a kill switch, and when. */
export interface KillRecord {
  actor: string;
  sinceMs: number;
}

/**
 * Kill switches: one per account and one global (`'*'`). They are independent: releasing the
 * global switch leaves account switches thrown, so an operator's account-level decision is not
 * undone by an unrelated market-wide one.
 */
export class KillSwitch {
  private global: KillRecord | undefined;
  private readonly accounts = new Map<string, KillRecord>();

  /** Throws the switch of `scope` (an account or '*'); false if it was already thrown. */
  kill(scope: string, actor: string, nowMs: number): boolean {
    if (scope === '*') {
      if (this.global !== undefined) return false;
      this.global = { actor, sinceMs: nowMs };
      return true;
    }
    if (this.accounts.has(scope)) return false;
    this.accounts.set(scope, { actor, sinceMs: nowMs });
    return true;
  }

  /** Releases the switch of `scope`; false if it was not thrown. */
  unkill(scope: string): boolean {
    if (scope === '*') {
      const was = this.global !== undefined;
      this.global = undefined;
      return was;
    }
    return this.accounts.delete(scope);
  }

  /** True when the account may not send orders (its own switch or the global one). */
  isKilled(account: string): boolean {
    return this.global !== undefined || (this.accounts.size > 0 && this.accounts.has(account));
  }

  snapshot(): { global: KillRecord | null; accounts: Array<KillRecord & { account: string }> } {
    return {
      global: this.global === undefined ? null : { ...this.global },
      accounts: [...this.accounts].map(([account, r]) => ({ account, ...r })),
    };
  }
}
