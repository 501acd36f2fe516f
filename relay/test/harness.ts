import { decodeServer, encodeClient, type ClientMsg, type ServerMsg } from '@tickmesh/shared';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { AuthService, type Role } from '../src/server/auth/index';
import { defaultRelayOptions, type RelayOptions } from '../src/server/options';
import { Relay, type RelayDeps } from '../src/server/relay-server';
import type { VenueAdapter } from '../src/venues/venue-adapter';

/** Tokens of each started relay's test accounts, so clients can connect by URL alone. */
const tokens = new Map<string, { trader: string; viewer: string; admin: string }>();

/**
 * Starts a real relay on an ephemeral loopback port with quiet logs, with a fresh data dir
 * and three accounts: "trader" (trader), "viewer" (viewer) and "admin" (admin). `upstream`
 * makes it an edge of a cluster (relay/src/cluster/).
 */
export async function startRelay(venues: VenueAdapter[], overrides: Partial<RelayOptions> = {}, upstream?: RelayDeps['upstream'], replicate?: RelayDeps['replicate']): Promise<Relay> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'tickmesh-test-'));
  // Nodes of one cluster share an auth dir: its accounts exist already for all but the first.
  const { auth } = await AuthService.open(overrides.authDir || dataDir);
  const relay = new Relay(
    { ...defaultRelayOptions, port: 0, logLevel: 'silent', compression: false, dataDir, ...overrides },
    { venues, auth, defaultMetrics: false, upstream, replicate },
  );
  await relay.start();
  const grant = async (account: string, role: Role) => {
    const existing = auth.account(account);
    if (existing && !overrides.authDir) throw new Error(`account ${account} already exists in ${dataDir}`);
    const g = existing ? await auth.redeemLoginCode(unwrap(auth.issueLoginCode(account))) : await auth.issueToken((await auth.createAccount({ account, role })).apiKey);
    if (!g.ok) throw new Error(g.reason.code);
    return g.value.token;
  };
  tokens.set(relay.url, { trader: await grant('trader', 'trader'), viewer: await grant('viewer', 'viewer'), admin: await grant('admin-test', 'admin') });
  return relay;
}

function unwrap<T>(r: { ok: true; value: T } | { ok: false; reason: { code: string } }): T {
  if (!r.ok) throw new Error(r.reason.code);
  return r.value;
}

/** A token of one of the test accounts of a relay started by startRelay. */
export function tokenOf(url: string, who: 'trader' | 'viewer' | 'admin' = 'trader'): string {
  const t = tokens.get(url);
  if (!t) throw new Error(`no test tokens for ${url}`);
  return t[who];
}

function withToken(url: string, path: string, token: string | undefined, query = ''): string {
  const base = url.replace('http', 'ws') + path;
  const params = [token === '' ? '' : `access_token=${encodeURIComponent(token ?? tokenOf(url))}`, query].filter((q) => q !== '');
  return params.length ? `${base}?${params.join('&')}` : base;
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
  /** Connects with the test trader's token unless `token` says otherwise ('' = none); `query` goes into the URL too (`features=book_delta`). */
  static async connect(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}, token?: string, query = ''): Promise<ProtoClient> {
    const ws = new WebSocket(withToken(url, '/ws', token, query), options);
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
  static async connect(url: string, token?: string): Promise<JsonClient> {
    const ws = new WebSocket(withToken(url, '/ws/json', token));
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

/** One sample of the relay's Prometheus text, by metric name and exact labels (undefined = absent). */
export function metricSample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[2]!.split(',');
    if (have.length === want.length && want.every((w) => have.includes(w))) return Number(m[3]);
  }
  return undefined;
}
