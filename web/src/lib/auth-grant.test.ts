import { describe, expect, it } from 'vitest';
import { GRANT_STORAGE_KEY, isGrantValid, loadGrant, postAuth, refreshDelayMs, saveGrant, stripLoginParam, type Grant } from './auth-grant';

const grant: Grant = { token: 'eyJ.x.y', expiresAt: 1_000_000, account: 'demo', role: 'trader' };

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), m };
}

function reply(status: number, body: unknown) {
  return async () => ({ ok: status >= 200 && status < 300, status, json: async () => body });
}

describe('auth grant', () => {
  it('round-trips through storage and ignores junk', () => {
    const s = memoryStorage();
    saveGrant(s, grant);
    expect(loadGrant(s)).toEqual(grant);
    s.setItem(GRANT_STORAGE_KEY, '{"token":1}');
    expect(loadGrant(s)).toBeNull();
    s.setItem(GRANT_STORAGE_KEY, 'not json');
    expect(loadGrant(s)).toBeNull();
    saveGrant(s, null);
    expect(s.m.size).toBe(0);
  });

  it('is valid until a margin before it expires; refresh comes a minute early', () => {
    expect(isGrantValid(grant, 900_000)).toBe(true);
    expect(isGrantValid(grant, 996_000)).toBe(false);
    expect(isGrantValid(null, 0)).toBe(false);
    expect(refreshDelayMs({ ...grant, expiresAt: 900_000 }, 0)).toBe(840_000);
    expect(refreshDelayMs({ ...grant, expiresAt: 10_000 }, 0)).toBe(5_000);
  });

  it('strips only the login code from the URL', () => {
    expect(stripLoginParam('http://h:8080/?login=abc')).toBe('/');
    expect(stripLoginParam('http://h:8080/x?a=1&login=abc#t')).toBe('/x?a=1#t');
  });

  it('maps the relay answers to a grant or a coded failure', async () => {
    expect(await postAuth(reply(200, grant), '/api/auth/login', { code: 'c' })).toEqual({ ok: true, grant });
    const bad = await postAuth(reply(401, { code: 'AUTH_INVALID_LOGIN_CODE', message: 'no' }), '/api/auth/login', { code: 'c' });
    expect(bad).toMatchObject({ ok: false, failure: { code: 'AUTH_INVALID_LOGIN_CODE', status: 401 } });
    const html = await postAuth(async () => ({ ok: false, status: 502, json: async () => { throw new SyntaxError('html'); } }), '/api/auth/token', {});
    expect(html).toMatchObject({ ok: false, failure: { code: 'HTTP_502' } });
    const down = await postAuth(async () => { throw new TypeError('Failed to fetch'); }, '/api/auth/token', {});
    expect(down).toMatchObject({ ok: false, failure: { code: 'NETWORK_ERROR', status: 0 } });
  });
});
