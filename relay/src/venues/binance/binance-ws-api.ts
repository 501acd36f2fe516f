import { createHmac, createPrivateKey, sign as signEd25519, type KeyObject } from 'node:crypto';
import { ErrorCode } from '@tickmesh/shared';
import type { BackoffOptions } from '../live/backoff';
import type { VenueCredentials } from '../live/venue-credentials';
import { VenueSocket } from '../live/venue-socket';
import type { BinanceError } from './binance-wire';

/** A WebSocket API answer that is not 200: the venue's code and text, and how long to back off. */
export class BinanceApiError extends Error {
  constructor(
    /** Our stable code: VENUE_REJECTED, VENUE_RATE_LIMITED, VENUE_IP_BANNED, VENUE_UNREACHABLE. */
    readonly code: string,
    /** Binance's own, e.g. -2010 (0 when the request never got an answer). */
    readonly venueCode: number,
    readonly venueMsg: string,
    readonly retryAfterMs = 0,
    /** Sent, but no answer came (session lost, timeout): the request may have taken effect. */
    readonly outcomeUnknown = false,
  ) {
    super(`${code}: ${venueCode} ${venueMsg}`);
  }
}

export interface BinanceWsApiOptions {
  url: string;
  credentials: VenueCredentials;
  backoff?: BackoffOptions;
  silenceMs?: number;
  /** Request timeout. Default 10 s. */
  timeoutMs?: number;
  /** The session is (re)open: subscribe to the user data stream, then reconcile. */
  onOpen: () => void;
  onDown: (why: string) => void;
  /** A user-data event ({"subscriptionId": n, "event": {...}}). */
  onEvent: (event: Record<string, unknown>) => void;
}

interface Pending {
  resolve: (result: unknown) => void;
  reject: (err: BinanceApiError) => void;
  timer: NodeJS.Timeout;
}

/**
 * Binance's WebSocket API (ws-api/v3): signed requests answered by id on one socket, which
 * also carries the user data stream once subscribed (Binance retired the spot listenKey on
 * 2026-02-20). Signing as the docs give it: every parameter but `signature`, sorted by name,
 * as `k=v&…`, HMAC-SHA256 in hex for HMAC keys, Ed25519 in base64 for Ed25519 keys (a PEM
 * private key as the secret). The secret is read once into a KeyObject and never printed.
 */
export class BinanceWsApi {
  private readonly socket: VenueSocket;
  private readonly pending = new Map<string, Pending>();
  private readonly apiKey: string;
  private readonly signer: (payload: string) => string;
  private nextId = 1;
  private retryAtMs = 0;
  /** Answers 429/418 (request weight or order rate exceeded, IP banned); for metrics. */
  rateLimited = 0;

  constructor(private readonly options: BinanceWsApiOptions) {
    const { key, secret } = options.credentials.reveal();
    this.apiKey = key;
    this.signer = signerFor(secret);
    this.socket = new VenueSocket({
      url: () => options.url,
      silenceMs: options.silenceMs ?? 30_000,
      backoff: options.backoff,
      onOpen: () => options.onOpen(),
      onMessage: (text) => this.onMessage(text),
      onDown: (why) => {
        for (const [id, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new BinanceApiError(ErrorCode.VENUE_UNREACHABLE, 0, `session lost before the answer (${why})`, 0, true));
          this.pending.delete(id);
        }
        options.onDown(why);
      },
    });
  }

  get isOpen(): boolean {
    return this.socket.isOpen;
  }

  /** Session connects made (1 + reconnects). */
  get connects(): number {
    return this.socket.connects;
  }

  start(): void {
    this.socket.start();
  }

  stop(): Promise<void> {
    return this.socket.stop();
  }

  /** Drops the session (tests: a restart without losing the adapter's state). */
  restart(why: string): void {
    this.socket.restart(why);
  }

  /** Sends a signed request; resolves with `result`, rejects with the venue's error. */
  signed<T>(method: string, params: Record<string, string | number>, timestampMs: number): Promise<T> {
    const all: Record<string, string | number> = { ...params, apiKey: this.apiKey, timestamp: timestampMs };
    const payload = Object.keys(all).sort().map((k) => `${k}=${all[k]}`).join('&');
    all.signature = this.signer(payload);
    return this.request<T>(method, all);
  }

  private request<T>(method: string, params: Record<string, string | number>): Promise<T> {
    const wait = this.retryAtMs - performance.now();
    if (wait > 0) return Promise.reject(new BinanceApiError(ErrorCode.VENUE_RATE_LIMITED, -1003, `held back ${Math.ceil(wait)} ms (rate limit)`, wait));
    const id = `tm${this.nextId++}`;
    return new Promise<T>((resolve, reject) => {
      if (!this.socket.send(JSON.stringify({ id, method, params }))) {
        reject(new BinanceApiError(ErrorCode.VENUE_UNREACHABLE, 0, 'order session not connected'));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new BinanceApiError(ErrorCode.VENUE_UNREACHABLE, 0, `no answer to ${method} within ${this.options.timeoutMs ?? 10_000} ms`, 0, true));
      }, this.options.timeoutMs ?? 10_000);
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject, timer });
    });
  }

  private onMessage(text: string): void {
    let msg: { id?: string; status?: number; result?: unknown; error?: BinanceError & { data?: { retryAfter?: number } }; event?: Record<string, unknown> };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (msg.event && typeof msg.event === 'object') return this.options.onEvent(msg.event);
    const p = msg.id !== undefined ? this.pending.get(msg.id) : undefined;
    if (!p) return;
    this.pending.delete(msg.id!);
    clearTimeout(p.timer);
    if (msg.status === 200) return p.resolve(msg.result);
    const status = msg.status ?? 0;
    const err = msg.error ?? { code: 0, msg: 'no error body' };
    if (status === 429 || status === 418) {
      this.rateLimited++;
      // retryAfter is an epoch ms in the error's data; without it, back off a second.
      const retryAfterMs = err.data?.retryAfter ? Math.max(0, err.data.retryAfter - Date.now()) : 1000;
      this.retryAtMs = performance.now() + retryAfterMs;
      return p.reject(new BinanceApiError(status === 418 ? ErrorCode.VENUE_IP_BANNED : ErrorCode.VENUE_RATE_LIMITED, err.code, err.msg, retryAfterMs));
    }
    p.reject(new BinanceApiError(ErrorCode.VENUE_REJECTED, err.code, err.msg));
  }
}

/** HMAC-SHA256 (hex) for an HMAC secret; Ed25519 (base64) when the secret is a PEM private key. */
function signerFor(secret: string): (payload: string) => string {
  if (secret.includes('-----BEGIN')) {
    const key: KeyObject = createPrivateKey(secret);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('binance: only HMAC and Ed25519 keys are supported');
    return (payload) => signEd25519(null, Buffer.from(payload), key).toString('base64');
  }
  return (payload) => createHmac('sha256', secret).update(payload).digest('hex');
}
