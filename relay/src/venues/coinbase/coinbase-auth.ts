import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { VenueCredentials } from '../live/venue-credentials';

/** Coinbase's JWTs live two minutes (their documented maximum). */
const JWT_LIFETIME_S = 120;

/**
 * Signs Coinbase Advanced Trade's per-request JWT (CDP API keys): ES256 with the key's EC
 * P-256 private key, header `kid` = the key name and a fresh `nonce`, claims sub = key name,
 * iss "cdp", nbf now, exp now + 120 s and, for REST, uri "METHOD host/path" (WebSocket JWTs
 * carry no uri). The secret is parsed once; it never reaches a message or a log.
 */
export class CoinbaseSigner {
  private constructor(
    private readonly keyName: string,
    private readonly key: KeyObject,
    private readonly nowS: () => number,
  ) {}

  /** The signer of a key pair, or undefined when the secret is not an EC private key in PEM (SEC1 or PKCS#8). */
  static from(credentials: VenueCredentials, nowS: () => number = () => Math.floor(Date.now() / 1000)): CoinbaseSigner | undefined {
    const { key, secret } = credentials.reveal();
    try {
      const k = createPrivateKey({ key: secret, format: 'pem' });
      if (k.asymmetricKeyType !== 'ec' || k.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return undefined;
      return new CoinbaseSigner(key, k, nowS);
    } catch {
      return undefined; // the parser's message may quote the input: not passed on
    }
  }

  /** A JWT for one REST request ("POST", "api.coinbase.com", "/api/v3/brokerage/orders"), or for the WebSocket without `uri`. */
  async jwt(uri?: { method: string; host: string; path: string }): Promise<string> {
    const now = this.nowS();
    const claims: Record<string, string> = uri ? { uri: `${uri.method} ${uri.host}${uri.path}` } : {};
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: this.keyName, nonce: randomBytes(16).toString('hex'), typ: 'JWT' })
      .setSubject(this.keyName)
      .setIssuer('cdp')
      .setNotBefore(now)
      .setExpirationTime(now + JWT_LIFETIME_S)
      .sign(this.key);
  }
}
