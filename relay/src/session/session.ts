import { randomUUID } from 'node:crypto';
import { ErrorCode, type ClientMsg, type ExecutionReportMsg, type Instrument, type ServerMsg } from '@tickmesh/shared';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { EncodedFrame } from '../md/encoded-frame';
import { nowUs, type MdSubscriber } from '../md/market-data-service';
import type { MarketDataSource } from '../md/market-data-source';
import type { MeshLink, MeshPort } from '../md/mesh-link';
import type { WireFrame } from '../md/wire-frame';
import type { RelayMetrics } from '../metrics/relay-metrics';
import { alertMessage, type AlertFeed } from '../surveillance/live/index';
import { can, type Principal } from '../server/auth/index';
import type { RelayOptions } from '../server/options';
import { transportError } from '../server/transport-error';
import { SessionOutput } from './session-output';
import { TokenBucket } from './token-bucket';
import { forwardOrderRequest, type AccountLimiter, type OrderEntry, type OrderRequestMsg } from './order-requests';
import type { SessionRequest, StreamSubscription, WireProtocol } from './wire-protocol';

/** How often a conflated session checks whether its queue has drained. */
const DRAIN_POLL_MS = 20;

const BOTH_CHANNELS = { book: true, trades: true } as const;

export interface SessionContext {
  orders: OrderEntry;
  accountLimiter: AccountLimiter;
  md: MarketDataSource;
  options: RelayOptions;
  metrics: RelayMetrics;
  log: Logger;
  /** The market-data mesh; without it Welcome carries no key and mesh messages are refused. */
  mesh?: MeshPort;
  /** Where admin sessions' SubscribeAlerts listen; without it they are refused SURV_ALERTS_UNAVAILABLE. */
  alerts?: AlertFeed;
}

/** Protocol version this relay speaks (Hello.protocol_version). */
export const PROTOCOL_VERSION = 1;

/**
 * One client connection, either protocol: decodes requests, enforces limits (payload size,
 * message rate, subscriptions), holds the subscription set, and guards the send queue.
 *
 * Slow consumers: market data goes out only while the socket's send queue is under
 * `queueLimitBytes`. Over it, every book stream of the session is conflated: deltas are
 * withheld, and once the queue drains below half the limit each stream gets one fresh
 * snapshot and deltas resume. A session that does not drain within `slowConsumerTimeoutMs`
 * is closed with 4008 SESSION_SLOW_CONSUMER. Other sessions are never held up: nothing here
 * waits, it only skips.
 *
 * Mesh peers: the session is also the peer's relay link (MeshLink, see MeshDistribution). A
 * stream its peer joined is flagged `viaMesh` and gets snapshots only; fallback, leave or
 * the peer going away flips it back to direct batches after a fresh snapshot.
 */
export class Session implements MdSubscriber, MeshLink {
  readonly id = randomUUID();
  /** Cleared at each heartbeat, set by any pong or message; still clear at the next = dead. */
  alive = true;
  private readonly subs = new Map<number, StreamSubscription>();
  private readonly bucket: TokenBucket;
  private refusedInARow = 0;
  private conflatedSince = 0;
  private drainTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly out: SessionOutput;
  /** Streams the mesh feeds (joined, not on fallback), subscribed or not yet. */
  private readonly meshStreams = new Set<number>();
  /** Set while the session receives alerts (an admin's SubscribeAlerts). */
  private alertsOff: (() => void) | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly protocol: WireProtocol,
    private readonly ctx: SessionContext,
    /** Who is on the other end, from the token checked at the upgrade. */
    readonly principal: Principal,
  ) {
    this.out = new SessionOutput(ws, ctx.metrics.traffic[protocol.name], ctx.metrics.mdDirect[protocol.name]);
    const rate = ctx.options.messagesPerSecond;
    this.bucket = new TokenBucket(rate, rate * 2, performance.now());
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onFrame(data, isBinary));
    ws.on('pong', () => (this.alive = true));
    ws.on('close', (code: number) => this.onClose(code));
    ws.on('error', (err) => ctx.log.debug({ session: this.id, err: err.message }, 'socket error'));
    this.send({
      type: 'welcome',
      requestId: 0,
      sessionId: this.id,
      serverTimeUs: nowUs(),
      heartbeatMs: ctx.options.heartbeatMs,
      instruments: ctx.md.instruments(),
      mdPublicKey: ctx.mesh?.publicKey ?? new Uint8Array(0),
      account: principal.account,
      role: principal.role,
      features: protocol.features?.length ? [...protocol.features] : undefined,
    });
  }

  get protocolName(): string {
    return this.protocol.name;
  }

  get subscriptionCount(): number {
    return this.subs.size;
  }

  /** Bytes queued for this client and not yet handed to the kernel. */
  get queuedBytes(): number {
    return this.out.queuedBytes;
  }

  // ---- market data (MdSubscriber) ----------------------------------------------------

  deliverBatch(frame: EncodedFrame): void {
    const sub = this.subs.get(frame.stream.id);
    if (sub === undefined || sub.awaitingSnapshot || sub.viaMesh) return;
    if (this.out.queuedBytes > this.ctx.options.queueLimitBytes) {
      this.conflate();
      return;
    }
    this.protocol.marketData(frame, sub, this.out.sendBatchFrame);
  }

  /** This flush's frames are all written: they leave now, in one write, while the next session is served. */
  endOfFlush(): void {
    this.out.release();
  }

  deliverSnapshot(frame: EncodedFrame): void {
    const sub = this.subs.get(frame.stream.id);
    if (sub === undefined) return;
    if (this.out.queuedBytes > this.ctx.options.queueLimitBytes) {
      sub.awaitingSnapshot = true;
      this.conflate();
      return;
    }
    sub.awaitingSnapshot = false;
    this.protocol.marketData(frame, sub, this.out.sendFrame);
  }

  private conflate(): void {
    for (const sub of this.subs.values()) sub.awaitingSnapshot = true;
    if (this.drainTimer !== undefined) return;
    this.conflatedSince = performance.now();
    this.ctx.metrics.conflations.inc({ protocol: this.protocol.name });
    this.ctx.log.warn({ session: this.id, queued: this.out.queuedBytes }, 'slow consumer: book streams conflated');
    this.drainTimer = setInterval(() => this.recoverOrClose(), DRAIN_POLL_MS);
  }

  private recoverOrClose(): void {
    if (this.out.queuedBytes <= this.ctx.options.queueLimitBytes / 2) {
      clearInterval(this.drainTimer);
      this.drainTimer = undefined;
      for (const [streamId, sub] of this.subs) {
        if (sub.awaitingSnapshot) this.ctx.md.resync(this, streamId);
      }
    } else if (performance.now() - this.conflatedSince > this.ctx.options.slowConsumerTimeoutMs) {
      this.fail(ErrorCode.SESSION_SLOW_CONSUMER, `send queue stayed above ${this.ctx.options.queueLimitBytes} bytes`);
    }
  }

  // ---- mesh relay link (MeshLink) ------------------------------------------------------

  get account(): string {
    return this.principal.account;
  }

  sendMesh(frame: WireFrame, droppable: boolean): void {
    if (this.closed) return;
    // Frames wait for nobody: a backed-up peer repairs from history or falls back.
    if (droppable && this.out.queuedBytes > this.ctx.options.queueLimitBytes) return;
    this.out.sendFrame(frame);
  }

  setViaMesh(streamId: number, viaMesh: boolean): void {
    if (viaMesh) this.meshStreams.add(streamId);
    else this.meshStreams.delete(streamId);
    const sub = this.subs.get(streamId);
    if (sub === undefined || sub.viaMesh === viaMesh) return;
    sub.viaMesh = viaMesh;
    if (viaMesh || this.closed) return;
    // Back to direct: a snapshot first, so the direct feed starts without a gap whatever the
    // mesh delivered; batches flushed while taking it are withheld until it is out.
    sub.awaitingSnapshot = true;
    this.ctx.md.resync(this, streamId);
  }

  clearMesh(): void {
    for (const id of [...this.meshStreams]) this.setViaMesh(id, false);
  }

  refuseMesh(requestId: number, code: string, message: string): void {
    this.refuse(requestId, code, message);
  }

  // ---- heartbeats ---------------------------------------------------------------------

  /** Called by the server's heartbeat sweep. */
  heartbeat(): void {
    if (!this.alive) {
      this.fail(ErrorCode.SESSION_HEARTBEAT_TIMEOUT, 'no pong within two heartbeat intervals');
      return;
    }
    this.alive = false;
    this.ctx.metrics.sendQueueBytes.observe({ protocol: this.protocol.name }, this.out.queuedBytes);
    this.ws.ping();
  }

  // ---- requests -----------------------------------------------------------------------

  private onFrame(data: Buffer, isBinary: boolean): void {
    this.alive = true;
    this.ctx.metrics.framesReceived.inc({ protocol: this.protocol.name });
    if (data.length > this.ctx.options.maxPayloadBytes) {
      this.fail(ErrorCode.CODEC_PAYLOAD_TOO_LARGE, `frame of ${data.length} bytes exceeds ${this.ctx.options.maxPayloadBytes}`);
      return;
    }
    if (!this.bucket.take(performance.now())) {
      this.refuse(0, ErrorCode.SESSION_RATE_LIMITED, `more than ${this.ctx.options.messagesPerSecond} messages per second`);
      // A client that keeps flooding after being told is not listening: cut it off.
      if (++this.refusedInARow >= this.ctx.options.messagesPerSecond * 5) {
        this.fail(ErrorCode.SESSION_RATE_LIMITED, 'kept sending while rate limited');
      }
      return;
    }
    this.refusedInARow = 0;
    const decoded = this.protocol.decode(data, isBinary);
    if (!decoded.ok) {
      this.refuse(0, decoded.reason.code, decoded.reason.message);
      return;
    }
    this.handle(decoded.value);
  }

  private handle(req: SessionRequest): void {
    const msg = req.msg;
    switch (msg.type) {
      case 'hello':
        if (msg.protocolVersion !== 0 && msg.protocolVersion !== PROTOCOL_VERSION) {
          this.refuse(msg.requestId, ErrorCode.SESSION_UNSUPPORTED_VERSION, `protocol ${msg.protocolVersion} unsupported; this relay speaks ${PROTOCOL_VERSION}`);
        }
        return;
      case 'ping':
        this.send({ type: 'pong', requestId: msg.requestId, nonce: msg.nonce, timeUs: msg.timeUs });
        return;
      case 'pong':
        return;
      case 'subscribe':
        this.subscribe(msg, req);
        return;
      case 'unsubscribe':
        this.unsubscribe(msg, req);
        return;
      case 'newOrder':
      case 'cancelOrder':
      case 'replaceOrder':
      case 'cancelAll':
        this.trade(msg);
        return;
      case 'mesh':
        if (this.ctx.mesh) this.ctx.mesh.receive(this, msg.requestId, msg.payload);
        else this.refuse(msg.requestId, ErrorCode.MESH_PEER_NOT_REGISTERED, 'this relay runs no mesh');
        return;
      case 'subscribeAlerts':
        this.subscribeAlerts(msg);
        return;
    }
  }

  /**
   * Order requests go to the OMS under the session's own account. Outcomes reach the client
   * as execution reports (to every session of the account); a request the OMS refuses
   * outright (unknown order, duplicate client id ...) gets an Error with its code.
   */
  private trade(msg: OrderRequestMsg): void {
    if (!can(this.principal, 'trade')) {
      this.refuse(msg.requestId, ErrorCode.AUTH_FORBIDDEN, `role ${this.principal.role} may not trade`);
      return;
    }
    const account = this.principal.account;
    if (!this.ctx.accountLimiter.take(account)) {
      this.refuse(msg.requestId, ErrorCode.SESSION_RATE_LIMITED, `account ${account} is over its request rate`);
      return;
    }
    const outcome = forwardOrderRequest(this.ctx.orders, msg, account);
    outcome.then(
      (r) => {
        if (!r.ok) this.refuse(msg.requestId, r.reason.code, r.reason.message);
      },
      (err: unknown) => {
        this.ctx.log.error({ session: this.id, err }, 'order request failed');
        this.refuse(msg.requestId, ErrorCode.OMS_INTERNAL_ERROR, 'the order could not be processed');
      },
    );
  }

  /**
   * Admins only: the alerts still held with a seq above `sinceSeq`, then every alert as it is
   * journaled, until the session ends (pushed, never polled). Acknowledged by Subscribed with no
   * streams, before the held ones; subscribing again replays from the new `sinceSeq`.
   */
  private subscribeAlerts(msg: Extract<ClientMsg, { type: 'subscribeAlerts' }>): void {
    if (!can(this.principal, 'admin')) {
      this.refuse(msg.requestId, ErrorCode.AUTH_FORBIDDEN, `role ${this.principal.role} may not read alerts`);
      return;
    }
    const feed = this.ctx.alerts;
    if (feed === undefined) {
      this.refuse(msg.requestId, ErrorCode.SURV_ALERTS_UNAVAILABLE, 'this relay raises no alerts (an edge: subscribe on the OMS node)');
      return;
    }
    this.alertsOff?.();
    this.send({ type: 'subscribed', requestId: msg.requestId, streamIds: [] });
    for (const a of feed.recent(msg.sinceSeq)) this.send(alertMessage(a, msg.requestId));
    this.alertsOff = feed.onAlert((a) => this.send(alertMessage(a)));
  }

  /** An execution report of this session's account. */
  deliverReport(report: ExecutionReportMsg): void {
    this.send(report);
  }

  /** The relay's instruments changed (an edge whose md node lists others now): the new list, request id 0. */
  announceInstruments(instruments: Instrument[]): void {
    this.send({ type: 'instruments', requestId: 0, instruments });
  }

  /** A notice not answering any request (Error with request id 0): e.g. CLUSTER_REPORTS_GAP. */
  notify(code: string, message: string): void {
    this.send({ type: 'error', requestId: 0, code, message });
  }

  /** Resolves stream ids and symbols; refuses the whole request if any is unknown. */
  private resolve(msg: { requestId: number; streamIds: number[]; symbols: string[] }): number[] | undefined {
    const ids = new Set<number>();
    for (const id of msg.streamIds) {
      if (!this.ctx.md.stream(id)) {
        this.refuse(msg.requestId, ErrorCode.MD_UNKNOWN_STREAM, `unknown stream ${id}`);
        return undefined;
      }
      ids.add(id);
    }
    for (const symbol of msg.symbols) {
      const found = this.ctx.md.streamIdsForSymbol(symbol);
      if (found.length === 0) {
        this.refuse(msg.requestId, ErrorCode.MD_UNKNOWN_SYMBOL, `unknown symbol ${symbol}`);
        return undefined;
      }
      for (const id of found) ids.add(id);
    }
    return [...ids];
  }

  private subscribe(msg: Extract<ClientMsg, { type: 'subscribe' }>, req: SessionRequest): void {
    const channels = req.channels ?? BOTH_CHANNELS;
    const ids = this.resolve(msg);
    if (!ids) return;
    const added = ids.filter((id) => !this.subs.has(id)).length;
    if (this.subs.size + added > this.ctx.options.maxSubscriptions) {
      this.refuse(msg.requestId, ErrorCode.SESSION_TOO_MANY_SUBSCRIPTIONS, `at most ${this.ctx.options.maxSubscriptions} streams per connection`);
      return;
    }
    this.send({ type: 'subscribed', requestId: msg.requestId, streamIds: ids }, req);
    for (const id of ids) {
      const held = this.subs.get(id);
      if (held) {
        // Subscribing again is a resync: the same channels plus any new ones, and a snapshot.
        // Changes pending in the stream go out first, as a batch on the channels held so far:
        // the snapshot below would flush them anyway, and a channel added before that flush
        // would get that batch (a legacy `book` delta) ahead of its snapshot at the same seq.
        this.ctx.md.flushPending(id);
        held.book ||= channels.book;
        held.trades ||= channels.trades;
      } else {
        this.subs.set(id, { awaitingSnapshot: true, ...channels, viaMesh: this.meshStreams.has(id) });
        this.ctx.metrics.subscriptions.inc();
      }
      this.ctx.md.subscribe(this, id);
    }
  }

  private unsubscribe(msg: Extract<ClientMsg, { type: 'unsubscribe' }>, req: SessionRequest): void {
    const channels = req.channels ?? BOTH_CHANNELS;
    const ids = this.resolve(msg);
    if (!ids) return;
    for (const id of ids) {
      const held = this.subs.get(id);
      if (!held) continue;
      // A legacy client may drop one channel of a stream and keep the other.
      if (channels.book) held.book = false;
      if (channels.trades) held.trades = false;
      if (!held.book && !held.trades) this.drop(id);
    }
    this.send({ type: 'unsubscribed', requestId: msg.requestId, streamIds: ids }, req);
  }

  private drop(streamId: number): void {
    if (!this.subs.delete(streamId)) return;
    this.ctx.md.unsubscribe(this, streamId);
    this.ctx.metrics.subscriptions.dec();
  }

  // ---- sending and closing ------------------------------------------------------------

  /** Control messages (replies, errors) are small and always sent, even to a slow consumer. */
  private send(msg: ServerMsg, req?: SessionRequest): void {
    if (this.closed) return;
    const data = this.protocol.encode(msg, req);
    if (data !== null) this.out.send(data);
  }

  /** Refuses one request with a stable code; the connection stays open. */
  private refuse(requestId: number, code: string, message: string): void {
    this.ctx.metrics.clientErrors.inc({ protocol: this.protocol.name, code });
    this.send({ type: 'error', requestId, code, message });
  }

  /** Ends the connection: an Error message with the code, then the matching close code. */
  fail(code: string, message: string): void {
    if (this.closed) return;
    const err = transportError(code, message);
    this.refuse(0, code, message);
    // A silent peer is gone: cut it off soon. Any other peer is alive and gets time to read
    // what is queued up to the close frame, so it learns the code.
    this.close(err.closeCode, code, code === ErrorCode.SESSION_HEARTBEAT_TIMEOUT ? 1000 : 10_000);
  }

  /** Closes with a close frame; a peer that has not completed the close by `terminateAfterMs` is cut off. */
  close(closeCode: number, reason: string, terminateAfterMs = 1000): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.log.info({ session: this.id, closeCode, reason }, 'closing session');
    this.ws.close(closeCode, reason);
    setTimeout(() => this.ws.terminate(), terminateAfterMs).unref();
  }

  private onClose(code: number): void {
    this.closed = true;
    this.alertsOff?.();
    this.alertsOff = undefined;
    clearInterval(this.drainTimer);
    for (const id of [...this.subs.keys()]) this.drop(id);
    // After the subscriptions are gone: nothing is re-sent to a closed socket.
    this.ctx.mesh?.linkClosed(this);
    this.ctx.metrics.connections.dec({ protocol: this.protocol.name });
    this.ctx.metrics.closes.inc({ protocol: this.protocol.name, code: String(code) });
  }
}


