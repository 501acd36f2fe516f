import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { ErrorCode } from '@tickmesh/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AuthService, tokenAudience, tokenIssuer } from '../src/server/auth/index';
import type { Relay } from '../src/server/relay-server';
import { ScriptedVenue, testInstrument } from './scripted-venue';
import { startRelay, tokenOf } from './harness';

let relay: Relay;
let expired: string;
let forged: string;

beforeAll(async () => {
  relay = await startRelay([new ScriptedVenue('test', [testInstrument('BTC-USD')])]);
  // The relay's own secret, but a clock two hours back: a genuine token that has expired.
  const past = await AuthService.open(relay.options.dataDir, { now: () => Date.now() - 2 * 3600_000 });
  const key = (await past.auth.createAccount({ account: 'old', role: 'trader' })).apiKey;
  const g = await past.auth.issueToken(key);
  if (!g.ok) throw new Error(g.reason.code);
  expired = g.value.token;
  // Right claims, wrong key.
  forged = await new SignJWT({ role: 'admin' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('trader')
    .setIssuer(tokenIssuer)
    .setAudience(tokenAudience)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(randomBytes(32));
});
afterAll(async () => {
  await relay.stop();
});

const cases: Array<[string, () => string | undefined, string]> = [
  ['no token', () => undefined, ErrorCode.AUTH_REQUIRED],
  ['an expired token', () => expired, ErrorCode.AUTH_EXPIRED_TOKEN],
  ['a forged signature', () => forged, ErrorCode.AUTH_INVALID_TOKEN],
  ['garbage', () => 'not.a.jwt', ErrorCode.AUTH_INVALID_TOKEN],
];

const httpRoutes: Array<[string, string]> = [
  ['GET', '/api/orders'],
  ['GET', '/api/fills'],
  ['GET', '/api/positions'],
  ['GET', '/api/risk/limits'],
  ['GET', '/api/mesh/ice'],
  ['GET', '/api/audit'],
  ['GET', '/api/audit/verify'],
  ['GET', '/api/admin/risk'],
  ['GET', '/api/admin/alerts'],
  ['POST', '/api/admin/halt'],
  ['POST', '/api/admin/kill'],
  ['GET', '/api/auth/me'],
];

describe('every endpoint refuses a missing, expired or forged token with its code', () => {
  for (const [what, token, code] of cases) {
    for (const [method, path] of httpRoutes) {
      it(`${method} ${path} with ${what} -> 401 ${code}`, async () => {
        const t = token();
        const res = await fetch(`${relay.url}${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...(t ? { authorization: `Bearer ${t}` } : {}) },
          body: method === 'POST' ? '{"symbol":"BTC-USD"}' : undefined,
        });
        expect(res.status).toBe(401);
        expect(((await res.json()) as { code: string }).code).toBe(code);
      });
    }
    for (const path of ['/ws', '/ws/json']) {
      it(`WebSocket ${path} with ${what} -> 401 ${code} before the handshake`, async () => {
        const t = token();
        const ws = new WebSocket(`${relay.url.replace('http', 'ws')}${path}${t ? `?access_token=${encodeURIComponent(t)}` : ''}`);
        const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          ws.on('open', () => reject(new Error('upgrade accepted')));
          ws.on('unexpected-response', (_req, res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
        });
        expect(status).toBe(401);
        expect((JSON.parse(body) as { code: string }).code).toBe(code);
      });
    }
  }

  it('a valid token passes, and a viewer is refused admin routes with 403 AUTH_FORBIDDEN', async () => {
    const ok = await fetch(`${relay.url}/api/orders`, { headers: { authorization: `Bearer ${tokenOf(relay.url, 'viewer')}` } });
    expect(ok.status).toBe(200);
    const admin = await fetch(`${relay.url}/api/audit`, { headers: { authorization: `Bearer ${tokenOf(relay.url, 'viewer')}` } });
    expect(admin.status).toBe(403);
    expect(((await admin.json()) as { code: string }).code).toBe(ErrorCode.AUTH_FORBIDDEN);
  });
});

describe('/peerjs signalling refuses unauthenticated peers', () => {
  for (const [what, token, code] of cases) {
    it(`GET /peerjs/peerjs/id with ${what} -> 401 ${code}`, async () => {
      const t = token();
      const res = await fetch(`${relay.url}/peerjs/peerjs/id`, { headers: t ? { authorization: `Bearer ${t}` } : {} });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe(code);
    });
  }

  it('issues a peer id to an authenticated session', async () => {
    const res = await fetch(`${relay.url}/peerjs/peerjs/id`, { headers: { authorization: `Bearer ${tokenOf(relay.url, 'viewer')}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^[0-9a-f]{16}-[0-9a-zA-Z]+$/);
  });
});
