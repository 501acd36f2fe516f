import type { CcxtExchange } from './ccxt-wire';

const OPEN = 1;

/**
 * Silence on a ccxt socket past `silenceMs` (no message, no server ping) is a dead feed even
 * while the socket looks open: the socket is terminated, so ccxt rejects every watch on it
 * and the adapter marks those books STALE and resubscribes. The same rule as the live
 * venues' VenueSocket watchdog (live/venue-socket.ts), applied to sockets ccxt owns: ccxt's
 * own keepalive only notices a missing pong after keepAlive × maxPingPongMisses (6 minutes
 * on Binance), and meanwhile watchOrderBook keeps handing out the last book as if it were
 * current (ccxt issues 23214, 21731, 6659).
 */
export class CcxtWatchdog {
  private readonly lastFrame = new WeakMap<object, number>();
  private timer: NodeJS.Timeout | undefined;
  /** Sockets terminated for silence; for tests and logs. */
  silences = 0;

  constructor(
    private readonly exchange: CcxtExchange,
    private readonly silenceMs: number,
    private readonly onSilent: (url: string) => void,
  ) {}

  start(): void {
    const period = Math.max(10, Math.min(1000, this.silenceMs / 4));
    this.timer = setInterval(() => this.check(), period);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Counts a frame on every socket ccxt has open now (the adapter calls it when a watch resolves, so new sockets are instrumented at once). */
  watchNew(): void {
    for (const client of Object.values(this.exchange.clients)) {
      const ws = client.connection;
      if (!ws || this.lastFrame.has(ws)) continue;
      this.lastFrame.set(ws, performance.now());
      const seen = () => this.lastFrame.set(ws, performance.now());
      ws.on('message', seen);
      ws.on('ping', seen);
    }
  }

  private check(): void {
    this.watchNew();
    const now = performance.now();
    for (const client of Object.values(this.exchange.clients)) {
      const ws = client.connection;
      if (!ws || ws.readyState !== OPEN) continue;
      if (now - (this.lastFrame.get(ws) ?? now) <= this.silenceMs) continue;
      // After a blocked event loop timers can run before the waiting frames are read: one
      // round of I/O first, then judge.
      setImmediate(() => {
        if (ws.readyState !== OPEN || performance.now() - (this.lastFrame.get(ws) ?? 0) <= this.silenceMs) return;
        this.silences++;
        this.onSilent(client.url);
        ws.terminate();
      });
    }
  }
}
