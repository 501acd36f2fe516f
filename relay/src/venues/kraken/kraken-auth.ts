import { createHash, createHmac } from 'node:crypto';
import type { VenueCredentials } from '../live/venue-credentials';
import { Redacted } from '../live/redacted';

/**
 * Signs Kraken Spot's private REST calls as Kraken documents it: the body carries an
 * ever-increasing integer `nonce`; `API-Sign` is base64(HMAC-SHA512(URI path +
 * SHA256(nonce + POST body))) keyed with the base64-decoded API secret; `API-Key` is the key.
 * The nonce is the wall clock in µs, raised past the last one handed out, so it increases even
 * when two calls are made in the same microsecond or the clock steps back. The key and the
 * secret live in private fields and the signer prints as "[redacted]": neither can reach a
 * log line or an error text.
 */
export class KrakenSigner extends Redacted {
  readonly #key: string;
  readonly #secret: Buffer;
  readonly #nowUs: () => number;
  #lastNonce = 0;

  private constructor(key: string, secret: Buffer, nowUs: () => number) {
    super();
    this.#key = key;
    this.#secret = secret;
    this.#nowUs = nowUs;
  }

  /** The signer of a key pair, or undefined when the secret is not base64 (Kraken's secrets are 64 bytes, base64). */
  static from(credentials: VenueCredentials, nowUs: () => number = () => Date.now() * 1000): KrakenSigner | undefined {
    const { key, secret } = credentials.reveal();
    const s = secret.trim();
    if (!key || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return undefined;
    const bytes = Buffer.from(s, 'base64');
    return bytes.length >= 16 ? new KrakenSigner(key, bytes, nowUs) : undefined;
  }

  /** The next nonce: strictly greater than every one before it. */
  nextNonce(): number {
    this.#lastNonce = Math.max(this.#lastNonce + 1, Math.floor(this.#nowUs()));
    return this.#lastNonce;
  }

  /** API-Sign of one request: `path` as sent ("/0/private/AddOrder"), `body` exactly as posted. */
  sign(path: string, nonce: number, body: string): string {
    const inner = createHash('sha256').update(`${nonce}${body}`).digest();
    return createHmac('sha512', this.#secret).update(path).update(inner).digest('base64');
  }

  /** The JSON body (nonce first) and the headers of one private call. */
  request(path: string, params: Record<string, unknown>): { body: string; headers: Record<string, string> } {
    const nonce = this.nextNonce();
    const body = JSON.stringify({ nonce, ...params });
    return { body, headers: { 'API-Key': this.#key, 'API-Sign': this.sign(path, nonce, body), 'content-type': 'application/json' } };
  }
}
