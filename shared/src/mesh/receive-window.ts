/**
 * Receive side of one stream at one peer: which seqs are in, which are being verified, which
 * are missing and since when, and in-order delivery from `nextSeq`. A fixed ring of
 * `capacity` slots indexed by seq % capacity; a seq at or beyond nextSeq + capacity does not
 * fit (the peer is too far behind and must resync).
 */

/** Where a received seq falls. */
export const SeqClass = {
  /** Already delivered (seq < nextSeq). */
  Behind: 0,
  /** Held or being verified: a duplicate. */
  Held: 1,
  /** Wanted: not yet received. */
  Free: 2,
  /** Beyond the window. */
  Ahead: 3,
} as const;
export type SeqClass = (typeof SeqClass)[keyof typeof SeqClass];

const EMPTY = 0;
const VERIFYING = 1;
const HELD = 2;

export class ReceiveWindow {
  /** Next seq to deliver. */
  nextSeq = 1;
  /** Highest seq received or announced (relay heartbeat), at least nextSeq - 1. */
  highSeq = 0;
  private readonly state: Uint8Array;
  private readonly msgs: (Uint8Array | undefined)[];
  private readonly frames: (Uint8Array | undefined)[];
  /** Time a seq was first seen missing; NaN = not yet noticed. */
  readonly missingSince: Float64Array;
  /** Time of the last repair request for a seq; NaN = none. */
  readonly requestedAt: Float64Array;
  /** Repair requests sent for a seq (chooses the next source). */
  readonly attempts: Uint8Array;

  constructor(readonly capacity = 1024) {
    this.state = new Uint8Array(capacity);
    this.msgs = new Array(capacity).fill(undefined);
    this.frames = new Array(capacity).fill(undefined);
    this.missingSince = new Float64Array(capacity).fill(NaN);
    this.requestedAt = new Float64Array(capacity).fill(NaN);
    this.attempts = new Uint8Array(capacity);
  }

  /** Starts over: the next seq to deliver is `afterSeq + 1`. */
  reset(afterSeq: number): void {
    this.state.fill(EMPTY);
    this.msgs.fill(undefined);
    this.frames.fill(undefined);
    this.missingSince.fill(NaN);
    this.requestedAt.fill(NaN);
    this.attempts.fill(0);
    this.nextSeq = afterSeq + 1;
    this.highSeq = afterSeq;
  }

  classify(seq: number): SeqClass {
    if (seq < this.nextSeq) return SeqClass.Behind;
    if (seq >= this.nextSeq + this.capacity) return SeqClass.Ahead;
    return this.state[seq % this.capacity] === EMPTY ? SeqClass.Free : SeqClass.Held;
  }

  /** True when seq is wanted and nobody is verifying a copy of it. */
  isMissing(seq: number): boolean {
    return seq >= this.nextSeq && seq < this.nextSeq + this.capacity && this.state[seq % this.capacity] === EMPTY;
  }

  markVerifying(seq: number): void {
    this.state[seq % this.capacity] = VERIFYING;
  }

  /** A copy failed verification: the seq is wanted again. */
  unmark(seq: number): void {
    const i = seq % this.capacity;
    if (this.state[i] === VERIFYING) this.state[i] = EMPTY;
  }

  store(seq: number, message: Uint8Array, frame: Uint8Array): void {
    const i = seq % this.capacity;
    this.state[i] = HELD;
    this.msgs[i] = message;
    this.frames[i] = frame;
    if (seq > this.highSeq) this.highSeq = seq;
  }

  /** The message of a held, undelivered seq (repairs may be served from here too). */
  message(seq: number): Uint8Array | undefined {
    if (seq < this.nextSeq || seq >= this.nextSeq + this.capacity) return undefined;
    const i = seq % this.capacity;
    return this.state[i] === HELD ? this.msgs[i] : undefined;
  }

  /** Notes that seqs up to `seq` exist (relay heartbeat), so the tail can be repaired. */
  announce(seq: number): void {
    const max = this.nextSeq + this.capacity - 1;
    if (seq > this.highSeq) this.highSeq = Math.min(seq, max);
  }

  /** Delivers every held seq from nextSeq on, in order; returns how many. */
  deliver(onFrame: (seq: number, frame: Uint8Array) => void): number {
    let n = 0;
    const cap = this.capacity;
    for (;;) {
      const i = this.nextSeq % cap;
      if (this.state[i] !== HELD) return n;
      const frame = this.frames[i]!;
      this.state[i] = EMPTY;
      this.msgs[i] = undefined;
      this.frames[i] = undefined;
      this.missingSince[i] = NaN;
      this.requestedAt[i] = NaN;
      this.attempts[i] = 0;
      const seq = this.nextSeq++;
      n++;
      onFrame(seq, frame);
    }
  }
}
