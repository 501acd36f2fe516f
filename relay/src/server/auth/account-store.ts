import { readFile } from 'node:fs/promises';
import { writeFileAtomic, writeFileExclusive } from './atomic-write';
import { isRole, type Role } from './roles';
import { digestsEqual, sha256Hex } from './secret-hash';

/** An account as others may see it: no secrets. */
export interface AccountInfo {
  /** Account name: 1-64 of a-z 0-9 . _ -, starting with a letter or digit. */
  account: string;
  role: Role;
  /** Cancel the account's working orders when its last session disconnects (the OMS reads it). Default false. */
  cancelOnDisconnect: boolean;
  /** When the account was created, ms since the epoch. */
  createdAtMs: number;
}

/** One line of accounts.json: the public fields plus the SHA-256 of the API key. */
interface AccountRecord extends AccountInfo {
  apiKeySha256: string;
}

interface AccountsFile {
  version: 1;
  accounts: AccountRecord[];
}

const accountName = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** True when `name` is an acceptable account name. */
export function isAccountName(name: unknown): name is string {
  return typeof name === 'string' && accountName.test(name);
}

/**
 * The accounts file (accounts.json, mode 0600) and its in-memory copy. The file is read
 * once at open; every change is applied in memory first and then written atomically, one
 * write at a time in call order, so concurrent changes never lose each other.
 */
export class AccountStore {
  private readonly byName = new Map<string, AccountRecord>();
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    records: AccountRecord[],
  ) {
    for (const r of records) this.byName.set(r.account, r);
  }

  /** Reads an existing accounts file. Throws when it is missing or corrupt: an operator must look. */
  static async load(file: string): Promise<AccountStore> {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return new AccountStore(file, parseAccountsFile(parsed, file));
  }

  /**
   * Creates the accounts file with `records` (their API keys are hashed here), unless it
   * already exists: then resolves undefined and writes nothing (another process won).
   */
  static async createExclusive(file: string, records: { info: AccountInfo; apiKey: string }[]): Promise<AccountStore | undefined> {
    const store = new AccountStore(file, records.map(({ info, apiKey }) => ({ ...info, apiKeySha256: sha256Hex(apiKey) })));
    return (await writeFileExclusive(file, store.serialize(), 0o600)) ? store : undefined;
  }

  list(): AccountInfo[] {
    return [...this.byName.values()].map(publicInfo);
  }

  get(name: string): AccountInfo | undefined {
    const r = this.byName.get(name);
    return r && publicInfo(r);
  }

  /**
   * The account whose API key is `apiKey`, or undefined. Compares the key's hash with every
   * stored hash in constant time and without stopping at a match, so timing reveals neither
   * which account matched nor how much of a hash did.
   */
  findByApiKey(apiKey: string): AccountInfo | undefined {
    const digest = sha256Hex(apiKey);
    let found: AccountRecord | undefined;
    for (const r of this.byName.values()) {
      if (digestsEqual(digest, r.apiKeySha256)) found = r;
    }
    return found && publicInfo(found);
  }

  /** Adds an account. Throws on a duplicate name: callers check `get` first. */
  async add(info: AccountInfo, apiKey: string): Promise<void> {
    if (this.byName.has(info.account)) throw new Error(`account ${info.account} exists`);
    this.byName.set(info.account, { ...info, apiKeySha256: sha256Hex(apiKey) });
    await this.persist();
  }

  /** Changes the role and/or cancel-on-disconnect flag. Undefined when there is no such account. */
  async update(name: string, patch: { role?: Role; cancelOnDisconnect?: boolean }): Promise<AccountInfo | undefined> {
    const r = this.byName.get(name);
    if (!r) return undefined;
    const next: AccountRecord = { ...r, role: patch.role ?? r.role, cancelOnDisconnect: patch.cancelOnDisconnect ?? r.cancelOnDisconnect };
    this.byName.set(name, next);
    await this.persist();
    return publicInfo(next);
  }

  private serialize(): string {
    const body: AccountsFile = { version: 1, accounts: [...this.byName.values()] };
    return JSON.stringify(body, null, 2) + '\n';
  }

  private persist(): Promise<void> {
    // Snapshot now (the caller's change is already in memory), write after earlier writes.
    const text = this.serialize();
    const write = this.writes.then(() => writeFileAtomic(this.file, text, 0o600));
    this.writes = write.catch(() => undefined);
    return write;
  }
}

function publicInfo(r: AccountRecord): AccountInfo {
  return { account: r.account, role: r.role, cancelOnDisconnect: r.cancelOnDisconnect, createdAtMs: r.createdAtMs };
}

function parseAccountsFile(value: unknown, file: string): AccountRecord[] {
  const bad = (why: string): never => {
    throw new Error(`corrupt accounts file ${file}: ${why}`);
  };
  if (typeof value !== 'object' || value === null) return bad('not an object');
  const v = value as Partial<AccountsFile>;
  if (v.version !== 1) return bad(`unknown version ${String(v.version)}`);
  if (!Array.isArray(v.accounts)) return bad('no accounts array');
  const seen = new Set<string>();
  return v.accounts.map((a: Partial<AccountRecord>, i) => {
    if (!isAccountName(a.account) || seen.has(a.account)) return bad(`account #${i}: bad or duplicate name`);
    if (!isRole(a.role)) return bad(`account ${a.account}: bad role`);
    if (typeof a.apiKeySha256 !== 'string' || !/^[0-9a-f]{64}$/.test(a.apiKeySha256)) return bad(`account ${a.account}: bad key hash`);
    seen.add(a.account);
    return {
      account: a.account,
      role: a.role,
      apiKeySha256: a.apiKeySha256,
      cancelOnDisconnect: a.cancelOnDisconnect === true,
      createdAtMs: typeof a.createdAtMs === 'number' ? a.createdAtMs : 0,
    };
  });
}
