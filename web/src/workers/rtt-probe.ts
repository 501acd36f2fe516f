import { wallClockUs } from '@tickmesh/shared';

/**
 * Application-level round trip for the status bar: a Ping carrying the send time every
 * `intervalMs` (default 2,000); the relay's Pong echoes it. The relay's own liveness checks
 * use WebSocket ping frames, which browsers answer themselves, so this is for display only.
 */
export class RttProbe {
  /** Last measured round trip, ms; 0 before the first Pong. */
  rttMs = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private nonce = 0;

  constructor(private readonly intervalMs = 2000) {}

  /** Sends a ping now and every interval through `send` (nonce, time µs since the Unix epoch). */
  start(send: (nonce: number, timeUs: number) => void): void {
    this.stop();
    const tick = () => send(++this.nonce, wallClockUs());
    tick();
    this.timer = setInterval(tick, this.intervalMs);
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

