import type { OrderStatus } from '@tickmesh/shared';
import type { AlgoChild, AlgoContext, AlgoDone, AlgoHandle } from './algo-port';

/** A sent child as the fake records it. */
export interface SentChild extends AlgoChild {
  atMs: number;
}

interface Timer {
  dueMs: number;
  seq: number;
  fn: () => void;
}

/**
 * Test double of `AlgoContext`: a manual clock (`advance`), timers run in due order (ties in
 * creation order), every call recorded. `onSend` lets a test play the venue, synchronously
 * from inside `sendChild`; otherwise the test reports fills later via `handle`.
 */
export class FakeAlgoContext implements AlgoContext {
  now = 0;
  readonly sent: SentChild[] = [];
  readonly dones: AlgoDone[] = [];
  /** Every `scheduled` call: [nextSliceMs, endsMs], with the clock when it came. */
  readonly schedules: Array<{ atMs: number; nextSliceMs: number; endsMs: number }> = [];
  cancelCalls = 0;
  volume = 0;
  /** The handle under test, for `onSend` scripts and helpers. */
  handle: AlgoHandle | undefined;
  onSend: ((child: SentChild, n: number) => void) | undefined;
  private timers: Timer[] = [];
  private seq = 0;
  private childIds = 0;

  nowMs(): number {
    return this.now;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const t: Timer = { dueMs: this.now + ms, seq: this.seq++, fn };
    this.timers.push(t);
    return () => {
      this.timers = this.timers.filter((x) => x !== t);
    };
  }

  sendChild(child: AlgoChild): void {
    const rec = { ...child, atMs: this.now };
    this.sent.push(rec);
    this.onSend?.(rec, this.sent.length - 1);
  }

  cancelChildren(): void {
    this.cancelCalls++;
  }

  marketVolume(_symbol: string): number {
    return this.volume;
  }

  scheduled(nextSliceMs: number, endsMs: number): void {
    this.schedules.push({ atMs: this.now, nextSliceMs, endsMs });
  }

  /** The OMS's optional hook; tests that care replace it. */
  done: (() => void) | undefined = undefined;

  onDone(done: AlgoDone): void {
    this.dones.push(done);
  }

  /** Timers still pending. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves the clock forward by `ms`, running every timer due on the way, in order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.timers) {
        if (t.dueMs <= end && (!next || t.dueMs < next.dueMs || (t.dueMs === next.dueMs && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.now = Math.max(this.now, next.dueMs);
      next.fn();
    }
    this.now = end;
  }

  /** Fills `qty` of the working child and, when `status` is given, ends it. */
  report(qty: number, status?: OrderStatus): void {
    const childId = `child-${this.childIds}`;
    if (qty > 0) this.handle!.onChildFill(qty, childId);
    if (status !== undefined) {
      this.handle!.onChildDone(childId, status);
      this.childIds++;
    }
  }
}
