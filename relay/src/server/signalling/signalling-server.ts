import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '@tickmesh/shared';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { rejectUpgrade, replyJson, selectSubprotocol, type AuthService, type Principal } from '../auth/index';
import { PeerIds } from './peer-id';
import { peerPrincipal } from './peer-principal';
import { errorSignal, parseClientSignal, PeerjsType, type ClientSignal, type ServerSignal } from './peerjs-protocol';
import { signalError, SignalCloseCode } from './signal-error';
import { SignallingPeer, type PeerInfo } from './signalling-peer';
import { resolveSignallingOptions, type SignallingOptions } from './signalling-options';
import { handleSignallingRequest } from './signalling-routes';

/** A peer registered (`reclaimed`: it took over its own id from an older socket) or left (`code` says why; undefined for a normal close). */
export type PeerEvent = { type: 'open'; peer: PeerInfo; reclaimed: boolean } | { type: 'close'; peer: PeerInfo; code: string | undefined };

/**
 * A peer served inside the relay process (the relay's order peer): signals addressed to its
 * id are handed to `receive` with the sender's registered id and principal, instead of going
 * to a socket. It answers with `Signalling.send`.
 */
export interface LocalPeer {
  receive(from: { id: string; principal: Principal }, signal: Exclude<ClientSignal, { type: 'HEARTBEAT' }>): void;
}

/** A signal between peers as another relay of the cluster hands it over (OFFER, ANSWER, CANDIDATE, LEAVE, EXPIRE). */
export type RelayedSignal = Exclude<ClientSignal, { type: 'HEARTBEAT' }> & { dst: string };

/**
 * Peers registered on the other relays of a cluster (relay/src/cluster/signal-bridge.ts): a
 * signal to an id no peer of this relay holds is handed to the relay holding it.
 */
export interface RemotePeers {
  /** Sends `signal` to the relay holding `signal.dst`; false when no relay of the cluster holds it. */
  forward(from: { id: string; account: string }, signal: RelayedSignal): boolean;
}

/** Counters for metrics: registered peers, how often each SIGNAL_* / AUTH_* code was produced, frames relayed per type. */
export interface SignallingStats {
  peers: number;
  codes: Record<string, number>;
  relayed: Record<string, number>;
}

/** The `/peerjs` signalling server, mounted by the relay on its own HTTP server. */
export interface Signalling {
  /** Serves `<path>/...` HTTP requests; resolves false (untouched) for any other path. */
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Takes upgrades under `<path>` (true) and answers them, 404 for anything but `<path>/peerjs`; false for other paths. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Every registered peer. */
  peers(): PeerInfo[];
  /** Subscribes to peer open/close events (for the mesh coordinator); returns the unsubscribe function. */
  onPeer(listener: (event: PeerEvent) => void): () => void;
  /**
   * Sends a server-initiated frame to a peer, e.g. mesh assignments. Use a type of your own
   * (not one of PeerjsType): the peerjs client ignores unknown types, and the mesh client reads
   * them from `peer.socket.on('message', ...)`. False when the peer is not registered or its socket is closing.
   */
  send(peerId: string, message: ServerSignal): boolean;
  stats(): SignallingStats;
  /**
   * Serves `id` in this process (see LocalPeer). The id must be one no account can register
   * (not `<tag>-<suffix>`). Returns the detach function.
   */
  attachLocal(id: string, peer: LocalPeer): () => void;
  /** Signals to ids held by other relays of the cluster go to `remote` (relay/src/cluster/). */
  attachRemote(remote: RemotePeers): void;
  /**
   * A signal from a peer of another relay to one of ours, as that relay's signalling accepted it
   * (`from.id` stamped there). False when no peer of this relay holds `signal.dst`.
   */
  deliverRemote(from: { id: string }, signal: RelayedSignal): boolean;
  /** A peer of another relay left the cluster: no peer here counts it as a contact any more. */
  remotePeerGone(id: string): void;
  /** The principal a registered peer signed in with (its newest token after a reclaim); undefined when not registered. */
  principalOf(peerId: string): Principal | undefined;
  /** Closes every peer (1001 SIGNAL_SHUTTING_DOWN) and stops the timers; later upgrades get 503. */
  close(): void;
}

/**
 * Creates the signalling server: the PeerJS server protocol (what the `peerjs` browser client
 * speaks) on a `ws` server in noServer mode, so the relay keeps routing upgrades itself. Only
 * authenticated sessions register, ids are bound to accounts (see peer-id.ts), and every
 * limit is an option (see signalling-options.ts). README.md has the protocol and the codes.
 *
 * @param options partial {@link SignallingOptions}; unset fields take `defaultSignallingOptions`.
 */
export function createSignalling(auth: AuthService, options: Partial<SignallingOptions>, log: Logger): Signalling {
  return new SignallingServer(auth, resolveSignallingOptions(options), log);
}

class SignallingServer implements Signalling {
  private readonly wss: WebSocketServer;
  private readonly ids: PeerIds;
  private readonly byId = new Map<string, SignallingPeer>();
  private readonly byAccount = new Map<string, Set<string>>();
  private readonly listeners = new Set<(e: PeerEvent) => void>();
  private readonly locals = new Map<string, LocalPeer>();
  private remote: RemotePeers | undefined;
  private readonly codes: Record<string, number> = {};
  private readonly relayed: Record<string, number> = {};
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly auth: AuthService,
    private readonly options: SignallingOptions,
    private readonly log: Logger,
  ) {
    this.ids = new PeerIds(options.idKey);
    // ws closes with 1009 only far above the limit; frames in between get a SIGNAL_MESSAGE_TOO_LARGE
    // ERROR the client can act on, as the relay's own endpoints do with CODEC_PAYLOAD_TOO_LARGE.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes * 4, perMessageDeflate: false, handleProtocols: selectSubprotocol });
    // A quarter of the timeout bounds how late a dead peer is noticed; never busier than 10 ms
    // nor lazier than 5 s (the peer package's fixed 300 ms sweep is a known CPU cost, peerjs-server#400).
    const sweepMs = Math.max(10, Math.min(5000, options.aliveTimeoutMs / 4));
    this.sweepTimer = setInterval(() => this.sweep(), sweepMs).unref();
  }

  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (!this.owns(pathname)) return false;
    if (this.closed) {
      const err = signalError(ErrorCode.SIGNAL_SHUTTING_DOWN, 'signalling is shutting down');
      replyJson(res, err.httpStatus, { code: err.code, message: err.message });
      return true;
    }
    await handleSignallingRequest({ auth: this.auth, options: this.options, ids: this.ids, peerIds: () => [...this.byId.keys()] }, req, res, pathname);
    return true;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (!this.owns(pathname)) return false;
    // Node drops its own error listener on upgraded sockets; a reset must not crash the relay.
    socket.on('error', () => socket.destroy());
    if (this.closed || pathname !== `${this.options.path}/peerjs`) {
      const status = this.closed ? 503 : 404;
      socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Service Unavailable'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return true;
    }
    // The token is checked before the handshake: an unauthenticated client never gets a socket.
    void peerPrincipal(this.auth, req).then(
      (p) => {
        if (!p.ok) {
          this.count(p.reason.code);
          return rejectUpgrade(socket, p.reason);
        }
        if (this.closed || socket.destroyed) return void socket.destroy();
        this.wss.handleUpgrade(req, socket, head, (ws) => this.register(ws, req, p.value));
      },
      () => socket.destroy(),
    );
    return true;
  }

  peers(): PeerInfo[] {
    return [...this.byId.values()].map((p) => p.info());
  }

  onPeer(listener: (event: PeerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(peerId: string, message: ServerSignal): boolean {
    return this.byId.get(peerId)?.send(message) ?? false;
  }

  attachLocal(id: string, peer: LocalPeer): () => void {
    if (this.ids.check(id, '') !== 'invalid') throw new Error(`local peer id ${id} is of the account form`);
    this.locals.set(id, peer);
    return () => this.locals.get(id) === peer && this.locals.delete(id);
  }

  attachRemote(remote: RemotePeers): void {
    this.remote = remote;
  }

  deliverRemote(from: { id: string }, signal: RelayedSignal): boolean {
    const target = this.byId.get(signal.dst);
    if (!target || target.gone) return false;
    if (signal.type === 'LEAVE') target.contacts.delete(from.id);
    else if (signal.type !== 'EXPIRE') {
      // The sender's relay counted the contact on its side; the limit holds on this one too.
      if (!target.contacts.has(from.id) && target.contacts.size >= this.options.maxConnectionsPerPeer) {
        this.count(ErrorCode.SIGNAL_TOO_MANY_CONNECTIONS);
        return false;
      }
      target.contacts.add(from.id);
    }
    const out: ServerSignal = { type: signal.type, src: from.id, dst: target.id };
    if (signal.payload !== undefined) out.payload = signal.payload;
    if (!target.send(out)) return false;
    this.relayed[signal.type] = (this.relayed[signal.type] ?? 0) + 1;
    return true;
  }

  remotePeerGone(id: string): void {
    if (this.byId.has(id)) return;
    for (const p of this.byId.values()) p.contacts.delete(id);
  }

  principalOf(peerId: string): Principal | undefined {
    return this.byId.get(peerId)?.principal;
  }

  stats(): SignallingStats {
    return { peers: this.byId.size, codes: { ...this.codes }, relayed: { ...this.relayed } };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    const err = signalError(ErrorCode.SIGNAL_SHUTTING_DOWN, 'relay stopping');
    for (const peer of [...this.byId.values()]) this.drop(peer, err.code);
    this.wss.close();
  }

  private owns(pathname: string): boolean {
    return pathname === this.options.path || pathname.startsWith(`${this.options.path}/`);
  }

  /**
   * Registration, decided synchronously once the socket is open so no other registration can
   * interleave. Refusals after authentication are sent in-band (a browser cannot read the
   * body of a refused upgrade) in the frame peerjs expects, then the socket closes with the
   * code as its reason.
   */
  private register(ws: WebSocket, req: IncomingMessage, principal: Principal): void {
    ws.on('error', (e) => this.log.debug({ err: e.message }, 'signalling socket error'));
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const id = q.get('id') ?? '';
    const account = principal.account;
    const refuse = (type: 'ERROR' | 'ID-TAKEN' | 'INVALID-KEY', code: string, msg: string) => {
      this.count(code);
      ws.send(JSON.stringify(errorSignal(type, code, msg)));
      ws.close(signalError(code, msg).closeCode, code);
    };
    if (q.get('key') !== this.options.key) return refuse(PeerjsType.InvalidKey, ErrorCode.SIGNAL_INVALID_KEY, 'unknown key');
    const owner = this.ids.check(id, account);
    if (owner === 'invalid') return refuse(PeerjsType.Error, ErrorCode.SIGNAL_INVALID_ID, 'id must be <tag>-<suffix>, from GET id');
    const held = this.byId.get(id);
    if (owner === 'foreign' || (held && held.account !== account)) {
      this.log.warn({ account, id, holder: held?.account }, 'signalling id hijack refused');
      return refuse(PeerjsType.IdTaken, ErrorCode.SIGNAL_ID_HIJACK, 'id belongs to another account');
    }
    if (!held) {
      if (this.byId.size >= this.options.maxPeers) return refuse(PeerjsType.Error, ErrorCode.SIGNAL_TOO_MANY_PEERS, 'relay is at its peer limit');
      if ((this.byAccount.get(account)?.size ?? 0) >= this.options.maxPeersPerAccount) return refuse(PeerjsType.Error, ErrorCode.SIGNAL_TOO_MANY_ACCOUNT_PEERS, 'account is at its peer limit');
    }
    const peer = new SignallingPeer(id, principal, ws, this.options);
    if (held) {
      // Reclaim: the same account reconnected (reload, network change) before the old socket
      // timed out. peerjs servers answer ID-TAKEN here until then (peers/peerjs#224); we hand
      // the id over at once and keep its signalling contacts, whose WebRTC links may still be up.
      held.gone = true;
      for (const c of held.contacts) peer.contacts.add(c);
      held.close(signalError(ErrorCode.SIGNAL_ID_RECLAIMED, ''));
      this.count(ErrorCode.SIGNAL_ID_RECLAIMED);
    }
    this.byId.set(id, peer);
    let mine = this.byAccount.get(account);
    if (!mine) this.byAccount.set(account, (mine = new Set()));
    mine.add(id);
    ws.on('message', (data, isBinary) => this.onMessage(peer, data, isBinary));
    ws.on('close', () => this.remove(peer, undefined));
    // OPEN also on a reclaim: the peer package skips it there and the client never opens (peerjs-server#462).
    peer.send({ type: PeerjsType.Open });
    this.log.info({ id, account, reclaimed: !!held }, 'signalling peer open');
    this.emit({ type: 'open', peer: peer.info(), reclaimed: !!held });
  }

  private onMessage(peer: SignallingPeer, data: RawData, isBinary: boolean): void {
    if (peer.gone) return;
    // Rate first: it is the cheapest check and garbage floods must cost the flooder too.
    const admit = peer.admit(performance.now());
    if (admit !== 'ok') {
      this.count(ErrorCode.SIGNAL_RATE_LIMITED);
      if (admit === 'close') return this.drop(peer, ErrorCode.SIGNAL_RATE_LIMITED);
      if (admit === 'drop') peer.send(errorSignal(PeerjsType.Error, ErrorCode.SIGNAL_RATE_LIMITED, 'too many messages'));
      return;
    }
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;
    if (bytes > this.options.maxMessageBytes) return this.bad(peer, ErrorCode.SIGNAL_MESSAGE_TOO_LARGE, `message over ${this.options.maxMessageBytes} bytes`);
    if (isBinary) return this.bad(peer, ErrorCode.SIGNAL_MALFORMED, 'binary frame');
    const parsed = parseClientSignal(data.toString());
    if (!parsed.ok) return this.bad(peer, parsed.reason.code, parsed.reason.message);
    peer.messages += 1;
    peer.lastSeenMs = Date.now();
    this.dispatch(peer, parsed.value);
  }

  private dispatch(peer: SignallingPeer, m: ClientSignal): void {
    switch (m.type) {
      case 'HEARTBEAT':
        return;
      case 'OFFER':
      case 'ANSWER':
      case 'CANDIDATE': {
        if (m.dst === peer.id) return this.bad(peer, ErrorCode.SIGNAL_MALFORMED, 'dst is the sender');
        const local = this.locals.get(m.dst);
        if (local) return this.toLocal(local, peer, m);
        const target = this.byId.get(m.dst);
        if (!target) return this.toRemote(peer, m);
        if (!peer.contacts.has(target.id)) {
          const max = this.options.maxConnectionsPerPeer;
          if (peer.contacts.size >= max || target.contacts.size >= max) {
            this.count(ErrorCode.SIGNAL_TOO_MANY_CONNECTIONS);
            return void peer.send(errorSignal(PeerjsType.Error, ErrorCode.SIGNAL_TOO_MANY_CONNECTIONS, 'too many connections'));
          }
          peer.contacts.add(target.id);
          target.contacts.add(peer.id);
        }
        return this.forward(peer, target, m);
      }
      case 'LEAVE':
      case 'EXPIRE': {
        // A LEAVE without dst is the peer leaving the server (as in the peer package).
        if (m.dst === undefined) return m.type === 'LEAVE' ? this.drop(peer, undefined) : undefined;
        const local = this.locals.get(m.dst);
        if (local) return this.toLocal(local, peer, m);
        const target = this.byId.get(m.dst);
        if (m.type === 'LEAVE') {
          peer.contacts.delete(m.dst);
          target?.contacts.delete(peer.id);
        }
        if (target) this.forward(peer, target, m);
        else this.remote?.forward({ id: peer.id, account: peer.account }, { ...m, dst: m.dst });
        return;
      }
    }
  }

  /**
   * An OFFER, ANSWER or CANDIDATE to an id no peer here holds: to the relay of the cluster that
   * holds it, else EXPIRE. No queueing for absent peers (the peer package holds them for
   * expire_timeout): a reconnecting peer is reassigned by the mesh coordinator anyway, and the
   * queue is memory an attacker could fill.
   */
  private toRemote(peer: SignallingPeer, m: Extract<ClientSignal, { type: 'OFFER' | 'ANSWER' | 'CANDIDATE' }>): void {
    const expire = () => void peer.send({ type: PeerjsType.Expire, src: m.dst, dst: peer.id });
    if (!this.remote) return expire();
    if (!peer.contacts.has(m.dst) && peer.contacts.size >= this.options.maxConnectionsPerPeer) {
      this.count(ErrorCode.SIGNAL_TOO_MANY_CONNECTIONS);
      return void peer.send(errorSignal(PeerjsType.Error, ErrorCode.SIGNAL_TOO_MANY_CONNECTIONS, 'too many connections'));
    }
    if (!this.remote.forward({ id: peer.id, account: peer.account }, m)) return expire();
    peer.contacts.add(m.dst);
    this.relayed[m.type] = (this.relayed[m.type] ?? 0) + 1;
  }

  private toLocal(local: LocalPeer, peer: SignallingPeer, m: Exclude<ClientSignal, { type: 'HEARTBEAT' }>): void {
    this.relayed[m.type] = (this.relayed[m.type] ?? 0) + 1;
    try {
      local.receive({ id: peer.id, principal: peer.principal }, m);
    } catch (err) {
      // As with listeners: a bug in the local peer must not take signalling down.
      this.log.error({ err }, 'local signalling peer threw');
    }
  }

  private forward(peer: SignallingPeer, target: SignallingPeer, m: Exclude<ClientSignal, { type: 'HEARTBEAT' }>): void {
    const out: ServerSignal = { type: m.type, src: peer.id, dst: target.id };
    if (m.payload !== undefined) out.payload = m.payload;
    if (target.send(out)) {
      this.relayed[m.type] = (this.relayed[m.type] ?? 0) + 1;
      return;
    }
    // The target's socket is gone without a close event yet: tell the sender, as peerjs servers do.
    this.remove(target, undefined);
    if (m.type !== 'LEAVE' && m.type !== 'EXPIRE') peer.send({ type: PeerjsType.Leave, src: target.id, dst: peer.id });
  }

  private bad(peer: SignallingPeer, code: string, msg: string): void {
    peer.bad += 1;
    this.count(code);
    peer.send(errorSignal(PeerjsType.Error, code, msg));
    if (peer.bad > this.options.maxBadMessages) this.drop(peer, code);
  }

  private sweep(): void {
    const deadline = Date.now() - this.options.aliveTimeoutMs;
    for (const peer of [...this.byId.values()]) {
      if (peer.lastSeenMs > deadline) continue;
      this.count(ErrorCode.SIGNAL_HEARTBEAT_TIMEOUT);
      this.drop(peer, ErrorCode.SIGNAL_HEARTBEAT_TIMEOUT);
    }
  }

  /** Closes the peer's socket (with `code` as the reason, or 1000 when undefined) and removes it at once. */
  private drop(peer: SignallingPeer, code: string | undefined): void {
    if (code === undefined) {
      if (peer.ws.readyState === peer.ws.OPEN) peer.ws.close(SignalCloseCode.Normal);
    } else {
      peer.close(signalError(code, ''));
    }
    // A silent peer may never answer the close handshake; do not keep its id or socket waiting for ws's 30 s close timeout.
    if (code === ErrorCode.SIGNAL_HEARTBEAT_TIMEOUT) setTimeout(() => peer.ws.terminate(), 1000).unref();
    this.remove(peer, code);
  }

  private remove(peer: SignallingPeer, code: string | undefined): void {
    if (peer.gone) return;
    peer.gone = true;
    if (this.byId.get(peer.id) === peer) this.byId.delete(peer.id);
    const mine = this.byAccount.get(peer.account);
    mine?.delete(peer.id);
    if (mine?.size === 0) this.byAccount.delete(peer.account);
    for (const c of peer.contacts) this.byId.get(c)?.contacts.delete(peer.id);
    this.log.info({ id: peer.id, account: peer.account, code }, 'signalling peer closed');
    this.emit({ type: 'close', peer: peer.info(), code });
  }

  private emit(e: PeerEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        // A listener's bug must not take the signalling server down with it.
        this.log.error({ err }, 'signalling peer listener threw');
      }
    }
  }

  private count(code: string): void {
    this.codes[code] = (this.codes[code] ?? 0) + 1;
  }
}
