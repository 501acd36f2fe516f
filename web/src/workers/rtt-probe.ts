import { wallClockUs } from '@tickmesh/shared';

/**
 * Application-level round trip for the status bar, and the client's own liveness check: a
 * Ping carrying the send time every `intervalMs` (default 2,000); the relay's Pong echoes it.
 * When nothing at all has arrived from the relay for `silentMs` (default 4 intervals), the
 * link is dead (a cut cable keeps a browser's WebSocket "open" until TCP gives up, minutes
 * later) and `onSilent` runs. The relay checks the other direction with WebSocket pings.
 */
export class RttProbe {
  /** Last measured round trip, ms; 0 before the first Pong. */
  rttMs = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private nonce = 0;
  private heardAt = 0;

  constructor(
    private readonly intervalMs = 2000,
    private readonly silentMs = 4 * intervalMs,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Sends a ping now and every interval through `send` (nonce, time µs since the Unix epoch);
   * at a tick that finds the relay silent for `silentMs`, stops and calls `onSilent` instead.
   */
  start(send: (nonce: number, timeUs: number) => void, onSilent: () => void = () => {}): void {
    this.stop();
    this.heardAt = this.now();
    const tick = () => {
      if (this.now() - this.heardAt >= this.silentMs) {
        this.stop();
        onSilent();
        return;
      }
      send(++this.nonce, wallClockUs());
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
  }

  /** Something (any frame) arrived from the relay. */
  heard(): void {
    this.heardAt = this.now();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A Pong echoing `timeUs` arrived. */
  onPong(timeUs: number): void {
    const rtt = (wallClockUs() - timeUs) / 1000;
    if (rtt >= 0 && Number.isFinite(rtt)) this.rttMs = rtt;
  }
}

