import type { JournalEntry } from '@tickmesh/shared';

/** The journal's write and size settings (the read-only readers use the size limits). */
export interface JournalLimits {
  /**
   * fdatasync every batch before acknowledging it. Default `true`. `false` only for tests and
   * benches that say so: an acknowledged record may then be lost on power failure.
   */
  fsync?: boolean;
  /**
   * Upper bound of one group-commit batch (one write + one fdatasync). Default 1 MiB
   * (1,048,576). A single record larger than this is written alone. Readers also use it to tell
   * a torn tail (at most one write long) from a corrupt length field.
   */
  maxBatchBytes?: number;
  /** Largest encoded record payload accepted by `append` and by readers. Default 1 MiB (1,048,576). */
  maxRecordBytes?: number;
}

/** Options of `Journal.open` (and of the read-only readers, which use the size limits). */
export interface JournalOptions extends JournalLimits {
  /**
   * In a cluster (relay/src/cluster/journal-replica.ts) a record is durable only once the
   * replica holds it too: each append resolves after this does, called in seq order once the
   * record is written (and synced). A rejection fails that append, not the journal. Default none.
   */
  replicate?: (entry: JournalEntry) => Promise<void>;
}

/** `{ fsync: true, maxBatchBytes: 1 MiB, maxRecordBytes: 1 MiB }`. */
export const DEFAULT_JOURNAL_OPTIONS: Readonly<Required<JournalLimits>> = {
  fsync: true,
  maxBatchBytes: 1 << 20,
  maxRecordBytes: 1 << 20,
};

/** Fills in defaults and rejects nonsensical limits (a RangeError: a configuration bug). */
export function resolveJournalOptions(options: JournalOptions = {}): Required<JournalLimits> {
  const { fsync, maxBatchBytes, maxRecordBytes } = options;
  const o = { ...DEFAULT_JOURNAL_OPTIONS, ...stripUndefined({ fsync, maxBatchBytes, maxRecordBytes }) };
  if (!Number.isInteger(o.maxBatchBytes) || o.maxBatchBytes < 1) throw new RangeError('maxBatchBytes must be a positive integer');
  // The length prefix is a u32.
  if (!Number.isInteger(o.maxRecordBytes) || o.maxRecordBytes < 1 || o.maxRecordBytes > 0xffffffff) {
    throw new RangeError('maxRecordBytes must be an integer in 1..2^32-1');
  }
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
