import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { JournalEntry } from '@tickmesh/shared';
import type { Logger } from 'pino';
import { Journal } from '../journal/index';
import { HEADER_BYTES } from '../journal/journal-format';
import { ReplicaCode, ReplicaError, type JournalReplica, type ReplicatedRecord } from './journal-replica';
import type { OmsLease } from './oms-lease';
import type { OmsShared } from './oms-shared';

/** What a node did before it became the active OMS. */
export interface TakeoverSummary {
  /** Records copied from the stream into the local journal (while standby and at takeover). */
  copied: number;
  /** Local records the stream lacked, published at takeover (a first active, or one that restarted alone). */
  published: number;
  /** The local journal differed from the stream and was moved aside (journal.tmj.diverged-<ms>). */
  movedAside: string | undefined;
  /** Time spent before this node held the lease with its journal equal to the stream. */
  standbyMs: number;
}

/**
 * A `--role oms` node before it serves: it keeps its local journal a copy of the stream
 * (byte for byte: the cluster's journal header, then each record, chain hash checked) while
 * another node holds the lease, and returns once it holds the lease itself (and keeps renewing
 * it) with its journal equal to the stream. Then the relay opens that journal as usual: the OMS
 * rebuilds every order and fill from it, and the venues' reconciliation brings the orders still
 * working in line with the exchange.
 */
export async function becomeActiveOms(
  dataDir: string,
  replica: JournalReplica,
  lease: OmsLease,
  shared: OmsShared,
  log: Logger,
  onLeaseLost: (why: string) => void,
  pollMs = Math.max(50, Math.floor(lease.leaseMs / 3)),
): Promise<TakeoverSummary> {
  const started = Date.now();
  const copy = new JournalCopy(join(dataDir, 'journal.tmj'), replica, log);
  try {
    let standby = false;
    while (!(await lease.tryAcquire())) {
      const header = await shared.journalHeader();
      if (!standby) {
        standby = true;
        log.info({ holder: (await lease.holder())?.node }, 'cluster: standby OMS, following the journal stream');
      }
      // Until the first active stored its header there is nothing to follow yet.
      if (header) await copy.catchUp(header);
      await new Promise((r) => setTimeout(r, pollMs));
    }
    // Kept from now on: catching up and starting the relay may take longer than the lease.
    lease.keep(onLeaseLost);
    const header = await shared.journalHeader();
    await copy.catchUp(header);
    // The first active of a cluster: its journal's header becomes the cluster's.
    if (!header) await shared.storeJournalHeader(await copy.header());
    await copy.publishWhatTheStreamLacks();
  } finally {
    await copy.close();
  }
  const summary: TakeoverSummary = { copied: copy.copied, published: copy.published, movedAside: copy.movedAside, standbyMs: Date.now() - started };
  log.info(summary, 'cluster: this node is the active OMS');
  return summary;
}

/** The local journal as a copy of the stream. */
class JournalCopy {
  copied = 0;
  published = 0;
  movedAside: string | undefined;
  private journal: Journal | undefined;
  /** The local entries found on opening: the ones the stream may lack. */
  private local: JournalEntry[] = [];

  constructor(
    private readonly path: string,
    private readonly replica: JournalReplica,
    private readonly log: Logger,
  ) {}

  /**
   * Opens the local journal (creating it with the cluster's `header`), moving it aside first if
   * it is not a prefix of the stream nor the stream a prefix of it; then copies what the stream
   * has beyond it.
   */
  async catchUp(header: Uint8Array | undefined): Promise<void> {
    const journal = this.journal ?? (await this.open(header));
    const target = await this.replica.lastSeq();
    if (journal.lastSeq >= target) return;
    const stop = new AbortController();
    await this.replica.follow(journal.lastSeq + 1, async (r) => {
      await this.append(journal, r);
      if (journal.lastSeq >= target) stop.abort();
    }, stop.signal);
  }

  /** The local records after the stream's last: published, so the stream holds the whole journal. */
  async publishWhatTheStreamLacks(): Promise<void> {
    const streamLast = await this.replica.lastSeq();
    for (const e of this.local) {
      if (e.seq <= streamLast) continue;
      await this.replica.publish(e);
      this.published++;
    }
  }

  /** The 16 header bytes of the local journal. */
  async header(): Promise<Uint8Array> {
    const f = await open(this.path, 'r');
    try {
      const b = Buffer.alloc(HEADER_BYTES);
      await f.read(b, 0, HEADER_BYTES, 0);
      return b;
    } finally {
      await f.close();
    }
  }

  async close(): Promise<void> {
    await this.journal?.close();
  }

  private async open(header: Uint8Array | undefined): Promise<Journal> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    if (header) await writeFile(this.path, header, { flag: 'wx', mode: 0o600 }).catch(() => {}); // only when there is no journal yet
    let { journal, entries } = await Journal.open(this.path);
    const common = Math.min(journal.lastSeq, await this.replica.lastSeq());
    const sameHeader = !header || Buffer.from(await this.header()).equals(Buffer.from(header));
    if (!sameHeader || (common > 0 && (await this.replica.hashAt(common)) !== entries[common - 1].hash)) {
      await journal.close();
      this.movedAside = `${this.path}.diverged-${Date.now()}`;
      await rename(this.path, this.movedAside);
      this.log.warn({ movedAside: this.movedAside, at: common, sameHeader }, 'cluster: the local journal is not a copy of the stream; moved aside, rebuilding from the stream');
      if (header) await writeFile(this.path, header, { flag: 'wx', mode: 0o600 });
      ({ journal, entries } = await Journal.open(this.path));
    }
    this.local = entries;
    this.journal = journal;
    return journal;
  }

  private async append(journal: Journal, r: ReplicatedRecord): Promise<void> {
    if (r.seq <= journal.lastSeq) return; // already here (a consumer restarted at an older seq)
    if (r.seq !== journal.lastSeq + 1) throw new ReplicaError(ReplicaCode.CLUSTER_JOURNAL_DIVERGED, `stream record ${r.seq} after local ${journal.lastSeq}`);
    const e = await journal.append(r.record);
    if (r.hash && e.hash !== r.hash) throw new ReplicaError(ReplicaCode.CLUSTER_JOURNAL_DIVERGED, `record ${r.seq} hashes ${e.hash} here, ${r.hash} on the active`);
    this.copied++;
  }
}
