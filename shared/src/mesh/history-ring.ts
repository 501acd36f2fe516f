/**
 * The last `capacity` frame messages of one stream by seq, kept to answer neighbours' repair
 * requests with the exact bytes received. Slot = seq % capacity, so put and get are O(1) and
 * nothing is allocated after construction.
 */
export class HistoryRing {
  private readonly seqs: Float64Array;
  private readonly msgs: (Uint8Array | undefined)[];
  /** Highest seq stored (0 when empty). */
  high = 0;

  constructor(readonly capacity = 256) {
    this.seqs = new Float64Array(capacity).fill(-1);
    this.msgs = new Array(capacity).fill(undefined);
  }

  put(seq: number, message: Uint8Array): void {
    const i = seq % this.capacity;
    this.seqs[i] = seq;
    this.msgs[i] = message;
    if (seq > this.high) this.high = seq;
  }

  get(seq: number): Uint8Array | undefined {
    const i = seq % this.capacity;
    return this.seqs[i] === seq ? this.msgs[i] : undefined;
  }

  /** Lowest seq that may still be held. */
  get low(): number {
    return Math.max(1, this.high - this.capacity + 1);
  }

  clear(): void {
    this.seqs.fill(-1);
    this.msgs.fill(undefined);
    this.high = 0;
  }
}
