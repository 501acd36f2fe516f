import { createHmac } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, fail, ok, type Result } from '@tickmesh/shared';
import { AccountStore, isAccountName, type AccountInfo } from './account-store';
import { defaultAuthOptions, type AuthOptions } from './auth-options';
import { dataDirFiles, ensureDataDir, loadOrCreateSecret, writeCredentialsFile } from './data-dir';
import { JwtTokens } from './jwt-tokens';
import { LoginCodes } from './login-codes';
import type { Principal, TokenGrant } from './principal';
import { can, isRole, type AuthAction, type Role } from './roles';
import { newApiKey } from './secret-hash';

/** The trader account created on first run; each start issues a login code for it. */
export const demoAccount = 'demo';
/** The admin account created on first run. */
export const adminAccount = 'admin';

// API keys are 48 characters; anything much longer is not one of ours and is not worth hashing.
const maxApiKeyLength = 256;
const maxLoginCodeLength = 256;

/** What `AuthService.open` hands back. */
export interface OpenedAuth {
  auth: AuthService;
  /** True when this open created the accounts (and wrote credentials.txt). */
  firstRun: boolean;
  /** A fresh one-time login code for the demo trader, for `http://host:port/?login=<code>`. */
  loginCode?: string;
  /** Path of credentials.txt when this open wrote it (first run only). */
  credentialsFile?: string;
}

/**
 * Accounts, roles and tokens of one relay. Accounts live in a data directory (see
 * data-dir.ts for its layout); access is by short-lived HS256 JWTs obtained either with an
 * account's API key or with a one-time login code. Nothing is reachable without one of the
 * two: there are no default passwords and no anonymous trading.
 */
export class AuthService {
  private constructor(
    /** The data directory this service reads and writes. */
    readonly dataDir: string,
    /** The options in force, defaults filled in. */
    readonly options: AuthOptions,
    private readonly store: AccountStore,
    private readonly tokens: JwtTokens,
    private readonly codes: LoginCodes,
    private readonly secret: Uint8Array,
  ) {}

  /**
   * A key for `purpose` derived from the signing secret (HMAC-SHA256): the same on every relay
   * sharing this auth directory (a cluster), and never the token key itself.
   */
  deriveKey(purpose: string): Uint8Array {
    return new Uint8Array(createHmac('sha256', this.secret).update(`tickmesh:${purpose}`, 'utf8').digest());
  }

  /**
   * Opens (on first run: creates) the data directory `dataDir` and returns the service with
   * a fresh one-time login code for the demo trader. First run creates the directory (0700),
   * a random 32-byte signing secret (0600), accounts.json (0600) with `demo` (trader) and
   * `admin` (admin), each with a random API key stored only as its SHA-256, and
   * credentials.txt (0600) holding the plain keys once. Later opens reuse all of it, so
   * tokens issued before a restart stay valid until they expire.
   *
   * Throws when the directory is unusable or accounts.json is corrupt (an operator must look).
   *
   * @param options partial {@link AuthOptions}; unset fields take {@link defaultAuthOptions}.
   */
  static async open(dataDir: string, options: Partial<AuthOptions> = {}): Promise<OpenedAuth> {
    const opts: AuthOptions = { ...defaultAuthOptions, ...definedOnly(options) };
    await ensureDataDir(dataDir);
    const secret = await loadOrCreateSecret(dataDir);
    const accountsFile = join(dataDir, dataDirFiles.accounts);
    let store = await loadIfPresent(accountsFile);
    let credentialsFile: string | undefined;
    let firstRun = false;
    if (!store) {
      const now = opts.now();
      const seed = [
        { info: { account: demoAccount, role: 'trader' as Role, cancelOnDisconnect: false, createdAtMs: now }, apiKey: newApiKey() },
        { info: { account: adminAccount, role: 'admin' as Role, cancelOnDisconnect: false, createdAtMs: now }, apiKey: newApiKey() },
      ];
      store = await AccountStore.createExclusive(accountsFile, seed);
      if (store) {
        firstRun = true;
        const entries = seed.map((s) => ({ account: s.info.account, role: s.info.role, apiKey: s.apiKey }));
        try {
          credentialsFile = await writeCredentialsFile(dataDir, entries, now);
        } catch (err) {
          // Accounts whose keys nobody was told are no use: undo, so the next start retries.
          await rm(accountsFile, { force: true });
          throw err;
        }
      } else {
        // Another relay on the same directory created the accounts first: use theirs.
        store = await AccountStore.load(accountsFile);
      }
    }
    const auth = new AuthService(dataDir, opts, store, new JwtTokens(secret, opts.now), new LoginCodes(opts.now), secret);
    const code = auth.issueLoginCode(demoAccount);
    return { auth, firstRun, loginCode: code.ok ? code.value : undefined, credentialsFile };
  }

  /** Exchanges an API key for a token. AUTH_INVALID_API_KEY when no account has that key. */
  async issueToken(apiKey: string): Promise<Result<TokenGrant>> {
    const found = typeof apiKey === 'string' && apiKey.length <= maxApiKeyLength ? this.store.findByApiKey(apiKey) : undefined;
    if (!found) return fail(ErrorCode.AUTH_INVALID_API_KEY, 'unknown API key');
    return ok(await this.grant(found));
  }

  /**
   * Issues a one-time login code for `account`, valid `options.loginCodeTtlSec` (default
   * 600 s). AUTH_UNKNOWN_ACCOUNT when there is no such account.
   */
  issueLoginCode(account: string): Result<string> {
    if (!this.store.get(account)) return fail(ErrorCode.AUTH_UNKNOWN_ACCOUNT, `no account ${account}`);
    return ok(this.codes.issue(account, this.options.loginCodeTtlSec * 1000));
  }

  /** Spends a one-time login code for a token. AUTH_INVALID_LOGIN_CODE if unknown, used or expired. */
  async redeemLoginCode(code: string): Promise<Result<TokenGrant>> {
    const name = typeof code === 'string' && code.length <= maxLoginCodeLength ? this.codes.redeem(code) : undefined;
    const found = name === undefined ? undefined : this.store.get(name);
    if (!found) return fail(ErrorCode.AUTH_INVALID_LOGIN_CODE, 'unknown, used or expired login code');
    return ok(await this.grant(found));
  }

  /**
   * Verifies a token. AUTH_EXPIRED_TOKEN when it is genuine but expired; AUTH_INVALID_TOKEN
   * for a bad signature, a malformed token, a wrong issuer or audience, another algorithm,
   * or an account that no longer exists or no longer has the token's role (so a demotion
   * takes effect at once rather than when the token expires).
   */
  async verify(token: string): Promise<Result<Principal>> {
    const r = await this.tokens.verify(token);
    if (!r.ok) return r;
    const current = this.store.get(r.value.account);
    if (!current || current.role !== r.value.role) return fail(ErrorCode.AUTH_INVALID_TOKEN, 'account or role changed');
    return r;
  }

  /**
   * Trades a valid token for a fresh one (same account, current role), so a browser that
   * logged in with a one-time code stays logged in while it is open. The login's age
   * (`auth_time`) is carried over: no token outlives `options.maxSessionSec` (default 12 h)
   * after the credential was presented. Fails like `verify`; AUTH_EXPIRED_TOKEN once the
   * session is that old.
   */
  async refresh(token: string): Promise<Result<TokenGrant>> {
    const r = await this.verify(token);
    if (!r.ok) return r;
    const authTimeSec = r.value.authTimeMs / 1000;
    const notAfterSec = authTimeSec + this.options.maxSessionSec;
    if (notAfterSec <= Math.floor(this.options.now() / 1000)) return fail(ErrorCode.AUTH_EXPIRED_TOKEN, 'session too old: present an API key or login code');
    const info = this.store.get(r.value.account)!;
    return ok(await this.grant(info, authTimeSec, notAfterSec));
  }

  /** May `principal` do `action`? (viewer: market data; trader: + trade; admin: everything.) */
  can(principal: { role: Role }, action: AuthAction): boolean {
    return can(principal, action);
  }

  /**
   * Creates an account and returns its API key: the only time the plain key exists; only
   * its SHA-256 is stored. `cancelOnDisconnect` defaults to false.
   *
   * Throws on an invalid name (1-64 of a-z 0-9 . _ -), an unknown role or an existing
   * account: these are caller bugs, and an admin route checks them before calling.
   */
  async createAccount(spec: { account: string; role: Role; cancelOnDisconnect?: boolean }): Promise<{ apiKey: string }> {
    if (!isAccountName(spec.account)) throw new RangeError(`invalid account name ${JSON.stringify(spec.account)}`);
    if (!isRole(spec.role)) throw new RangeError(`invalid role ${JSON.stringify(spec.role)}`);
    const apiKey = newApiKey();
    await this.store.add(
      { account: spec.account, role: spec.role, cancelOnDisconnect: spec.cancelOnDisconnect ?? false, createdAtMs: this.options.now() },
      apiKey,
    );
    return { apiKey };
  }

  /** Changes an account's role and/or cancel-on-disconnect flag; persisted atomically. */
  async updateAccount(account: string, patch: { role?: Role; cancelOnDisconnect?: boolean }): Promise<Result<AccountInfo>> {
    if (patch.role !== undefined && !isRole(patch.role)) throw new RangeError(`invalid role ${JSON.stringify(patch.role)}`);
    const info = await this.store.update(account, patch);
    return info ? ok(info) : fail(ErrorCode.AUTH_UNKNOWN_ACCOUNT, `no account ${account}`);
  }

  /** Every account, without secrets. */
  accounts(): AccountInfo[] {
    return this.store.list();
  }

  /** One account without secrets, or undefined. */
  account(name: string): AccountInfo | undefined {
    return this.store.get(name);
  }

  private async grant(info: AccountInfo, authTimeSec?: number, notAfterSec?: number): Promise<TokenGrant> {
    const t = await this.tokens.sign(info.account, info.role, this.options.tokenTtlSec, authTimeSec, notAfterSec);
    return { token: t.token, expiresAtMs: t.expiresAtMs, account: info.account, role: info.role };
  }
}

async function loadIfPresent(file: string): Promise<AccountStore | undefined> {
  try {
    return await AccountStore.load(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
