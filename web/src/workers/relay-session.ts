/*
 * The worker's session with the relay: the /ws socket (reconnects with backoff), the access
 * token and its refresh, the REST client, RTT pings that give up on a silent relay, and what
 * the relay's Welcome said (account, role, market-data key). Kept apart from the engine so
 * the engine deals in messages, not in sockets, tokens and timers.
 */
import type { ClientMsg, ServerMsg } from '@tickmesh/shared';
import type { EngineDeps } from './engine-deps';
import type { BackoffOptions } from './reconnect-backoff';
import { RelayRest } from './relay-rest';
import { RelaySocket } from './relay-socket';
import { RttProbe } from './rtt-probe';
import type { ConnectionState, ConnectOptions, TerminalFrame } from './terminal-api';
import { TokenKeeper } from './token-keeper';

/** Close code of a socket given up because the relay went silent (the app-private 4000 range). */
const RELAY_SILENT_CLOSE = 4001;

/** Options of `RelaySession` (see TerminalEngineOptions for their defaults). */
export interface RelaySessionOptions {
  pingIntervalMs?: number;
  backoff?: BackoffOptions;
  refreshShare?: number;
}

/** What the session hands to the engine, and takes from it. */
export interface RelaySessionEvents {
  /** One WebSocket frame, as the socket delivered it. */
  onData(data: unknown): void;
  /** The socket closed (the session reconnects by itself). */
  onDown(): void;
  /** Sends a message on the engine's route to the relay (pings). */
  send(msg: ClientMsg): boolean;
}

export class RelaySession {
  private readonly socket: RelaySocket;
  private readonly rtt: RttProbe;
  private readonly refreshShare: number | undefined;
  private tokens: TokenKeeper | undefined;
  private client: RelayRest | undefined;
  private running = false;
  private hasWelcome = false;
  private relayAccount = '';
  private relayRole = '';
  private mdKey: Uint8Array | undefined;
  private connectWaiters: Array<() => void> = [];

  constructor(
    private readonly deps: Required<EngineDeps>,
    options: RelaySessionOptions,
    private readonly events: RelaySessionEvents,
  ) {
    this.refreshShare = options.refreshShare;
    this.rtt = new RttProbe(options.pingIntervalMs ?? 2000);
    this.socket = new RelaySocket(
      deps.WebSocket,
      { onOpen: () => {}, onData: (d) => events.onData(d), onDown: () => events.onDown() },
      { backoff: options.backoff, random: deps.random },
    );
  }

  /** The relay's Welcome arrived on the current socket. */
  get welcomed(): boolean {
    return this.hasWelcome;
  }

  /** The relay account ('' before the first Welcome; kept across reconnects). */
  get account(): string {
    return this.relayAccount;
  }

  get role(): string {
    return this.relayRole;
  }

  /** The relay's market-data signing key (from the last Welcome). */
  get mdPublicKey(): Uint8Array | undefined {
    return this.mdKey;
  }

  /** The REST client of the current connection (undefined before `open`). */
  get rest(): RelayRest | undefined {
    return this.client;
  }

  /** The current access token ('' before `open`). */
  get token(): string {
    return this.tokens?.token ?? '';
  }

  get tokenRefreshes(): number {
    return this.tokens?.refreshes ?? 0;
  }

  /** Sockets opened so far. */
  get opens(): number {
    return this.socket.opens;
  }

  /**
   * Starts the connection to `options.origin` (reconnecting until `stop`) and the token's
   * refresh. `ready` resolves at the first `releaseWaiters` (see TerminalEngine.connect).
   */
  open(options: ConnectOptions): { rest: RelayRest; ready: Promise<void> } {
    const origin = options.origin.replace(/\/+$/, '');
    const keeper = new TokenKeeper(options.token, () => this.client!.refresh(), { now: this.deps.now, refreshShare: this.refreshShare });
    this.tokens = keeper;
    const rest = new RelayRest(this.deps.fetch, origin, () => keeper.token);
    this.client = rest;
    this.running = true;
    const ready = new Promise<void>((resolve) => this.connectWaiters.push(resolve));
    const wsOrigin = origin.replace(/^http/i, 'ws');
    // book_delta: compact book batches (decodeServer reads them as any batch; Welcome.features says if granted).
    this.socket.start(() => ({ url: `${wsOrigin}/ws?features=book_delta`, protocols: ['tickmesh', `bearer.${keeper.token}`] }));
    return { rest, ready };
  }

  /** Closes the socket and stops reconnecting, refreshing and pinging. */
  stop(): void {
    this.running = false;
    this.socket.stop();
    this.tokens?.stop();
    this.rtt.stop();
    this.hasWelcome = false;
  }

  /** The relay's Welcome: who we are on this socket. */
  welcome(msg: Extract<ServerMsg, { type: 'welcome' }>): void {
    this.relayAccount = msg.account;
    this.relayRole = msg.role;
    this.mdKey = msg.mdPublicKey;
    this.hasWelcome = true;
  }

  /** The session is set up (subscriptions sent): backoff starts over, and pings begin. */
  established(): void {
    this.socket.connected();
    this.rtt.start(
      (nonce, timeUs) => this.events.send({ type: 'ping', requestId: 0, nonce, timeUs }),
      () => this.socket.abandon(RELAY_SILENT_CLOSE, 'relay silent'),
    );
  }

  /** The socket closed: no Welcome holds until the next one; pings stop. */
  down(): void {
    this.hasWelcome = false;
    this.rtt.stop();
  }

  /** Resolves the pending `open`s' `ready`. */
  releaseWaiters(): void {
    const waiters = this.connectWaiters;
    this.connectWaiters = [];
    for (const w of waiters) w();
  }

  /** Something came from the relay: it is not silent. */
  heard(): void {
    this.rtt.heard();
  }

  onPong(timeUs: number): void {
    this.rtt.onPong(timeUs);
  }

  /** One binary frame on the socket; false when none is open. */
  send(bytes: Uint8Array): boolean {
    return this.socket.send(bytes);
  }

  /** Closes the socket as a network failure would (the session reconnects). Test hook. */
  drop(): void {
    this.socket.drop();
  }

  /** The connection part of a frame; `viewStale`: some stream of the view is out of sync. */
  frame(viewStale: boolean): TerminalFrame['connection'] {
    return { state: this.state(viewStale), rttMs: this.rtt.rttMs, reconnectInMs: this.socket.reconnectInMs, account: this.relayAccount, role: this.relayRole };
  }

  private state(viewStale: boolean): ConnectionState {
    if (!this.running) return 'offline';
    if (!this.hasWelcome) return this.socket.isOpen || this.socket.isConnecting ? 'connecting' : 'offline';
    return viewStale ? 'stale' : 'live';
  }
}

/** The bytes of a binary frame, whichever shape the WebSocket implementation delivered. */
export function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // An ArrayBuffer from another realm (a test runner's context) fails instanceof.
  if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') return new Uint8Array(data as ArrayBuffer);
  return undefined; // a text frame: not part of /ws
}
