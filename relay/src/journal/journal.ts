import { fdatasync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { JournalError, JournalErrorCode, journalError } from './journal-error';
import { FRAME_OVERHEAD, HASH_BYTES, LENGTH_BYTES, chainHashHex, payloadCrc } from './journal-format';
import { createJournalFile, openIfExists, writeFullySync } from './journal-file';
import { resolveJournalOptions, type JournalOptions } from './journal-options';
import type { JournalEntry, JournalRecord } from '@tickmesh/shared';
import { decodeJournalRecord, encodeJournalRecord } from '@tickmesh/shared';
import { scanJournal } from './journal-scanner';

/** What `Journal.open` found and repaired. */
export interface RecoveryInfo {
  /** Bytes of torn tail (a last write cut short by a crash, never acknowledged) removed; 0 if none. */
  truncatedBytes: number;
  /** True when the file did not exist and open() created it. */
  created: boolean;
}

/** Counters for tests, metrics and benches. Monotonic for the journal's lifetime. */
export interface JournalStats {
  /** Records accepted by `append` (seq assigned). */
  appends: number;
  /** Write calls that completed, one per group-commit batch. */
  batches: number;
  /** fdatasync calls that completed (0 with `fsync: false`). */
  syncs: number;
  /** Bytes written after the header. */
  bytes: number;
}

interface Waiter {
  entry: JournalEntry;
  resolve: (entry: JournalEntry | PromiseLike<JournalEntry>) => void;
  reject: (error: unknown) => void;
}

/** Framed records waiting for one write + one fdatasync. */
interface Batch {
  buf: Buffer;
  len: number;
  waiters: Waiter[];
}

/** Initial capacity of a batch buffer; it grows by doubling up to maxBatchBytes (or one record). */
const INITIAL_BATCH_BYTES = 64 * 1024;

/** What the writer is doing: nothing, about to write (a flush is queued), or waiting for a fdatasync. */
const enum Writer {
  Idle,
  Scheduled,
  Syncing,
}

/**
 * The relay's append-only, tamper-evident, crash-safe event journal (framing: FORMAT.md).
 *
 * Appends are group-committed: records appended in one synchronous run share one write, and
 * every record appended while a fdatasync is in flight joins the next batch, so N concurrent
 * appends cost a handful of syncs, not N. A record's promise resolves only once its batch is
 * written (and, with fsync, on stable storage). At most one batch is ever written and not yet
 * synced, which is what bounds a torn tail to one write (FORMAT.md).
 *
 * One Journal per file, in one process: nothing locks the file, so two writers would interleave
 * and break the chain (the relay opens it once at start).
 */
export class Journal {
  /** Observable counters; see JournalStats. */
  readonly stats: JournalStats = { appends: 0, batches: 0, syncs: 0, bytes: 0 };

  private readonly queue: Batch[] = [];
  private readonly spare: Buffer[] = [];
  private writer = Writer.Idle;
  /** The batch whose fdatasync is in flight (Writer.Syncing). */
  private syncing: Batch | null = null;
  private idleWaiters: (() => void)[] = [];
  private closing: Promise<void> | null = null;
  private failure: JournalError | null = null;
  // Bound once: they are handed to queueMicrotask / fdatasync for every batch.
  private readonly flushNow = (): void => this.flush();
  private readonly onSynced = (err: Error | null): void => this.synced(err);

  private constructor(
    /** Path the journal was opened at. */
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly fsync: boolean,
    private readonly maxBatchBytes: number,
    private readonly maxRecordBytes: number,
    private seq: number,
    /** Chain hash of the last record appended; overwritten in place by each append. */
    private readonly head: Buffer,
    /** File offset where the next batch goes: just past the last record handed to a write. */
    private size: number,
    private readonly replicate: JournalOptions['replicate'],
  ) {}

  /**
   * Opens (or creates) the journal at `path`, verifying every record.
   *
   * A torn tail is truncated away and reported in `recovered.truncatedBytes`. Any other damage
   * throws a JournalError (`JOURNAL_CORRUPT`, `JOURNAL_CHAIN_BROKEN`, `JOURNAL_BAD_HEADER`) with
   * the record's seq and byte offset: the relay must not start on a journal it cannot trust.
   * Options default to `{ fsync: true, maxBatchBytes: 1 MiB, maxRecordBytes: 1 MiB }`.
   */
  static async open(
    path: string,
    options?: JournalOptions,
  ): Promise<{ journal: Journal; entries: JournalEntry[]; recovered: RecoveryInfo }> {
    const opts = resolveJournalOptions(options);
    let created = false;
    let handle = await openIfExists(path, 'r+');
    if (!handle) {
      created = await createJournalFile(path);
      handle = await open(path, 'r+');
    }
    try {
      const entries: JournalEntry[] = [];
      const scan = await scanJournal(handle, opts, (seq, payload, hash) => {
        entries.push({ seq, record: decodeJournalRecord(payload), hash: hash.toString('hex') });
      });
      const truncatedBytes = scan.fileBytes - scan.validBytes;
      if (truncatedBytes > 0) {
        // Durable before any append: new records written over a torn tail that later
        // "reappeared" after a crash would leave garbage behind the new head.
        await handle.truncate(scan.validBytes);
        await handle.sync();
      }
      const journal = new Journal(
        path, handle, opts.fsync, opts.maxBatchBytes, opts.maxRecordBytes, scan.records, Buffer.from(scan.headHash), scan.validBytes, options?.replicate,
      );
      return { journal, entries, recovered: { truncatedBytes, created } };
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /**
   * Reads and verifies a journal without modifying it (a torn tail is skipped, not truncated).
   * Throws the same JournalErrors as `open`. Options: only the size limits matter (defaults 1 MiB).
   */
  static async read(path: string, options?: JournalOptions): Promise<JournalEntry[]> {
    const opts = resolveJournalOptions(options);
    const handle = await open(path, 'r');
    try {
      const entries: JournalEntry[] = [];
      await scanJournal(handle, opts, (seq, payload, hash) => {
        entries.push({ seq, record: decodeJournalRecord(payload), hash: hash.toString('hex') });
      });
      return entries;
    } finally {
      await handle.close();
    }
  }

  /** Seq of the last record appended (acknowledged or not); 0 for an empty journal. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Chain hash (hex) of the last record appended, or the genesis hash of an empty journal. */
  get headHash(): string {
    return this.head.toString('hex');
  }

  /**
   * Appends one record. Its seq is assigned now (gap-free, in call order); the promise resolves
   * with the stored entry once the record is durable (written and fdatasync'ed, unless
   * `fsync: false`). Rejects with JOURNAL_CLOSED after close(), JOURNAL_RECORD_TOO_LARGE for a
   * record over `maxRecordBytes`, JOURNAL_IO_FAILED once any write or sync has failed.
   */
  append(record: JournalRecord): Promise<JournalEntry> {
    if (this.closing) return Promise.reject(journalError(JournalErrorCode.JOURNAL_CLOSED, 'journal is closed'));
    if (this.failure) return Promise.reject(this.failure);
    let payload: Uint8Array;
    try {
      payload = encodeJournalRecord(record);
    } catch (e) {
      return Promise.reject(e); // an unknown kind: a caller bug, surfaced on the promise like every other failure
    }
    if (payload.length > this.maxRecordBytes) {
      return Promise.reject(journalError(
        JournalErrorCode.JOURNAL_RECORD_TOO_LARGE, `record of ${payload.length} bytes exceeds maxRecordBytes ${this.maxRecordBytes}`,
      ));
    }
    const seq = ++this.seq;
    // The digest comes as hex (what the entry carries) and is decoded into the one head buffer:
    // no Buffer allocated per record.
    const hex = chainHashHex(this.head, seq, payload);
    this.head.write(hex, 0, HASH_BYTES, 'hex');

    const batch = this.batchFor(payload.length + FRAME_OVERHEAD);
    const buf = batch.buf;
    let at = batch.len;
    buf.writeUInt32LE(payload.length, at);
    at += LENGTH_BYTES;
    buf.set(payload, at);
    at += payload.length;
    buf.writeUInt32LE(payloadCrc(payload), at);
    at += 4;
    this.head.copy(buf, at);
    batch.len = at + HASH_BYTES;
    this.stats.appends++;

    const entry: JournalEntry = { seq, record, hash: hex };
    const done = new Promise<JournalEntry>((resolve, reject) => batch.waiters.push({ entry, resolve, reject }));
    // One microtask, so appends made in the same synchronous run share the write. While a
    // fdatasync is in flight nothing is scheduled: its completion writes what gathered meanwhile.
    if (this.writer === Writer.Idle) {
      this.writer = Writer.Scheduled;
      queueMicrotask(this.flushNow);
    }
    return done;
  }

  /** Flushes pending appends (awaiting their durability), then closes the file. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.writer !== Writer.Idle) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      await this.handle.close();
    })();
    return this.closing;
  }

  /** The open batch (the queue's last) if the frame fits under maxBatchBytes, else a new one. */
  private batchFor(frameBytes: number): Batch {
    let batch = this.queue[this.queue.length - 1];
    if (!batch || (batch.len > 0 && batch.len + frameBytes > this.maxBatchBytes)) {
      const buf = this.spare.pop() ?? Buffer.allocUnsafe(Math.min(INITIAL_BATCH_BYTES, this.maxBatchBytes));
      batch = { buf, len: 0, waiters: [] };
      this.queue.push(batch);
    }
    const need = batch.len + frameBytes;
    if (need > batch.buf.length) {
      let cap = batch.buf.length * 2;
      while (cap < need) cap *= 2;
      const grown = Buffer.allocUnsafe(Math.max(need, Math.min(cap, this.maxBatchBytes)));
      batch.buf.copy(grown, 0, 0, batch.len);
      batch.buf = grown;
    }
    return batch;
  }

  /**
   * Writes the queued batches. Taking a batch off the queue closes it: appends made from here
   * on open the next one. Without fsync every queued batch is written and acknowledged now;
   * with fsync one batch is written and its fdatasync started, and the rest wait for it (the
   * group commit).
   */
  private flush(): void {
    this.writer = Writer.Idle;
    for (let batch = this.queue.shift(); batch; batch = this.queue.shift()) {
      if (this.failure) {
        rejectAll(batch, this.failure);
        continue;
      }
      try {
        writeFullySync(this.handle.fd, batch.buf, batch.len, this.size);
      } catch (e) {
        this.fail(batch, e);
        continue;
      }
      this.stats.batches++;
      this.size += batch.len;
      this.stats.bytes += batch.len;
      // The bytes are in the page cache now: the buffer can take the next batch.
      if (this.spare.length < 2 && batch.buf.length <= this.maxBatchBytes) this.spare.push(batch.buf);
      if (!this.fsync) {
        this.acknowledge(batch);
        continue;
      }
      this.writer = Writer.Syncing;
      this.syncing = batch;
      fdatasync(this.handle.fd, this.onSynced);
      return;
    }
    const waiters = this.idleWaiters;
    if (waiters.length > 0) {
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private synced(err: Error | null): void {
    const batch = this.syncing!;
    this.syncing = null;
    if (err) this.fail(batch, err);
    else {
      this.stats.syncs++;
      this.acknowledge(batch);
    }
    // What gathered during the sync goes down now, before the callers just acknowledged run:
    // their work then overlaps the next fdatasync instead of queueing behind it.
    this.flush();
  }

  /** The batch is written (and synced): its appends resolve, in a cluster once the replica has each record too. */
  private acknowledge(batch: Batch): void {
    const replicate = this.replicate;
    if (replicate === undefined) for (const w of batch.waiters) w.resolve(w.entry);
    else for (const w of batch.waiters) w.resolve(replicate(w.entry).then(() => w.entry));
  }

  private fail(batch: Batch, e: unknown): void {
    // After a failed write or fsync the page cache may already have dropped our dirty pages
    // (Linux marks them clean), so a retry could "succeed" without the data: fail for good.
    this.failure = journalError(JournalErrorCode.JOURNAL_IO_FAILED, `journal write failed: ${(e as Error).message}`, { cause: e });
    rejectAll(batch, this.failure);
  }
}

function rejectAll(batch: Batch, error: unknown): void {
  for (const w of batch.waiters) w.reject(error);
}
