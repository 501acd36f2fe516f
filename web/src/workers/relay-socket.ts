import type { WebSocketCtor } from './engine-deps';
import { DEFAULT_BACKOFF, reconnectDelayMs, type BackoffOptions } from './reconnect-backoff';

/** What `RelaySocket` reports to its owner. */
export interface RelaySocketEvents {
  /** The socket opened (the relay's Welcome follows). */
  onOpen(): void;
  /** One frame as the WebSocket delivered it (an ArrayBuffer for binary frames). */
  onData(data: unknown): void;
  /** The socket closed or failed to open; a reconnect is scheduled unless stopped. */
  onDown(code: number, reason: string): void;
}

/** Options of `RelaySocket`. */
export interface RelaySocketOptions {
  backoff?: BackoffOptions;
  /** Default `Math.random`. */
  random?: () => number;
}

/**
 * One WebSocket to the relay at a time, re-opened after every close or failure with
 * exponential backoff and jitter (250 ms doubling to 10 s by default) until `stop()`. The URL
 * and subprotocols are asked for anew at each attempt, so a refreshed token is used on the
 * next reconnect. The backoff restarts from the first step once the owner calls
 * `connected()` (after the relay's Welcome, not merely the TCP open: a relay that accepts and
 * drops at once must not be hammered).
 */
export class RelaySocket {
  private ws: WebSocket | undefined;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** performance.now() of the scheduled reconnect; 0 when none is scheduled. */
  private retryAt = 0;
  private running = false;
  private open = false;
  /** Sockets opened so far (the first connect included). */
  opens = 0;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;

  constructor(
    private readonly Ctor: WebSocketCtor,
    private readonly events: RelaySocketEvents,
    options: RelaySocketOptions = {},
  ) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
  }

  /** True between the socket's open and its close. */
  get isOpen(): boolean {
    return this.open;
  }

  /** True while an attempt is in flight (socket created, not yet open or closed). */
  get isConnecting(): boolean {
    return this.ws !== undefined && !this.open;
  }

  /** Ms until the scheduled reconnect; 0 when none is scheduled. */
  get reconnectInMs(): number {
    return this.retryAt === 0 ? 0 : Math.max(0, Math.round(this.retryAt - performance.now()));
  }

  /** Starts connecting (and reconnecting) to what `target` names at each attempt. */
  start(target: () => { url: string; protocols: string[] }): void {
    this.stop();
    this.running = true;
    this.target = target;
    this.attempt = 0;
    this.openNow();
  }

  /** Closes the socket and stops reconnecting. */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.retryAt = 0;
    const ws = this.ws;
    this.ws = undefined;
    this.open = false;
    if (ws !== undefined) {
      detach(ws);
      try {
        ws.close(1000, 'client disconnect');
      } catch {
        // closing a socket still connecting may throw in some implementations; it is gone anyway
      }
    }
  }

  /** The session is established: the next drop starts the backoff from its first step. */
  connected(): void {
    this.attempt = 0;
  }

  /** Sends one binary frame; false when no socket is open (the frame is dropped). */
  send(bytes: Uint8Array): boolean {
    if (!this.open || this.ws === undefined) return false;
    this.ws.send(bytes);
    return true;
  }

  /** Closes the current socket as a network failure would: the reconnect logic runs. Test hook. */
  drop(): void {
    this.ws?.close(4000, 'dropped');
  }

  /**
   * Gives up on the open socket at once, as if it had closed with `code`: the owner hears
   * onDown now and a reconnect is scheduled. For a link that went silent (a cut cable): a
   * close handshake over it would wait for the network to time out, minutes in a browser.
   */
  abandon(code: number, reason: string): void {
    const ws = this.ws;
    if (ws === undefined) return;
    detach(ws);
    this.ws = undefined;
    this.open = false;
    try {
      ws.close(code, reason);
    } catch {
      // Gone already.
    }
    this.scheduleRetry();
    this.events.onDown(code, reason);
  }

  private target: () => { url: string; protocols: string[] } = () => ({ url: '', protocols: [] });

  private openNow(): void {
    this.retryAt = 0;
    if (!this.running) return;
    const { url, protocols } = this.target();
    let ws: WebSocket;
    try {
      ws = new this.Ctor(url, protocols);
    } catch {
      // A malformed URL throws synchronously; treat it like a failed attempt.
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    this.opens++;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.open = true;
      this.events.onOpen();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.ws === ws) this.events.onData(ev.data);
    };
    // Browsers fire error then close for every failure; only close drives the reconnect.
    ws.onerror = () => {};
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      detach(ws);
      this.ws = undefined;
      this.open = false;
      this.scheduleRetry();
      this.events.onDown(ev.code, ev.reason);
    };
  }

  private scheduleRetry(): void {
    if (!this.running) return;
    const delay = reconnectDelayMs(this.attempt++, this.random, this.backoff);
    this.retryAt = performance.now() + delay;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.openNow(), delay);
  }
}

function detach(ws: WebSocket): void {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onclose = null;
  // Keep a no-op error handler: the `ws` package throws an unhandled 'error' without one.
  ws.onerror = () => {};
}
