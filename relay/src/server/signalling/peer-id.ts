import { createHmac, randomBytes } from 'node:crypto';

// `<tag>-<suffix>`: both halves pass the peerjs client's id check
// (/^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/), which refuses dots and so `<account>.<random>`.
const peerIdPattern = /^([0-9a-f]{16})-([A-Za-z0-9]{1,64})$/;

/**
 * Peer ids bound to accounts without naming them: `<tag>-<suffix>`, where `tag` is 16 hex
 * digits of HMAC-SHA256(key, account) and `suffix` 1-64 ASCII letters or digits. Only the
 * account whose tag it is may register an id, so ownership needs no state and survives the
 * peer's disconnect. The tag, not the account name, is used because peers see each other's
 * ids and account names may be personal (`john.smith`); and because account names may
 * contain `.`, `-` and `_`, a readable prefix would be ambiguous (`a` vs `a.b`).
 */
export class PeerIds {
  private readonly key: Uint8Array;
  private readonly tags = new Map<string, string>();

  /** @param key HMAC key; default 32 random bytes (ids are then valid on this process only). */
  constructor(key?: Uint8Array) {
    this.key = key ?? randomBytes(32);
  }

  /** The account's tag: every id it may register starts with `<tag>-`. */
  tagOf(account: string): string {
    let tag = this.tags.get(account);
    if (tag === undefined) {
      tag = createHmac('sha256', this.key).update(account, 'utf8').digest('hex').slice(0, 16);
      // Accounts are few and long-lived; the cache is bounded by the accounts file.
      this.tags.set(account, tag);
    }
    return tag;
  }

  /** A fresh id for `account` (128 random bits in the suffix). */
  issue(account: string): string {
    return `${this.tagOf(account)}-${randomBytes(16).toString('hex')}`;
  }

  /** May `account` register `id`? `invalid` when `id` is not an id of this format at all. */
  check(id: string, account: string): 'ok' | 'invalid' | 'foreign' {
    const m = peerIdPattern.exec(id);
    if (!m) return 'invalid';
    return m[1] === this.tagOf(account) ? 'ok' : 'foreign';
  }
}
