import { createSecretKey } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@tickmesh/shared';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthService } from './auth-service';
import { dataDirFiles } from './data-dir';
import { tokenAudience, tokenIssuer } from './jwt-tokens';
import { can } from './roles';

const posix = process.platform !== 'win32';
const modeOf = async (p: string) => (await stat(p)).mode & 0o777;

let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tickmesh-auth-'));
  dir = join(root, 'data');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The API keys credentials.txt holds, by account. */
async function credentials(): Promise<Record<string, string>> {
  const text = await readFile(join(dir, dataDirFiles.credentials), 'utf8');
  const entries = text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(/\s+/));
  return Object.fromEntries(entries.map(([account, , key]) => [account, key]));
}

async function signWith(secret: Uint8Array, claims: { sub?: string; role?: string; iss?: string; aud?: string; exp?: number }): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: claims.role ?? 'trader', auth_time: now - 10 })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub ?? 'demo')
    .setJti('t-1')
    .setIssuer(claims.iss ?? tokenIssuer)
    .setAudience(claims.aud ?? tokenAudience)
    .setIssuedAt(now - 10)
    .setExpirationTime(claims.exp ?? now + 60)
    .sign(createSecretKey(secret));
}

describe('AuthService.open', () => {
  it('first run creates the directory, secret, accounts and credentials with private modes', async () => {
    const { auth, firstRun, loginCode, credentialsFile } = await AuthService.open(dir);
    expect(firstRun).toBe(true);
    expect(loginCode).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(credentialsFile).toBe(join(dir, dataDirFiles.credentials));
    expect((await readdir(dir)).sort()).toEqual([dataDirFiles.accounts, dataDirFiles.credentials, dataDirFiles.secret].sort());
    expect((await readFile(join(dir, dataDirFiles.secret))).length).toBe(32);
    if (posix) {
      expect(await modeOf(dir)).toBe(0o700);
      for (const f of Object.values(dataDirFiles)) expect(await modeOf(join(dir, f))).toBe(0o600);
    }
    expect(auth.accounts().map((a) => [a.account, a.role, a.cancelOnDisconnect])).toEqual([
      ['demo', 'trader', false],
      ['admin', 'admin', false],
    ]);
  });

  it('stores API keys only as SHA-256 hashes and returns no secrets', async () => {
    const { auth } = await AuthService.open(dir);
    const keys = await credentials();
    expect(keys.demo).toMatch(/^tmk_[A-Za-z0-9_-]{43}$/);
    expect(keys.admin).toMatch(/^tmk_[A-Za-z0-9_-]{43}$/);
    expect(keys.demo).not.toBe(keys.admin);
    const accountsText = await readFile(join(dir, dataDirFiles.accounts), 'utf8');
    expect(accountsText).not.toContain(keys.demo);
    expect(accountsText).not.toContain(keys.demo.slice(4));
    expect(accountsText).not.toContain(keys.admin);
    expect(JSON.stringify(auth.accounts())).not.toMatch(/apiKey|[0-9a-f]{64}/);
  });

  it('a second open reuses secret and accounts: earlier tokens still verify, credentials are not rewritten', async () => {
    const first = await AuthService.open(dir);
    const keys = await credentials();
    const grant = await first.auth.issueToken(keys.demo);
    expect(grant.ok).toBe(true);
    if (!grant.ok) return;
    const secretBefore = await readFile(join(dir, dataDirFiles.secret));
    const credsBefore = await readFile(join(dir, dataDirFiles.credentials), 'utf8');

    const second = await AuthService.open(dir);
    expect(second.firstRun).toBe(false);
    expect(second.credentialsFile).toBeUndefined();
    expect(second.loginCode).toBeDefined();
    expect(second.loginCode).not.toBe(first.loginCode);
    expect(await readFile(join(dir, dataDirFiles.secret))).toEqual(secretBefore);
    expect(await readFile(join(dir, dataDirFiles.credentials), 'utf8')).toBe(credsBefore);

    const principal = await second.auth.verify(grant.value.token);
    expect(principal).toMatchObject({ ok: true, value: { account: 'demo', role: 'trader' } });
    expect((await second.auth.issueToken(keys.admin)).ok).toBe(true);
    // The login code of the first instance died with it.
    expect((await second.auth.redeemLoginCode(first.loginCode!)).ok).toBe(false);
  });

  it('two relays opening one fresh directory at once agree on one secret and one set of accounts', async () => {
    const [a, b] = await Promise.all([AuthService.open(dir), AuthService.open(dir)]);
    expect([a.firstRun, b.firstRun].sort()).toEqual([false, true]);
    const keys = await credentials();
    for (const [issuer, verifier] of [[a.auth, b.auth], [b.auth, a.auth]]) {
      const grant = await issuer.issueToken(keys.demo);
      expect(grant.ok).toBe(true);
      if (grant.ok) expect((await verifier.verify(grant.value.token)).ok).toBe(true);
    }
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a leftover credentials.txt without accounts is replaced on first run', async () => {
    await AuthService.open(dir);
    const stale = await credentials();
    await rm(join(dir, dataDirFiles.accounts));
    const again = await AuthService.open(dir);
    expect(again.firstRun).toBe(true);
    const fresh = await credentials();
    expect(fresh.demo).not.toBe(stale.demo);
    expect((await again.auth.issueToken(fresh.demo)).ok).toBe(true);
    const old = await again.auth.issueToken(stale.demo);
    expect(old.ok ? 'ok' : old.reason.code).toBe(ErrorCode.AUTH_INVALID_API_KEY);
  });

  it('refuses to start on a corrupt accounts file', async () => {
    await AuthService.open(dir);
    await writeFile(join(dir, dataDirFiles.accounts), '{"version":1,"accounts":[{"account":"x"}]}');
    await expect(AuthService.open(dir)).rejects.toThrow();
  });
});

describe('tokens', () => {
  it('an API key buys a token whose claims are right', async () => {
    const { auth } = await AuthService.open(dir, { tokenTtlSec: 120 });
    const keys = await credentials();
    const before = Date.now();
    const grant = await auth.issueToken(keys.demo);
    expect(grant).toMatchObject({ ok: true, value: { account: 'demo', role: 'trader' } });
    if (!grant.ok) return;
    expect(grant.value.expiresAtMs).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 120_000);
    expect(grant.value.expiresAtMs).toBeLessThanOrEqual(Date.now() + 120_000);
    const [header, payload] = grant.value.token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header.alg).toBe('HS256');
    expect(payload).toMatchObject({ sub: 'demo', role: 'trader', iss: 'tickmesh-relay', aud: 'tickmesh' });
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp - payload.iat).toBe(120);
    expect(payload.auth_time).toBe(payload.iat);
    const v = await auth.verify(grant.value.token);
    expect(v).toEqual({ ok: true, value: { account: 'demo', role: 'trader', tokenId: payload.jti, expiresAtMs: grant.value.expiresAtMs, authTimeMs: payload.iat * 1000 } });
  });

  it('unknown, empty and oversized API keys are AUTH_INVALID_API_KEY', async () => {
    const { auth } = await AuthService.open(dir);
    const keys = await credentials();
    for (const bad of ['tmk_nope', '', keys.demo + 'x', keys.demo.slice(0, -1), 'x'.repeat(10_000)]) {
      const r = await auth.issueToken(bad);
      expect(r.ok ? 'ok' : r.reason.code).toBe(ErrorCode.AUTH_INVALID_API_KEY);
    }
  });

  it('a login code works once, then AUTH_INVALID_LOGIN_CODE', async () => {
    const { auth, loginCode } = await AuthService.open(dir);
    const first = await auth.redeemLoginCode(loginCode!);
    expect(first).toMatchObject({ ok: true, value: { account: 'demo', role: 'trader' } });
    const again = await auth.redeemLoginCode(loginCode!);
    expect(again.ok ? 'ok' : again.reason.code).toBe(ErrorCode.AUTH_INVALID_LOGIN_CODE);
    const unknown = await auth.redeemLoginCode('AAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.ok ? 'ok' : unknown.reason.code).toBe(ErrorCode.AUTH_INVALID_LOGIN_CODE);
  });

  it('an expired login code is AUTH_INVALID_LOGIN_CODE', async () => {
    let now = Date.now();
    const { auth, loginCode } = await AuthService.open(dir, { loginCodeTtlSec: 600, now: () => now });
    now += 600_001;
    const r = await auth.redeemLoginCode(loginCode!);
    expect(r.ok ? 'ok' : r.reason.code).toBe(ErrorCode.AUTH_INVALID_LOGIN_CODE);
  });

  it('an expired token is AUTH_EXPIRED_TOKEN (minted by a clock in the past)', async () => {
    const past = await AuthService.open(dir, { tokenTtlSec: 1, now: () => Date.now() - 3_600_000 });
    const grant = await past.auth.redeemLoginCode(past.loginCode!);
    expect(grant.ok).toBe(true);
    if (!grant.ok) return;
    const { auth } = await AuthService.open(dir);
    const r = await auth.verify(grant.value.token);
    expect(r.ok ? 'ok' : r.reason.code).toBe(ErrorCode.AUTH_EXPIRED_TOKEN);
  });

  it('an expired token is AUTH_EXPIRED_TOKEN (signed with the real secret and a past exp)', async () => {
    const { auth } = await AuthService.open(dir);
    const secret = new Uint8Array(await readFile(join(dir, dataDirFiles.secret)));
    const token = await signWith(secret, { exp: Math.floor(Date.now() / 1000) - 5 });
    const r = await auth.verify(token);
    expect(r.ok ? 'ok' : r.reason.code).toBe(ErrorCode.AUTH_EXPIRED_TOKEN);
  });

  it('a forged signature is AUTH_INVALID_TOKEN, even when expired', async () => {
    const { auth } = await AuthService.open(dir);
    const other = new Uint8Array(32).fill(7);
    for (const exp of [undefined, Math.floor(Date.now() / 1000) - 5]) {
      const r = await auth.verify(await signWith(other, { exp }));
      expect(r.ok ? 'ok' : r.reason.code).toBe(ErrorCode.AUTH_INVALID_TOKEN);
    }
  });

  it('alg none, garbage, wrong issuer/audience, unknown role or account are AUTH_INVALID_TOKEN', async () => {
    const { auth } = await AuthService.open(dir);
    const secret = new Uint8Array(await readFile(join(dir, dataDirFiles.secret)));
    const now = Math.floor(Date.now() / 1000);
    const none = new UnsecuredJWT({ role: 'admin' }).setSubject('admin').setJti('x').setIssuer(tokenIssuer).setAudience(tokenAudience).setIssuedAt(now).setExpirationTime(now + 60).encode();
    const valid = await signWith(secret, {});
    const [h, p, s] = valid.split('.');
    const tampered = [h, Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), role: 'admin' })).toString('base64url'), s].join('.');
    const hs512 = await new SignJWT({ role: 'trader' }).setProtectedHeader({ alg: 'HS512' }).setSubject('demo').setJti('x').setIssuer(tokenIssuer).setAudience(tokenAudience).setIssuedAt(now).setExpirationTime(now + 60).sign(createSecretKey(new Uint8Array(64).fill(1)));
    const bad = [
      none,
      '',
      'garbage',
      'a.b.c',
      '..',
      'x'.repeat(5000),
      tampered,
      hs512,
      await signWith(secret, { iss: 'someone-else' }),
      await signWith(secret, { aud: 'other' }),
      await signWith(secret, { role: 'root' }),
      await signWith(secret, { sub: 'ghost' }),
      await signWith(secret, { sub: 'demo', role: 'admin' }),
    ];
    expect((await auth.verify(valid)).ok).toBe(true);
    for (const token of bad) {
      const r = await auth.verify(token);
      expect(r.ok ? `ok: ${token}` : r.reason.code).toBe(ErrorCode.AUTH_INVALID_TOKEN);
    }
  });
});

describe('refresh', () => {
  it('trades a valid token for a later one, keeping auth_time, until the session is maxSessionSec old', async () => {
    let now = Date.now();
    const { auth, loginCode } = await AuthService.open(dir, { tokenTtlSec: 900, maxSessionSec: 3600, now: () => now });
    const login = await auth.redeemLoginCode(loginCode!);
    if (!login.ok) throw new Error('no grant');
    const authTimeMs = Math.floor(now / 1000) * 1000;

    now += 800_000;
    const r1 = await auth.refresh(login.value.token);
    expect(r1).toMatchObject({ ok: true, value: { account: 'demo', role: 'trader' } });
    if (!r1.ok) return;
    expect(r1.value.expiresAtMs).toBeGreaterThan(login.value.expiresAtMs);
    expect(await auth.verify(r1.value.token)).toMatchObject({ ok: true, value: { authTimeMs } });

    // Chained refreshes never pass auth_time + maxSessionSec.
    let token = r1.value.token;
    let ended = false;
    for (let i = 0; i < 4 && !ended; i++) {
      now += 800_000;
      const r = await auth.refresh(token);
      if (!r.ok) {
        expect(r.reason.code).toBe(ErrorCode.AUTH_EXPIRED_TOKEN);
        ended = true;
        continue;
      }
      expect(r.value.expiresAtMs).toBeLessThanOrEqual(authTimeMs + 3_600_000);
      token = r.value.token;
    }
    expect(ended).toBe(true);
    expect(now - authTimeMs).toBeGreaterThan(3_600_000);
  });

  it('an expired or invalid token cannot be refreshed', async () => {
    let now = Date.now();
    const { auth, loginCode } = await AuthService.open(dir, { tokenTtlSec: 60, now: () => now });
    const login = await auth.redeemLoginCode(loginCode!);
    if (!login.ok) throw new Error('no grant');
    now += 61_000;
    const expired = await auth.refresh(login.value.token);
    expect(expired.ok ? 'ok' : expired.reason.code).toBe(ErrorCode.AUTH_EXPIRED_TOKEN);
    const garbage = await auth.refresh('garbage');
    expect(garbage.ok ? 'ok' : garbage.reason.code).toBe(ErrorCode.AUTH_INVALID_TOKEN);
  });
});

describe('roles and accounts', () => {
  it('viewer: market data only; trader: + trade; admin: everything', async () => {
    const { auth } = await AuthService.open(dir);
    const table = (['viewer', 'trader', 'admin'] as const).map((role) => [role, can({ role }, 'market-data'), can({ role }, 'trade'), can({ role }, 'admin')]);
    expect(table).toEqual([
      ['viewer', true, false, false],
      ['trader', true, true, false],
      ['admin', true, true, true],
    ]);
    expect(auth.can({ role: 'viewer' }, 'trade')).toBe(false);
  });

  it('createAccount returns a working key, persists atomically and survives reopen', async () => {
    const { auth } = await AuthService.open(dir);
    const { apiKey } = await auth.createAccount({ account: 'watcher', role: 'viewer' });
    const { apiKey: hedgeKey } = await auth.createAccount({ account: 'hedge-1', role: 'trader', cancelOnDisconnect: true });
    expect(auth.account('watcher')).toMatchObject({ account: 'watcher', role: 'viewer', cancelOnDisconnect: false });
    expect(auth.account('hedge-1')?.cancelOnDisconnect).toBe(true);
    const grant = await auth.issueToken(apiKey);
    expect(grant).toMatchObject({ ok: true, value: { account: 'watcher', role: 'viewer' } });

    // No temporary files left behind; the file on disk holds no plain key.
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const onDisk = await readFile(join(dir, dataDirFiles.accounts), 'utf8');
    expect(onDisk).not.toContain(apiKey);
    if (posix) expect(await modeOf(join(dir, dataDirFiles.accounts))).toBe(0o600);

    const reopened = (await AuthService.open(dir)).auth;
    expect(reopened.accounts().map((a) => a.account)).toEqual(['demo', 'admin', 'watcher', 'hedge-1']);
    expect((await reopened.issueToken(hedgeKey)).ok).toBe(true);
  });

  it('concurrent account changes are all persisted', async () => {
    const { auth } = await AuthService.open(dir);
    await Promise.all(Array.from({ length: 8 }, (_, i) => auth.createAccount({ account: `acct-${i}`, role: 'viewer' })));
    await auth.updateAccount('demo', { cancelOnDisconnect: true });
    const reopened = (await AuthService.open(dir)).auth;
    expect(reopened.accounts()).toHaveLength(10);
    expect(reopened.account('demo')?.cancelOnDisconnect).toBe(true);
  });

  it('createAccount throws on a bad or duplicate name; updateAccount on an unknown one is AUTH_UNKNOWN_ACCOUNT', async () => {
    const { auth } = await AuthService.open(dir);
    await expect(auth.createAccount({ account: 'demo', role: 'viewer' })).rejects.toThrow();
    await expect(auth.createAccount({ account: 'Bad Name', role: 'viewer' })).rejects.toThrow();
    await expect(auth.createAccount({ account: 'x', role: 'root' as never })).rejects.toThrow();
    const r = await auth.updateAccount('ghost', { cancelOnDisconnect: true });
    expect(r.ok ? 'ok' : r.reason.code).toBe(ErrorCode.AUTH_UNKNOWN_ACCOUNT);
    const code = auth.issueLoginCode('ghost');
    expect(code.ok ? 'ok' : code.reason.code).toBe(ErrorCode.AUTH_UNKNOWN_ACCOUNT);
  });

  it('a demotion voids the tokens issued under the old role', async () => {
    const { auth } = await AuthService.open(dir);
    const grant = await auth.issueToken((await credentials()).demo);
    if (!grant.ok) throw new Error('no grant');
    await auth.updateAccount('demo', { role: 'viewer' });
    const r = await auth.verify(grant.value.token);
    expect(r.ok ? 'ok' : r.reason.code).toBe(ErrorCode.AUTH_INVALID_TOKEN);
    const fresh = await auth.issueToken((await credentials()).demo);
    expect(fresh).toMatchObject({ ok: true, value: { role: 'viewer' } });
  });
});
