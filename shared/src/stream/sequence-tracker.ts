/** What to do with a batch, from its (epoch, seq) alone. */
export type SequenceVerdict = 'apply' | 'duplicate' | 'gap' | 'awaiting-snapshot';

/**
 * Gap detection for one market-data stream. Within an epoch `seq` grows by exactly 1 per
 * batch and a snapshot carries the seq it is valid at (DESIGN.md "Contracts").
 *
 * `check` commits as it judges: an 'apply' verdict advances the expected seq, and a 'gap'
 * drops the tracker back to awaiting a snapshot, so every later batch is refused until
 * `onSnapshot` — a book that missed a batch can only be repaired by a snapshot.
 */
export class SequenceTracker {
  private epochValue = 0;
  private seqValue = 0;
  private synced = false;

  /** Epoch of the last snapshot (0 before any). */
  get epoch(): number {
    return this.epochValue;
  }

  /** Seq of the last snapshot or applied batch (0 before any). */
  get lastSeq(): number {
    return this.seqValue;
  }

  /** False until the first snapshot, and again after a gap or `reset`. */
  get hasSnapshot(): boolean {
    return this.synced;
  }

  /** A snapshot valid at (epoch, seq) was applied: batches from seq + 1 on follow. */
  onSnapshot(epoch: number, seq: number): void {
    this.epochValue = epoch;
    this.seqValue = seq;
    this.synced = true;
  }

  /**
   * Judges a batch: 'apply' when it is exactly the next seq of the current epoch;
   * 'duplicate' when seq is at or below the last one (already applied: ignore it);
   * 'gap' when seq skips ahead or the epoch changed (the stream restarted);
   * 'awaiting-snapshot' before the first snapshot and after a gap until the next one.
   */
  check(epoch: number, seq: number): SequenceVerdict {
    if (!this.synced) return 'awaiting-snapshot';
    if (epoch !== this.epochValue) {
      this.synced = false;
      return 'gap';
    }
    if (seq <= this.seqValue) return 'duplicate';
    if (seq !== this.seqValue + 1) {
      this.synced = false;
      return 'gap';
    }
    this.seqValue = seq;
    return 'apply';
  }

  /** Forgets the sync point (e.g. after a checksum mismatch): await a snapshot again. */
  reset(): void {
    this.synced = false;
  }
}
