import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { AuthService, type Role } from '../auth/index';
import { createSignalling, type Signalling } from './signalling-server';
import type { SignallingOptions } from './signalling-options';

/** A server frame as the tests see it. */
export type Frame = { type: string; src?: string; dst?: string; payload?: { code?: string; [k: string]: unknown } };

/**
 * Test-only: an HTTP server on an ephemeral loopback port that routes `/peerjs` to the
 * signalling module the way the relay does, plus accounts with tokens.
 */
export class SignallingTestServer {
  private constructor(
    readonly http: Server,
    readonly signalling: Signalling,
    readonly auth: AuthService,
    readonly url: string,
  ) {}

  static async start(options: Partial<SignallingOptions> = {}): Promise<SignallingTestServer> {
    const { auth } = await AuthService.open(mkdtempSync(join(tmpdir(), 'tickmesh-signal-')));
    const signalling = createSignalling(auth, options, pino({ level: 'silent' }));
    const http = createServer((req, res) => {
      void signalling.handleRequest(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    http.on('upgrade', (req, socket, head) => {
      if (!signalling.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
    const { port } = http.address() as AddressInfo;
    return new SignallingTestServer(http, signalling, auth, `http://127.0.0.1:${port}`);
  }

  private readonly apiKeys = new Map<string, string>();

  /** Creates `account` (if new) and returns a fresh token for it (a new token id each call). */
  async token(account: string, role: Role = 'viewer'): Promise<string> {
    let apiKey = this.apiKeys.get(account);
    if (!apiKey) this.apiKeys.set(account, (apiKey = (await this.auth.createAccount({ account, role })).apiKey));
    const g = await this.auth.issueToken(apiKey);
    if (!g.ok) throw new Error(g.reason.code);
    return g.value.token;
  }

  /** GET <path>/peerjs/<method> with a bearer token (or none). */
  get(method: string, token?: string, key = 'peerjs'): Promise<Response> {
    return fetch(`${this.url}/peerjs/${key}/${method}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  }

  /** A fresh id for the token's account, from GET id. */
  async newId(token: string): Promise<string> {
    const r = await this.get('id', token);
    if (r.status !== 200) throw new Error(`GET id: ${r.status}`);
    return r.text();
  }

  /** The peerjs WebSocket URL with our token in peerjs's own `token` parameter. */
  wsUrl(id: string, token: string | undefined, key = 'peerjs'): string {
    const q = new URLSearchParams({ key, id, version: '1.5.5' });
    if (token !== undefined) q.set('token', token);
    return `${this.url.replace('http', 'ws')}/peerjs/peerjs?${q}`;
  }

  async stop(): Promise<void> {
    this.signalling.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

/** A raw peerjs-protocol client: every frame kept, waits by predicate. */
export class RawPeer {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as Frame;
      this.frames.push(f);
      for (const w of [...this.waiters]) {
        if (!w.match(f)) continue;
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(f);
      }
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Connects and resolves once the socket is open (not necessarily registered: see `opened`). */
  static connect(url: string): Promise<RawPeer> {
    const ws = new WebSocket(url);
    const peer = new RawPeer(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(peer));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body: JSON.parse(body || '{}') as { code?: string } })));
      });
      ws.once('error', reject);
    });
  }

  /** Connects and waits for OPEN. */
  static async open(url: string): Promise<RawPeer> {
    const p = await RawPeer.connect(url);
    await p.next((f) => f.type === 'OPEN');
    return p;
  }

  next(match: (f: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
      this.waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }

  /** The first frame carrying `code`. */
  code(code: string, timeoutMs = 3000): Promise<Frame> {
    return this.next((f) => f.payload?.code === code, timeoutMs);
  }

  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  close(): void {
    this.ws.close();
  }
}
