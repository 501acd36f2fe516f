import { decodeServer, encodeClient, type ClientMsg, type ServerMsg } from '@tickmesh/shared';
import { WebSocket } from 'ws';
import { defaultRelayOptions, type RelayOptions } from '../src/server/options';
import { Relay } from '../src/server/relay-server';
import type { VenueAdapter } from '../src/venues/venue-adapter';

/** Starts a real relay on an ephemeral loopback port with quiet logs. */
export async function startRelay(venues: VenueAdapter[], overrides: Partial<RelayOptions> = {}): Promise<Relay> {
  const relay = new Relay(
    { ...defaultRelayOptions, port: 0, logLevel: 'silent', compression: false, ...overrides },
    { venues, defaultMetrics: false },
  );
  await relay.start();
  return relay;
}

type Waiter<T> = { match: (m: T) => boolean; resolve: (m: T) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/** Base of the test clients: a real WebSocket, every message kept, waits by predicate. */
abstract class Client<T> {
  readonly received: T[] = [];
  closeCode: number | undefined;
  closeReason = '';
  readonly closed: Promise<number>;
  private waiters: Waiter<T>[] = [];

  protected constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        for (const w of this.waiters) w.reject(new Error(`closed ${code} ${this.closeReason} while waiting`));
        this.waiters = [];
        resolve(code);
      });
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const m = this.parse(data, isBinary);
      this.received.push(m);
      for (const w of [...this.waiters]) {
        if (w.match(m)) {
          clearTimeout(w.timer);
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
  }

  protected abstract parse(data: Buffer, isBinary: boolean): T;

  /** Resolves with the first message (already received or future) matching `match`. */
  next(match: (m: T) => boolean, timeoutMs = 5000, from = 0): Promise<T> {
    const seen = this.received.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a message`));
      }, timeoutMs);
      this.waiters.push({ match, resolve, reject, timer });
    });
  }

  close(): void {
    this.ws.close();
  }
}

export class ProtoClient extends Client<ServerMsg> {
  static async connect(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<ProtoClient> {
    const ws = new WebSocket(url.replace('http', 'ws') + '/ws', options);
    const client = new ProtoClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await client.next((m) => m.type === 'welcome');
    return client;
  }

  protected parse(data: Buffer, isBinary: boolean): ServerMsg {
    if (!isBinary) throw new Error('relay sent a text frame on /ws');
    const r = decodeServer(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (!r.ok) throw new Error(`relay sent an undecodable frame: ${r.reason.code}`);
    return r.value;
  }

  send(msg: ClientMsg): void {
    this.ws.send(encodeClient(msg));
  }

  error(code: string, timeoutMs = 5000): Promise<ServerMsg> {
    return this.next((m) => m.type === 'error' && m.code === code, timeoutMs);
  }
}

export type Json = { type: string; [k: string]: unknown };

export class JsonClient extends Client<Json> {
  static async connect(url: string): Promise<JsonClient> {
    const ws = new WebSocket(url.replace('http', 'ws') + '/ws/json');
    const client = new JsonClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  protected parse(data: Buffer, isBinary: boolean): Json {
    if (isBinary) throw new Error('relay sent a binary frame on /ws/json');
    return JSON.parse(data.toString('utf8')) as Json;
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }
}

/** Polls `check` until it returns true. */
export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
