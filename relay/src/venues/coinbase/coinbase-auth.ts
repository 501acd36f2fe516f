import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { Redacted } from '../live/redacted';
import type { VenueCredentials } from '../live/venue-credentials';

/** Coinbase's JWTs live two minutes (their documented maximum). */
const JWT_LIFETIME_S = 120;
/** A CDP Ed25519 secret is base64 of 64 bytes: the 32-byte seed, then the 32-byte public key. */
const ED25519_SECRET_BYTES = 64;
const ED25519_SEED_BYTES = 32;

/** The JWT algorithm of a CDP key: ES256 for an EC P-256 key, EdDSA for an Ed25519 key. */
export type CoinbaseJwtAlgorithm = 'ES256' | 'EdDSA';

/**
 * Signs Coinbase Advanced Trade's per-request JWT with a CDP API key, of either kind CDP
 * issues: an EC P-256 private key in PEM (ES256), or an Ed25519 key as base64 of seed and
 * public key (EdDSA, CDP's default since 2025). The kind is told from the secret. Header
 * `kid` = the key name and a fresh `nonce`; claims sub = key name, iss "cdp", nbf now,
 * exp now + 120 s and, for REST, uri "METHOD host/path" (WebSocket JWTs carry no uri). The
 * secret is parsed once and kept in private fields; the signer prints as "[redacted]", so
 * neither the secret nor the key can reach a message or a log.
 */
export class CoinbaseSigner extends Redacted {
  readonly #keyName: string;
  readonly #key: KeyObject;
  readonly #nowS: () => number;
  readonly algorithm: CoinbaseJwtAlgorithm;

  private constructor(keyName: string, key: KeyObject, algorithm: CoinbaseJwtAlgorithm, nowS: () => number) {
    super();
    this.#keyName = keyName;
    this.#key = key;
    this.algorithm = algorithm;
    this.#nowS = nowS;
  }

  /** The signer of a key pair, or undefined when the secret is neither an EC P-256 private key in PEM (SEC1 or PKCS#8) nor a well-formed Ed25519 secret. */
  static from(credentials: VenueCredentials, nowS: () => number = () => Math.floor(Date.now() / 1000)): CoinbaseSigner | undefined {
    const { key, secret } = credentials.reveal();
    // A PEM is the EC kind; anything else can only be the Ed25519 kind.
    if (secret.includes('-----BEGIN')) {
      const ec = ecPrivateKey(secret);
      return ec ? new CoinbaseSigner(key, ec, 'ES256', nowS) : undefined;
    }
    const ed = ed25519PrivateKey(secret);
    return ed ? new CoinbaseSigner(key, ed, 'EdDSA', nowS) : undefined;
  }

  /** A JWT for one REST request ("POST", "api.coinbase.com", "/api/v3/brokerage/orders"), or for the WebSocket without `uri`. */
  async jwt(uri?: { method: string; host: string; path: string }): Promise<string> {
    const now = this.#nowS();
    const claims: Record<string, string> = uri ? { uri: `${uri.method} ${uri.host}${uri.path}` } : {};
    return new SignJWT(claims)
      .setProtectedHeader({ alg: this.algorithm, kid: this.#keyName, nonce: randomBytes(16).toString('hex'), typ: 'JWT' })
      .setSubject(this.#keyName)
      .setIssuer('cdp')
      .setNotBefore(now)
      .setExpirationTime(now + JWT_LIFETIME_S)
      .sign(this.#key);
  }
}

function ecPrivateKey(pem: string): KeyObject | undefined {
  try {
    const k = createPrivateKey({ key: pem, format: 'pem' });
    return k.asymmetricKeyType === 'ec' && k.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? k : undefined;
  } catch {
    return undefined; // the parser's message may quote the input: not passed on
  }
}

/**
 * The Ed25519 key of a CDP secret. Its public half must be the seed's own: a secret cut short
 * or pasted wrong is refused here, at start, rather than by the venue at every request.
 */
function ed25519PrivateKey(secret: string): KeyObject | undefined {
  const text = secret.trim();
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  try {
    if (bytes.length !== ED25519_SECRET_BYTES) return undefined;
    const d = bytes.subarray(0, ED25519_SEED_BYTES).toString('base64url');
    const x = bytes.subarray(ED25519_SEED_BYTES).toString('base64url');
    const k = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d, x }, format: 'jwk' });
    return createPublicKey(k).export({ format: 'jwk' }).x === x ? k : undefined;
  } catch {
    return undefined;
  } finally {
    bytes.fill(0); // the key lives on in the KeyObject only
  }
}
