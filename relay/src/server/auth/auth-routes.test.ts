import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@tickmesh/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpStatusOf } from './auth-http-status';
import { attemptKey, createAuthRoutes } from './auth-routes';
import { AuthService } from './auth-service';
import type { AuthOptions } from './auth-options';
import { dataDirFiles } from './data-dir';
import { replyFailure, replyJson } from './http-reply';
import { requirePrincipal } from './require-principal';

let root: string;
let server: Server | undefined;
let base: string;
let auth: AuthService;
let loginCode: string;
let keys: Record<string, string>;

/** Starts a real HTTP server with the auth routes and a trade-gated test route mounted. */
async function start(options: Partial<AuthOptions> = {}): Promise<void> {
  const opened = await AuthService.open(join(root, 'data'), options);
  auth = opened.auth;
  loginCode = opened.loginCode!;
  const text = await readFile(join(root, 'data', dataDirFiles.credentials), 'utf8');
  keys = Object.fromEntries(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/)).map(([a, , k]) => [a, k]));
  const routes = createAuthRoutes(auth);
  server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (await routes(req, res, path)) return;
    if (path === '/api/orders') {
      const p = await requirePrincipal(auth, req, 'trade');
      return p.ok ? replyJson(res, 200, { account: p.value.account }) : replyFailure(res, p.reason);
    }
    replyJson(res, 404, { code: 'NOT_FOUND' });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tickmesh-auth-routes-'));
});
afterEach(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
  }
  await rm(root, { recursive: true, force: true });
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('auth routes', () => {
  it('POST /api/auth/token exchanges an API key for a token; GET /api/auth/me returns its principal', async () => {
    await start();
    const res = await post('/api/auth/token', { apiKey: keys.demo });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const grant = await res.json();
    expect(grant).toMatchObject({ account: 'demo', role: 'trader' });
    expect(typeof grant.token).toBe('string');
    expect(grant.expiresAt).toBeGreaterThan(Date.now());

    const me = await fetch(`${base}/api/auth/me`, { headers: bearer(grant.token) });
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    expect(await me.json()).toMatchObject({ account: 'demo', role: 'trader', expiresAtMs: grant.expiresAt });
  });

  it('POST /api/auth/refresh returns a fresh grant for a valid token, 401 without one', async () => {
    await start();
    const grant = await (await post('/api/auth/login', { code: loginCode })).json();
    const res = await fetch(`${base}/api/auth/refresh`, { method: 'POST', headers: bearer(grant.token) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const fresh = await res.json();
    expect(fresh).toMatchObject({ account: 'demo', role: 'trader' });
    expect(fresh.token).not.toBe(grant.token);
    const anon = await fetch(`${base}/api/auth/refresh`, { method: 'POST' });
    expect(anon.status).toBe(401);
    expect((await anon.json()).code).toBe(ErrorCode.AUTH_REQUIRED);
    const bad = await fetch(`${base}/api/auth/refresh`, { method: 'POST', headers: bearer('x.y.z') });
    expect(bad.status).toBe(401);
    expect((await bad.json()).code).toBe(ErrorCode.AUTH_INVALID_TOKEN);
  });

  it('a bad API key is 401 AUTH_INVALID_API_KEY', async () => {
    await start();
    const res = await post('/api/auth/token', { apiKey: 'tmk_wrong' });
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe(ErrorCode.AUTH_INVALID_API_KEY);
  });

  it('POST /api/auth/login redeems the login code once', async () => {
    await start();
    const first = await post('/api/auth/login', { code: loginCode });
    expect(first.status).toBe(200);
    const grant = await first.json();
    expect(grant).toMatchObject({ account: 'demo', role: 'trader' });
    const second = await post('/api/auth/login', { code: loginCode });
    expect(second.status).toBe(401);
    expect((await second.json()).code).toBe(ErrorCode.AUTH_INVALID_LOGIN_CODE);
    // The token from the code is a real one.
    expect((await fetch(`${base}/api/auth/me`, { headers: bearer(grant.token) })).status).toBe(200);
  });

  it('GET /api/auth/me: 401 AUTH_REQUIRED without a token, AUTH_INVALID_TOKEN / AUTH_EXPIRED_TOKEN for bad ones', async () => {
    await start();
    const none = await fetch(`${base}/api/auth/me`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect((await none.json()).code).toBe(ErrorCode.AUTH_REQUIRED);

    const garbage = await fetch(`${base}/api/auth/me`, { headers: bearer('not.a.token') });
    expect(garbage.status).toBe(401);
    expect((await garbage.json()).code).toBe(ErrorCode.AUTH_INVALID_TOKEN);

    // A token minted by an instance whose clock is an hour behind has expired by now.
    const past = await AuthService.open(join(root, 'data'), { tokenTtlSec: 1, now: () => Date.now() - 3_600_000 });
    const old = await past.auth.issueToken(keys.demo);
    if (!old.ok) throw new Error('no grant');
    const expired = await fetch(`${base}/api/auth/me`, { headers: bearer(old.value.token) });
    expect(expired.status).toBe(401);
    expect((await expired.json()).code).toBe(ErrorCode.AUTH_EXPIRED_TOKEN);
  });

  it('malformed JSON, wrong content type and missing fields are 400', async () => {
    await start();
    const broken = await post('/api/auth/token', '{"apiKey":');
    expect(broken.status).toBe(400);
    expect((await broken.json()).code).toBe(ErrorCode.CODEC_MALFORMED);

    const form = await post('/api/auth/token', JSON.stringify({ apiKey: keys.demo }), { 'content-type': 'text/plain' });
    expect(form.status).toBe(400);
    expect((await form.json()).code).toBe(ErrorCode.CODEC_MALFORMED);

    for (const body of [{}, { apiKey: 42 }, [], 'null', { apiKey: '' }]) {
      const r = await post('/api/auth/token', body);
      expect(r.status).toBe(400);
      expect((await r.json()).code).toBe(ErrorCode.CODEC_INVALID_FIELD);
    }
  });

  it('a body over 4 KiB is 413 CODEC_PAYLOAD_TOO_LARGE (declared or streamed)', async () => {
    await start();
    const big = JSON.stringify({ apiKey: 'x'.repeat(5000) });
    const declared = await post('/api/auth/token', big);
    expect(declared.status).toBe(413);
    expect((await declared.json()).code).toBe(ErrorCode.CODEC_PAYLOAD_TOO_LARGE);

    // Chunked, without Content-Length: the limit holds while reading.
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.write('{"code":"');
      req.write('y'.repeat(3000));
      req.end('y'.repeat(3000) + '"}');
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).code).toBe(ErrorCode.CODEC_PAYLOAD_TOO_LARGE);
    // Exactly at the limit is fine (and simply a wrong key).
    const atLimit = JSON.stringify({ apiKey: '' }).length;
    const ok = await post('/api/auth/token', { apiKey: 'z'.repeat(4096 - atLimit) });
    expect(ok.status).toBe(401);
  });

  it('after N failed attempts per minute an address gets 429 AUTH_TOO_MANY_ATTEMPTS, even with a valid key', async () => {
    let now = Date.now();
    await start({ maxFailedAttemptsPerMinute: 3, now: () => now });
    // Successes never count.
    for (let i = 0; i < 5; i++) expect((await post('/api/auth/token', { apiKey: keys.demo })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await post('/api/auth/token', { apiKey: `tmk_guess${i}` })).status).toBe(401);
    const blocked = await post('/api/auth/token', { apiKey: keys.demo });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await blocked.json()).code).toBe(ErrorCode.AUTH_TOO_MANY_ATTEMPTS);
    // Login codes share the same budget.
    const login = await post('/api/auth/login', { code: loginCode });
    expect(login.status).toBe(429);
    // A new minute, a new budget; the unspent login code still works.
    now += 60_000;
    expect((await post('/api/auth/login', { code: loginCode })).status).toBe(200);
  });

  it('requirePrincipal: 401 without a token, 403 AUTH_FORBIDDEN for a viewer, 200 for a trader', async () => {
    await start();
    const { apiKey } = await auth.createAccount({ account: 'watcher', role: 'viewer' });
    const viewer = await (await post('/api/auth/token', { apiKey })).json();
    const trader = await (await post('/api/auth/token', { apiKey: keys.demo })).json();

    const anon = await fetch(`${base}/api/orders`);
    expect(anon.status).toBe(401);
    expect((await anon.json()).code).toBe(ErrorCode.AUTH_REQUIRED);
    const forbidden = await fetch(`${base}/api/orders`, { headers: bearer(viewer.token) });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).code).toBe(ErrorCode.AUTH_FORBIDDEN);
    const allowed = await fetch(`${base}/api/orders`, { headers: bearer(trader.token) });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ account: 'demo' });
  });

  it('other methods and paths are left to the caller', async () => {
    await start();
    expect((await fetch(`${base}/api/auth/token`)).status).toBe(404);
    expect((await post('/api/auth/me', {})).status).toBe(404);
    expect((await fetch(`${base}/api/auth/nope`)).status).toBe(404);
  });
});

describe('httpStatusOf', () => {
  it('maps auth codes to 401/403/429 and others through the transport table', () => {
    expect(
      [
        ErrorCode.AUTH_REQUIRED,
        ErrorCode.AUTH_INVALID_TOKEN,
        ErrorCode.AUTH_EXPIRED_TOKEN,
        ErrorCode.AUTH_INVALID_API_KEY,
        ErrorCode.AUTH_INVALID_LOGIN_CODE,
        ErrorCode.AUTH_FORBIDDEN,
        ErrorCode.AUTH_TOO_MANY_ATTEMPTS,
        ErrorCode.CODEC_MALFORMED,
        ErrorCode.CODEC_PAYLOAD_TOO_LARGE,
      ].map(httpStatusOf),
    ).toEqual([401, 401, 401, 401, 401, 403, 429, 400, 413]);
  });
});

describe('attemptKey', () => {
  it('folds IPv4-mapped addresses and groups IPv6 by /64', async () => {
    const key = attemptKey;
    expect(key('127.0.0.1')).toBe('127.0.0.1');
    expect(key('::ffff:10.0.0.7')).toBe('10.0.0.7');
    expect(key('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(key('2001:0db8:0000:0001:ffff::2')).toBe('2001:db8:0:1::/64');
    expect(key('::1')).toBe('0:0:0:0::/64');
    expect(key(undefined)).toBe('unknown');
  });
});
