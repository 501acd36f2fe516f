import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { decodeJournalRecord, type ExecutionReportMsg } from '@tickmesh/shared';
import type { Logger } from 'pino';
import { JOURNAL_STREAM } from './journal-replica';
import { ClusterOrderCode } from './order-rpc';
import { ALL_REPORTS_SUBJECT } from './subjects';

/**
 * Replay starts this long before the edge noticed it lost NATS: a report published just before
 * (sent by the OMS, not yet read by this edge when the socket went) is inside the window.
 */
export const REPLAY_MARGIN_MS = 3000;
/** A replay that has not reached the journal's last record by then gives up and says so. */
const REPLAY_TIMEOUT_MS = 10_000;
/** Keys of the last reports delivered, so a replay skips what the sessions already have. */
const REMEMBERED_REPORTS = 50_000;

/** One report's identity: an order's reports differ in state, fill or time. */
export function reportKey(r: ExecutionReportMsg): string {
  return `${r.orderId}|${r.status}|${r.execType}|${r.filledQty}|${r.leavesQty}|${r.tradeId}|${r.timeUs}`;
}

/**
 * Every account's execution reports for an edge's sessions. Live, they come over core NATS
 * (`tickmesh.reports.*`), which keeps nothing for a subscriber that was away. So when this
 * edge's connection comes back, the reports of the time it was gone are read from the OMS's
 * journal stream (JetStream, TICKMESH_JOURNAL: the OMS emits a report only once its record is
 * stored there) from a little before the disconnect up to the stream's last record, and the
 * ones not delivered yet are delivered, in journal order. Live reports that arrive meanwhile
 * wait and follow, so an order's reports never go backwards.
 *
 * Only when the replay cannot be done (no journal stream: an OMS that does not replicate; the
 * stream unreachable or too slow) do the sessions hear CLUSTER_REPORTS_GAP and reload by REST.
 */
export class EdgeReports {
  /** Reports delivered from the journal after an outage. */
  replayed = 0;
  /** Outages whose reports could not be replayed (each told the sessions CLUSTER_REPORTS_GAP). */
  gaps = 0;
  private sub: Subscription | undefined;
  private downSince: number | undefined;
  /** While a replay runs: live reports held back, and the start of an outage that came meanwhile. */
  private replaying = false;
  private readonly held: ExecutionReportMsg[] = [];
  private again: number | undefined;
  private readonly seen = new Set<string>();
  private readonly seenOrder: string[] = [];
  private seenHead = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: Logger,
    private readonly deliver: (r: ExecutionReportMsg) => void,
    private readonly notice: (code: string, message: string) => void,
  ) {}

  start(): void {
    this.sub = this.nc.subscribe(ALL_REPORTS_SUBJECT, { callback: (_err, m) => this.live(m.data, m.subject) });
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  onNatsStatus(status: 'disconnect' | 'reconnect'): void {
    if (status === 'disconnect') {
      this.downSince ??= Date.now();
      return;
    }
    const since = this.downSince;
    if (since === undefined) return;
    this.downSince = undefined;
    void this.catchUp(since);
  }

  private live(data: Uint8Array, subject: string): void {
    let r: ExecutionReportMsg;
    try {
      r = JSON.parse(new TextDecoder().decode(data)) as ExecutionReportMsg;
    } catch (err) {
      this.log.error({ err, subject }, 'cluster: an execution report that is not JSON; dropped');
      return;
    }
    if (this.replaying) this.held.push(r);
    else this.deliverOnce(r);
  }

  /** Delivers a report the sessions have not had; false when they have. */
  private deliverOnce(r: ExecutionReportMsg): boolean {
    const key = reportKey(r);
    if (this.seen.has(key)) return false;
    this.remember(key);
    this.deliver(r);
    return true;
  }

  private remember(key: string): void {
    this.seen.add(key);
    if (this.seenOrder.length < REMEMBERED_REPORTS) {
      this.seenOrder.push(key);
      return;
    }
    this.seen.delete(this.seenOrder[this.seenHead]!);
    this.seenOrder[this.seenHead] = key;
    this.seenHead = (this.seenHead + 1) % REMEMBERED_REPORTS;
  }

  private async catchUp(since: number): Promise<void> {
    if (this.replaying) {
      // Cut again while replaying: the running replay goes on, then one more from this outage.
      this.again = Math.min(this.again ?? since, since);
      return;
    }
    this.replaying = true;
    let from: number | undefined = since;
    try {
      while (from !== undefined) {
        const ms = Date.now() - from;
        try {
          const n = await this.replayFrom(from - REPLAY_MARGIN_MS);
          this.replayed += n;
          this.log.info({ ms, replayed: n }, 'cluster: back on NATS; the execution reports of the outage replayed from the journal');
        } catch (err) {
          this.gaps++;
          const why = (err as Error).message;
          this.log.warn({ ms, err: why }, 'cluster: back on NATS, but the reports of the outage could not be replayed');
          this.notice(ClusterOrderCode.CLUSTER_REPORTS_GAP, `this relay was cut from the cluster for ${ms} ms and could not replay that time's execution reports from the journal (${why}): reload orders and fills`);
        }
        from = this.again;
        this.again = undefined;
      }
    } finally {
      this.replaying = false;
      for (const r of this.held.splice(0)) this.deliverOnce(r);
    }
  }

  /** Delivers the journal's reports stored from `fromMs` on that were not delivered; how many. */
  private async replayFrom(fromMs: number): Promise<number> {
    const jsm = await jetstreamManager(this.nc);
    const info = await jsm.streams.info(JOURNAL_STREAM);
    const last = info.state.last_seq;
    if (last === 0) return 0;
    const newest = await jsm.streams.getMessage(JOURNAL_STREAM, { seq: last });
    if (!newest) throw new Error(`journal record ${last} is not in the stream`);
    if (newest.time.getTime() < fromMs) return 0;
    const consumer = await jetstream(this.nc).consumers.get(JOURNAL_STREAM, { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(fromMs).toISOString() });
    const until = Date.now() + REPLAY_TIMEOUT_MS;
    let at = 0;
    let n = 0;
    while (at < last) {
      if (Date.now() > until) throw new Error(`the replay did not reach journal record ${last} within ${REPLAY_TIMEOUT_MS} ms`);
      const batch = await consumer.fetch({ max_messages: 512, expires: 1000 });
      let got = 0;
      for await (const m of batch) {
        got++;
        at = m.seq;
        const record = decodeJournalRecord(m.data);
        if (record.kind === 'execution' && this.deliverOnce(record.report)) n++;
        if (at >= last) break;
      }
      // Records newer than the window's start exist (checked above), so an empty fetch is a failure, not the end.
      if (got === 0) throw new Error(`the journal stream sent nothing from record ${at + 1} on`);
    }
    return n;
  }
}
