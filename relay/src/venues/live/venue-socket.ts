import { WebSocket } from 'ws';
import { Backoff, type BackoffOptions } from './backoff';

/** Options of {@link VenueSocket}. */
export interface VenueSocketOptions {
  /** The URL, asked again on every connect (a listen key or token may change). */
  url: () => string | Promise<string>;
  /**
   * Silence past this (no message, no ping) is a dead feed even if the socket looks open:
   * the socket is dropped and reconnected. Set it from the venue's heartbeat period.
   */
  silenceMs: number;
  backoff?: BackoffOptions;
  /** The socket is open (first or after a reconnect): subscribe here. */
  onOpen: (socket: VenueSocket) => void;
  onMessage: (text: string) => void;
  /** The feed is down (closed, errored or silent) until the next onOpen; `why` is for logs. */
  onDown: (why: string) => void;
}

/**
 * One WebSocket to an exchange that stays up: reconnects with capped, jittered backoff, and
 * treats silence past the venue's heartbeat as death (CCXT's watchOrderBook and
 * NautilusTrader's adapters have both shown books "live" on a half-open socket; here a
 * silent socket is closed and the feed reported down at once).
 */
export class VenueSocket {
  private ws: WebSocket | undefined;
  private readonly backoff: Backoff;
  private watchdog: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private lastFrameMs = 0;
  private stopped = false;
  private up = false;
  /** Connects made (1 + reconnects); for tests and metrics. */
  connects = 0;

  constructor(private readonly options: VenueSocketOptions) {
    this.backoff = new Backoff(options.backoff);
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  /** Sends a text frame; false when the socket is not open (the caller resubscribes in onOpen). */
  send(text: string): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(text);
    return true;
  }

  /** Drops the connection now and reconnects after the backoff (a resync that needs a new socket). */
  restart(why: string): void {
    this.ws?.terminate();
    this.down(why);
  }

  get isOpen(): boolean {
    return this.up;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.watchdog);
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.terminate();
      });
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let url: string;
    try {
      url = await this.options.url();
    } catch (err) {
      this.down(`url: ${(err as Error).message}`);
      return;
    }
    if (this.stopped) return;
    this.connects++;
    const ws = new WebSocket(url, { handshakeTimeout: Math.max(1000, this.options.silenceMs) });
    this.ws = ws;
    ws.on('open', () => {
      if (ws !== this.ws) return;
      this.up = true;
      this.lastFrameMs = performance.now();
      clearInterval(this.watchdog);
      const period = Math.max(10, Math.min(1000, this.options.silenceMs / 4));
      this.watchdog = setInterval(() => {
        if (performance.now() - this.lastFrameMs <= this.options.silenceMs) return;
        // After a blocked event loop, timers can run before the socket's waiting frames are read:
        // let one round of I/O in before calling a busy socket silent.
        setImmediate(() => {
          if (ws === this.ws && performance.now() - this.lastFrameMs > this.options.silenceMs) this.restart(`silent for more than ${this.options.silenceMs} ms`);
        });
      }, period);
      this.options.onOpen(this);
    });
    ws.on('message', (data: Buffer) => {
      if (ws !== this.ws) return;
      this.lastFrameMs = performance.now();
      // A message after a good open proves the venue serves us: the next failure backs off from the base.
      this.backoff.reset();
      this.options.onMessage(data.toString());
    });
    ws.on('ping', () => {
      if (ws === this.ws) this.lastFrameMs = performance.now();
    });
    ws.on('error', () => {
      // 'close' follows; the reason is reported there.
    });
    ws.on('close', (code, reason) => {
      if (ws === this.ws) this.down(`closed ${code} ${reason.toString()}`.trim());
    });
  }

  private down(why: string): void {
    clearInterval(this.watchdog);
    this.ws = undefined;
    const wasUp = this.up;
    this.up = false;
    if (this.stopped) return;
    if (wasUp || this.connects > 0) this.options.onDown(why);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), this.backoff.next());
  }
}
