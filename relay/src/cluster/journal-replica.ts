import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { headers, nanos, type NatsConnection } from '@nats-io/transport-node';
import { decodeJournalRecord, encodeJournalRecord, type JournalEntry, type JournalRecord } from '@tickmesh/shared';

/** The JetStream stream holding the active OMS's journal, record for record, seq for seq. */
export const JOURNAL_STREAM = 'TICKMESH_JOURNAL';
export const JOURNAL_SUBJECT = 'tickmesh.journal';
/** Header with the record's chain hash on the active: a follower checks its own copy against it. */
const HASH_HEADER = 'Tm-Journal-Hash';

/** Stable codes of the replica's failures. */
export const ReplicaCode = {
  /** The stream's next seq is not the journal's: another node appended, or records were lost. The node must stop. */
  CLUSTER_JOURNAL_FENCED: 'CLUSTER_JOURNAL_FENCED',
  /** A follower's copy of a record hashes otherwise than the active's: the copies differ. */
  CLUSTER_JOURNAL_DIVERGED: 'CLUSTER_JOURNAL_DIVERGED',
} as const;

export class ReplicaError extends Error {
  constructor(
    readonly code: (typeof ReplicaCode)[keyof typeof ReplicaCode],
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** A record as the stream holds it. */
export interface ReplicatedRecord {
  seq: number;
  record: JournalRecord;
  hash: string;
}

/**
 * The OMS journal shipped through JetStream. The active publishes each entry once it is
 * durable on its disk, and the OMS acknowledges it only once JetStream has too (publish ack):
 * so an acknowledged order is on the stream, and a standby that takes over has it.
 *
 * Stream seq = journal seq. Each publish expects the stream's last seq to be the entry's seq - 1
 * and carries the seq as Nats-Msg-Id: a second active (split brain) cannot append behind the
 * first one's back, and a retried publish is stored once.
 */
export class JournalReplica {
  private constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  /** Opens the stream, creating it on first use (file storage, every record kept). */
  static async open(nc: NatsConnection): Promise<JournalReplica> {
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.streams.info(JOURNAL_STREAM);
    } catch {
      await jsm.streams.add({ name: JOURNAL_STREAM, subjects: [JOURNAL_SUBJECT], storage: 'file' as never, duplicate_window: nanos(120_000) });
    }
    return new JournalReplica(jetstream(nc), jsm);
  }

  /** Seq of the stream's last record (0 when empty). */
  async lastSeq(): Promise<number> {
    return (await this.jsm.streams.info(JOURNAL_STREAM)).state.last_seq;
  }

  /** The active's chain hash of record `seq`, or undefined when the stream does not hold it. */
  async hashAt(seq: number): Promise<string | undefined> {
    const m = await this.jsm.streams.getMessage(JOURNAL_STREAM, { seq }).catch(() => null);
    return m?.header?.get(HASH_HEADER) || undefined;
  }

  /** Ships one durable entry; resolves once JetStream stored it. Rejects with CLUSTER_JOURNAL_FENCED when the stream is not at seq - 1. */
  async publish(entry: JournalEntry): Promise<void> {
    const h = headers();
    h.set(HASH_HEADER, entry.hash);
    try {
      const ack = await this.js.publish(JOURNAL_SUBJECT, encodeJournalRecord(entry.record), { msgID: String(entry.seq), expect: { lastSequence: entry.seq - 1 }, headers: h, timeout: 5000 });
      if (ack.seq !== entry.seq) throw new ReplicaError(ReplicaCode.CLUSTER_JOURNAL_FENCED, `record ${entry.seq} stored as stream seq ${ack.seq}`);
    } catch (err) {
      if (err instanceof ReplicaError) throw err;
      if (/wrong last sequence/i.test((err as Error).message)) throw new ReplicaError(ReplicaCode.CLUSTER_JOURNAL_FENCED, `the stream is not at seq ${entry.seq - 1}: another node appended (${(err as Error).message})`);
      throw err;
    }
  }

  /**
   * publish(), retried while NATS is away (the Nats-Msg-Id makes a retry store once) for up to
   * `forMs`; then, or at once when fenced, `onFatal`: the node must stop, since its journal
   * holds a record the stream does not and every later publish would be fenced.
   */
  async publishOrStop(entry: JournalEntry, forMs: number, onFatal: (err: Error) => void): Promise<void> {
    const until = Date.now() + forMs;
    for (;;) {
      try {
        return await this.publish(entry);
      } catch (err) {
        if (err instanceof ReplicaError || Date.now() >= until) {
          onFatal(err as Error);
          throw err;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /**
   * The stream's records from `fromSeq` on, as they come (an ordered consumer: gap-free, in
   * order); runs until `signal` aborts. `onRecord` is awaited before the next one.
   */
  async follow(fromSeq: number, onRecord: (r: ReplicatedRecord) => Promise<void>, signal: AbortSignal): Promise<void> {
    const consumer = await this.js.consumers.get(JOURNAL_STREAM, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq });
    const messages = await consumer.consume();
    const stop = () => void messages.close();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const m of messages) {
        await onRecord({ seq: m.seq, record: decodeJournalRecord(m.data), hash: m.headers?.get(HASH_HEADER) ?? '' });
        if (signal.aborted) break;
      }
    } finally {
      signal.removeEventListener('abort', stop);
      await messages.close();
    }
  }
}
