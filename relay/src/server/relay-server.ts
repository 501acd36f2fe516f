import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pino, type Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { fail, generateFrameSigner, type JournalEntry, type Result } from '@tickmesh/shared';
import { MarketDataService } from '../md/market-data-service';
import { MeshDistribution } from '../md/mesh-distribution';
import { RelayMetrics } from '../metrics/relay-metrics';
import { registerAlertMetrics } from '../metrics/alert-metrics';
import { legacyJsonProtocol } from '../session/legacy-json-protocol';
import { protoProtocol, protoProtocolFor } from '../session/proto-protocol';
import { Session, type SessionContext } from '../session/session';
import type { WireProtocol } from '../session/wire-protocol';
import type { VenueAdapter } from '../venues/venue-adapter';
import { createAuthRoutes, rejectUpgrade, requirePrincipal, selectSubprotocol, type AuthRouteHandler, type AuthService, type Principal } from './auth/index';
import type { RelayOptions } from './options';
import type { RelayUpstream } from './relay-upstream';
import { AccountSessions } from './account-sessions';
import { createApiRoutes } from './api-routes';
import { createSignalling, type Signalling } from './signalling/index';
import { RelayOrderPeer } from './order-peer/index';
import { Trading } from './trading';
import { scenarioSurveillance, startRelayScenario, type SimScenario } from '../venues/sim/scenarios/index';
import { serveStatic } from './static-files';
import { CloseCode, transportError } from './transport-error';
import { clientAddress, HSTS_VALUE, isSecureRequest, TLS_MIN_VERSION, TlsCode, TlsReloader, TlsStartError, tlsMetrics, type ReloadTrigger, type TlsPair } from './tls/index';

/** How long a graceful stop waits for clients to complete the close (serve.ts forces an exit at 5 s). */
const DRAIN_CLOSE_MS = 2_500;

export interface RelayDeps {
  venues: VenueAdapter[];
  /** Required: there is no unauthenticated mode. */
  auth: AuthService;
  logger?: Logger;
  /** Collect Node's default process metrics. Default true; tests running many relays turn it off. */
  defaultMetrics?: boolean;
  /** Market data and orders from elsewhere (an edge of a cluster). Default none: this process's venues, OMS and mesh. */
  upstream?: RelayUpstream;
  /** An OMS node's journal replica: each record counts as durable once this resolves (relay/src/cluster/journal-replica.ts). */
  replicate?: (entry: JournalEntry) => Promise<void>;
}

/**
 * The one place that wires the relay: HTTP (health, metrics, PWA), the two WebSocket
 * endpoints and the market-data service over the venues.
 */
export class Relay {
  readonly metrics: RelayMetrics;
  readonly md: MarketDataService;
  readonly log: Logger;
  private readonly http: Server;
  private readonly endpoints: Map<string, { wss: WebSocketServer; protocol: WireProtocol }>;
  private readonly sessions = new Set<Session>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  readonly auth: AuthService;
  private readonly authRoutes: AuthRouteHandler;
  /** PeerJS signalling for the market-data mesh, at /peerjs. */
  readonly signalling: Signalling;
  /** The relay's own peer on /peerjs: orders and reports on WebRTC data channels (order-peer/). */
  readonly orderPeer: RelayOrderPeer;
  private apiRoutes: ReturnType<typeof createApiRoutes> | undefined;
  private tradingSide: Trading | undefined;
  private meshSide: MeshDistribution | undefined;
  /** `--sim-scenario`: scripted traders and feed faults at the simulated venues. */
  private scenario: SimScenario | undefined;
  private readonly venues: VenueAdapter[];
  /** Every open session per account: reports, the shared request budget, cancel-on-disconnect. */
  private readonly accounts: AccountSessions<Session>;
  /** Keeps the HTTPS server on the newest good certificate; undefined when serving plain HTTP. */
  private tls: TlsReloader | undefined;
  /** The same server as `http` when it is HTTPS, typed for setSecureContext(). */
  private readonly https: HttpsServer | undefined;
  private readonly upstream: RelayUpstream | undefined;
  private readonly replicate: RelayDeps['replicate'];
  private readonly readinessChecks: (() => boolean)[] = [];
  /** Sessions an account holds on other relays of the cluster (an OMS node hears the edges'). */
  private sessionsElsewhere: (account: string) => number = () => 0;
  /** PeerJS ids other relays of the cluster hold, by account (the mesh hub accepts their hello). */
  private meshPeersElsewhere: (peerId: string, account: string) => boolean = () => false;

  constructor(
    readonly options: RelayOptions,
    deps: RelayDeps,
  ) {
    this.log = deps.logger ?? pino({ level: options.logLevel });
    this.metrics = new RelayMetrics({ defaultMetrics: deps.defaultMetrics });
    this.auth = deps.auth;
    this.authRoutes = createAuthRoutes(deps.auth, (req) => clientAddress(req, this.options.trustProxy));
    // Peer ids from the auth directory's secret: an id one relay of a cluster issued is valid on all
    // (behind a load balancer, GET id and the /peerjs socket may reach different relays).
    this.signalling = createSignalling(deps.auth, { idKey: deps.auth.deriveKey('peerjs-ids') }, this.log);
    this.orderPeer = new RelayOrderPeer(this.signalling, deps.auth, { maxPayloadBytes: options.maxPayloadBytes }, this.log, (ws, p, req) => this.accept(ws, protoProtocol, p, req));
    this.md = new MarketDataService({ flushMs: options.flushMs, recentTrades: options.recentTrades }, this.metrics, this.log);
    this.venues = deps.venues;
    this.upstream = deps.upstream;
    this.replicate = deps.replicate;
    this.accounts = new AccountSessions<Session>(options.accountMessagesPerSecond, (account) => {
      // Cancel-on-disconnect: the account's last session is gone, so are its working orders
      // (in a cluster: its last session on this OMS node and on every edge).
      if (this.auth.account(account)?.cancelOnDisconnect && !this.stopping && this.tradingSide && this.sessionsElsewhere(account) === 0) {
        void this.trading.oms.cancelAccountOnDisconnect(account).then((n) => n > 0 && this.log.info({ account, canceled: n }, 'cancel-on-disconnect'));
      }
    });
    for (const v of deps.venues) this.md.addVenue(v);

    // ws enforces a hard cap far above the limit; frames between the two get a clear
    // CODEC_PAYLOAD_TOO_LARGE error from the session instead of a bare 1009.
    // handleProtocols: browsers present the token as a subprotocol and need `tickmesh` echoed.
    const wsOptions = { noServer: true, maxPayload: options.maxPayloadBytes * 4, handleProtocols: selectSubprotocol };
    const deflate = options.compression ? { threshold: 512, concurrencyLimit: 4 } : false;
    this.endpoints = new Map([
      ['/ws', { wss: new WebSocketServer({ ...wsOptions, perMessageDeflate: deflate }), protocol: protoProtocol }],
      ['/ws/json', { wss: new WebSocketServer({ ...wsOptions, perMessageDeflate: deflate }), protocol: legacyJsonProtocol(this.upstream?.md ?? this.md) }],
    ]);

    // With TLS, one HTTPS server carries everything (PWA, /ws, /ws/json, /peerjs, /api,
    // /metrics) on the one port: browsers refuse ws:// from an https:// page. Its certificate
    // is installed by start() (setSecureContext), after the files are read and checked.
    const onRequest = (req: IncomingMessage, res: ServerResponse) => void this.onRequest(req, res);
    this.https = options.tlsCert ? createHttpsServer({ minVersion: TLS_MIN_VERSION }, onRequest) : undefined;
    this.http = this.https ?? createServer(onRequest);
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  /** Starts market data (this process's venues, or the upstream of an edge), then listens. Resolves with the base URL. */
  async start(): Promise<string> {
    // First, before the journal opens: a bad certificate stops the start at once.
    if (this.https) await this.openTls(this.https);
    if (this.upstream) {
      this.upstream.onReport((r) => this.accounts.deliver(r));
      this.upstream.onNotice((code, message) => {
        for (const s of this.sessions) s.notify(code, message);
      });
      this.upstream.onInstruments((list) => {
        for (const s of this.sessions) s.announceInstruments(list);
      });
      await this.upstream.start({ signalling: this.signalling });
    } else await this.startLocal();
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, this.options.host, () => resolve());
    });
    this.heartbeatTimer = setInterval(() => {
      for (const s of this.sessions) s.heartbeat();
    }, this.options.heartbeatMs);
    this.tls?.watch();
    this.log.info({ url: this.url, tls: this.tls ? { fingerprint256: this.tls.current.fingerprint256, validTo: this.tls.current.validTo.toISOString() } : false }, 'relay listening');
    return this.url;
  }

  /** Market data over this process's venues, its mesh and its order side. */
  private async startLocal(): Promise<void> {
    // Signed before the first flush: every batch goes to the mesh (Ed25519, else P-256; keyId 1).
    const mesh = new MeshDistribution({
      signer: await generateFrameSigner({ keyId: 1 }),
      isRegistered: (peerId, account) => this.signalling.peers().some((p) => p.id === peerId && p.account === account) || this.meshPeersElsewhere(peerId, account),
      md: this.md,
      metrics: this.metrics,
      log: this.log,
    });
    this.meshSide = mesh;
    this.md.onBatch(mesh.publishBatch);
    this.signalling.onPeer((e) => e.type === 'close' && mesh.peerUnregistered(e.peer.id));
    await this.md.start();
    const scenarios = this.options.simScenario ?? [];
    const trading = await Trading.open(this.options.dataDir, this.md, this.venues, () => this.auth.accounts().map((a) => a.account), this.log, {}, { replicate: this.replicate }, { surveillance: scenarioSurveillance(scenarios) });
    this.tradingSide = trading;
    this.scenario = startRelayScenario({ simScenario: scenarios, seed: this.options.seed }, this.venues, trading.oms, this.md);
    if (this.scenario) this.log.info({ scenarios: this.scenario.names, accounts: this.scenario.accounts }, 'sim scenario running');
    registerAlertMetrics(this.metrics.registry, () => trading.alerts.counts);
    this.apiRoutes = createApiRoutes(this.auth, trading, this.md, this.options);
    trading.oms.onReport((r) => this.accounts.deliver(r));
  }

  private async openTls(server: HttpsServer): Promise<void> {
    const opened = await TlsReloader.open(
      { certFile: this.options.tlsCert, keyFile: this.options.tlsKey },
      (pair) => server.setSecureContext({ cert: pair.cert, key: pair.key, minVersion: TLS_MIN_VERSION }),
      this.log,
      tlsMetrics(this.metrics.registry),
    );
    if (!opened.ok) throw new TlsStartError(opened.reason.code, opened.reason.message);
    this.tls = opened.value;
  }

  /**
   * Re-reads --tls-cert and --tls-key and serves them to new handshakes; open sessions stay
   * as they are. A bad pair is refused (logged, `ok: false`) and the current one kept.
   * serve() calls this on SIGHUP; a change to the files triggers it too.
   */
  reloadTls(trigger: ReloadTrigger = 'call'): Promise<Result<TlsPair, TlsCode>> {
    if (!this.tls) return Promise.resolve(fail(TlsCode.RELAY_TLS_NOT_ENABLED, 'the relay serves plain HTTP (no --tls-cert)'));
    return this.tls.reload(trigger);
  }

  /** The certificate new TLS handshakes get; undefined on plain HTTP. */
  get tlsCertificate(): Pick<TlsPair, 'fingerprint256' | 'serialNumber' | 'validTo'> | undefined {
    const p = this.tls?.current;
    return p && { fingerprint256: p.fingerprint256, serialNumber: p.serialNumber, validTo: p.validTo };
  }

  get url(): string {
    const addr = this.http.address() as AddressInfo | null;
    if (!addr) return '';
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `${this.tls ? 'https' : 'http'}://${host}:${addr.port}`;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Graceful stop: clients get 1001 Going Away, venues stop, the port is released. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.signalling.close();
    this.tls?.close();
    clearInterval(this.heartbeatTimer);
    // Each client must learn it was told to go (1001: reconnect elsewhere now), not lost
    // (1006): so wait for the close handshakes. A client still reading a backlog (reports of
    // its account's orders, queued before the close frame) gets DRAIN_CLOSE_MS before it is
    // cut off; cutting it sooner resets the connection and its unread close frame with it.
    for (const s of this.sessions) s.close(CloseCode.GoingAway, 'SESSION_SHUTTING_DOWN', DRAIN_CLOSE_MS);
    const closing = Date.now();
    while (this.sessions.size > 0 && Date.now() - closing < DRAIN_CLOSE_MS + 100) await new Promise((r) => setTimeout(r, 10));
    this.orderPeer.close();
    this.scenario?.stop();
    await (this.upstream?.stop() ?? this.md.stop());
    this.meshSide?.close();
    await this.tradingSide?.close();
    for (const { wss } of this.endpoints.values()) wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // HSTS on every response of an HTTPS request (ours or a trusted proxy's): browsers ignore
    // it over plain HTTP (RFC 6797 section 8.1), so it is never sent there.
    if (isSecureRequest(req.headers, this.tls !== undefined, this.options.trustProxy)) res.setHeader('strict-transport-security', HSTS_VALUE);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/healthz') return json(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const ready = (this.upstream?.ready ?? this.md.ready) && !this.stopping && this.readinessChecks.every((c) => c());
      return json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not-ready', sessions: this.sessions.size });
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
      res.end(await this.metrics.registry.metrics());
      return;
    }
    if (path.startsWith('/api/auth/') && (await this.authRoutes(req, res, path))) return;
    if (path.startsWith('/peerjs') && (await this.signalling.handleRequest(req, res))) return;
    if (path.startsWith('/api/') && this.upstream) return this.upstream.api(req, res);
    if (path.startsWith('/api/') && this.apiRoutes && (await this.apiRoutes(req, res, new URL(req.url ?? '/', 'http://x')))) return;
    if (serveStatic(this.options.webRoot, req, res)) return;
    const err = transportError('NOT_FOUND', `no route for ${req.method} ${path}`);
    json(res, err.httpStatus, { code: err.code, message: err.message });
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node drops its own error listener on upgraded sockets; a reset must not crash the relay.
    socket.on('error', () => socket.destroy());
    if (this.signalling.handleUpgrade(req, socket, head)) return;
    const url = new URL(req.url ?? '/', 'http://x');
    const endpoint = this.endpoints.get(url.pathname);
    if (!endpoint || this.stopping) {
      const status = this.stopping ? 503 : 404;
      socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Service Unavailable'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    // The token is checked before the handshake: an unauthenticated client never gets a socket.
    void requirePrincipal(this.auth, req, 'market-data').then((p) => {
      if (!p.ok) return rejectUpgrade(socket, p.reason);
      if (this.stopping || socket.destroyed) return void socket.destroy();
      // /ws?features=book_delta: the compact book batches (Welcome.features says what was granted).
      const protocol = endpoint.protocol === protoProtocol ? protoProtocolFor(url.searchParams.get('features')) : endpoint.protocol;
      endpoint.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => this.accept(ws, protocol, p.value, req));
    });
  }

  private accept(ws: WebSocket, protocol: WireProtocol, principal: Principal, req: IncomingMessage): void {
    const up = this.upstream;
    const ctx: SessionContext = { orders: up?.orders ?? this.trading.oms, accountLimiter: this.accounts, md: up?.md ?? this.md, options: this.options, metrics: this.metrics, log: this.log, mesh: up ? up.mesh : this.meshSide, alerts: this.tradingSide?.alerts };
    const session = new Session(ws, protocol, ctx, principal);
    this.sessions.add(session);
    this.accounts.add(principal.account, session);
    this.upstream?.accountSessions(principal.account, this.accounts.count(principal.account));
    this.metrics.connections.inc({ protocol: protocol.name });
    this.metrics.connectionsTotal.inc({ protocol: protocol.name });
    this.log.info({ session: session.id, account: principal.account, protocol: protocol.name, client: clientAddress(req, this.options.trustProxy) }, 'session open');
    ws.once('close', () => {
      this.sessions.delete(session);
      this.accounts.remove(principal.account, session);
      this.upstream?.accountSessions(principal.account, this.accounts.count(principal.account));
    });
  }

  /** The market-data mesh (signer, coordinator); available once start() resolved. */
  get mesh(): MeshDistribution {
    if (!this.meshSide) throw new Error('relay not started');
    return this.meshSide;
  }

  /** The mesh hub's view of the other relays' signalling (relay/src/cluster/cluster-signalling.ts). */
  setMeshPeersElsewhere(holds: (peerId: string, account: string) => boolean): void {
    this.meshPeersElsewhere = holds;
  }

  /** An OMS node's view of the edges' sessions: cancel-on-disconnect waits for the account's last one anywhere. */
  setSessionsElsewhere(count: (account: string) => number): void {
    this.sessionsElsewhere = count;
  }

  /** Open sessions of `account` on this relay. */
  localSessions(account: string): number {
    return this.accounts.count(account);
  }

  /** Adds a condition of /readyz (a cluster node's NATS link): ready only while every one holds. */
  addReadinessCheck(check: () => boolean): void {
    this.readinessChecks.push(check);
  }

  /** The `/api/` routes of this process's order side (what an OMS node answers edges with); available once start() resolved. */
  get api(): ReturnType<typeof createApiRoutes> {
    if (!this.apiRoutes) throw new Error('relay not started, or an edge (no order side)');
    return this.apiRoutes;
  }

  /** The order side (OMS, risk, journal); available once start() resolved. */
  get trading(): Trading {
    if (!this.tradingSide) throw new Error('relay not started');
    return this.tradingSide;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
