import { newLoginCode, sha256Hex } from './secret-hash';

/**
 * One-time login codes (like Jupyter's token URL): each names an account, expires, and is
 * gone after its first redemption, successful or not, so a code seen in a log or a shell
 * history is worthless once used. Kept in memory only: a restart voids every code. Codes are
 * keyed by their hash so the plain codes never sit in the heap after issuing.
 */
export class LoginCodes {
  private readonly codes = new Map<string, { account: string; expiresAtMs: number }>();

  constructor(private readonly now: () => number) {}

  /** A new code for `account`, valid for `ttlMs`. */
  issue(account: string, ttlMs: number): string {
    this.prune();
    const code = newLoginCode();
    this.codes.set(sha256Hex(code), { account, expiresAtMs: this.now() + ttlMs });
    return code;
  }

  /** The account of `code` when it is known, unused and unexpired; the code is spent either way. */
  redeem(code: string): string | undefined {
    const key = sha256Hex(code);
    const entry = this.codes.get(key);
    if (!entry) return undefined;
    this.codes.delete(key);
    return entry.expiresAtMs > this.now() ? entry.account : undefined;
  }

  get size(): number {
    return this.codes.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [k, v] of this.codes) if (v.expiresAtMs <= now) this.codes.delete(k);
  }
}
