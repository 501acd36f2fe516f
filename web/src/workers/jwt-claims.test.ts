import { describe, expect, it } from 'vitest';
import { readJwtTimes, refreshAtMs } from './jwt-claims';

const b64url = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const jwt = (claims: unknown) => `${b64url({ alg: 'HS256' })}.${b64url(claims)}.sig`;

describe('jwt-claims', () => {
  it('reads iat/exp without verifying and refreshes at 80% of the life', () => {
    const token = jwt({ sub: 'trader', iat: 1000, exp: 1900 });
    expect(readJwtTimes(token)).toEqual({ iat: 1000, exp: 1900 });
    expect(refreshAtMs(token, 0)).toBe(1_000_000 + 0.8 * 900_000);
    // No iat: from now.
    expect(refreshAtMs(jwt({ exp: 2000 }), 1_000_000)).toBe(1_000_000 + 0.8 * 1_000_000);
  });

  it('anything else is undefined, never a throw', () => {
    for (const bad of ['', 'a.b', 'a.%%%.c', `x.${btoa('[1]')}.y`, jwt({ sub: 'x' })]) expect(refreshAtMs(bad, 0)).toBeUndefined();
  });
});
