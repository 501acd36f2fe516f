import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { VenueCredentials } from '../live/venue-credentials';
import { CoinbaseSigner } from './coinbase-auth';
import { cdpEd25519Secret } from './coinbase-fake-orders';

const KEY_NAME = 'organizations/org-1/apiKeys/key-1';
const NOW_S = 1_750_000_000;
const EC = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const ED = generateKeyPairSync('ed25519');
const kinds = [
  { kind: 'EC P-256 in SEC1 PEM', alg: 'ES256', secret: EC.privateKey.export({ type: 'sec1', format: 'pem' }).toString(), publicKey: EC.publicKey },
  { kind: 'EC P-256 in PKCS#8 PEM', alg: 'ES256', secret: EC.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: EC.publicKey },
  { kind: 'Ed25519 as base64 seed and public key', alg: 'EdDSA', secret: cdpEd25519Secret(ED.privateKey), publicKey: ED.publicKey },
] as const;
const signer = (secret: string) => CoinbaseSigner.from(new VenueCredentials(KEY_NAME, secret), () => NOW_S);

describe('coinbase JWTs for both kinds of CDP key', () => {
  it.each(kinds)('$kind: $alg, the documented header and claims, verified by the public key', async ({ alg, secret, publicKey }) => {
    const s = signer(secret)!;
    expect(s.algorithm).toBe(alg);
    const rest = await s.jwt({ method: 'POST', host: 'api.coinbase.com', path: '/api/v3/brokerage/orders' });
    expect(decodeProtectedHeader(rest)).toEqual({ alg: s.algorithm, kid: KEY_NAME, nonce: expect.stringMatching(/^[0-9a-f]{32}$/), typ: 'JWT' });
    expect(decodeJwt(rest)).toEqual({ sub: KEY_NAME, iss: 'cdp', nbf: NOW_S, exp: NOW_S + 120, uri: 'POST api.coinbase.com/api/v3/brokerage/orders' });
    await expect(jwtVerify(rest, publicKey, { algorithms: [s.algorithm], currentDate: new Date(NOW_S * 1000) })).resolves.toBeDefined();
    expect(decodeJwt(await s.jwt())).not.toHaveProperty('uri'); // a WebSocket JWT
    const printed = [String(s), `${s}`, JSON.stringify({ s }), inspect(s)].join(' ');
    expect(printed).toBe('[redacted] [redacted] {"s":"[redacted]"} [redacted]');
  });

  it('refuses a secret that is neither kind: undefined, nothing of it thrown', () => {
    const otherPublic = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const seed = Buffer.from(cdpEd25519Secret(ED.privateKey), 'base64').subarray(0, 32);
    const refused = [
      'not-a-key',
      randomBytes(32).toString('base64'), // a bare seed
      randomBytes(48).toString('base64'),
      Buffer.concat([seed, otherPublic]).toString('base64'), // the public half is not the seed's
      generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
      ED.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), // Ed25519 comes as base64, never PEM
    ];
    for (const secret of refused) expect(signer(secret)).toBeUndefined();
  });
});
