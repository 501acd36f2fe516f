import type { JournalEntry, JournalRecord } from '@tickmesh/shared';
import type { Logger } from 'pino';
import type { MdAnomaly } from '../market-data/md-anomaly';
import type { Evidence, SurveillanceAlert } from '../surveillance-alert';

/** Any alert the relay raises: risk (RISK_ALERT_*), surveillance (SURV_*), market data (MD_ANOMALY_*). */
export interface RaisedAlert {
  code: string;
  /** The account it is about; '' for market-data anomalies. */
  account: string;
  symbol: string;
  /** The venue it is about, for market-data anomalies. */
  venue?: string;
  timeUs: number;
  score?: number;
  message: string;
  /** Journal records (surveillance) or figures (market data) it rests on. */
  evidence?: readonly Evidence[] | Readonly<Record<string, number | string>>;
}

/** An alert once journaled: with its record's seq (what GET /api/admin/alerts and admin sessions cite). */
export interface JournaledAlert extends RaisedAlert {
  seq: number;
}

/** Where admin sessions hear of alerts (relay/src/session): the recent ones, then each as it is journaled. */
export interface AlertFeed {
  /** Alerts journaled by this process and still held (the latest `maxDetails`), with a seq above `sinceSeq`, oldest first. */
  recent(sinceSeq?: number): JournaledAlert[];
  /** Calls `listener` with every alert once it is journaled, in seq order; returns the unsubscribe function. */
  onAlert(listener: (a: JournaledAlert) => void): () => void;
}

/** What a journal alert record cannot hold (proto/journal.proto has no field for it), kept by journal seq. */
export type AlertDetail = Pick<RaisedAlert, 'venue' | 'score' | 'evidence'>;

/** Options of AlertDesk. */
export interface AlertDeskOptions {
  /** Details of the latest alerts kept for GET /api/admin/alerts. Default 1,000. */
  maxDetails?: number;
}

export const fromSurveillance = (a: SurveillanceAlert): RaisedAlert => a;
export const fromMdAnomaly = (a: MdAnomaly): RaisedAlert => ({ ...a, account: '' });

/**
 * Where every live alert goes: journaled as an `alert` record (durable, in the audit trail,
 * read back by GET /api/admin/alerts), counted by code (Prometheus, tickmesh_alerts_total)
 * and logged. The record's message carries the score and the evidence's journal seqs as text,
 * so they survive a restart; venue and structured evidence are also kept in memory by the
 * record's seq for the REST view.
 */
export class AlertDesk implements AlertFeed {
  /** Alerts raised per code since start (read at scrape time). */
  readonly counts = new Map<string, number>();
  private readonly details = new Map<number, AlertDetail>();
  private readonly maxDetails: number;
  private pending: Promise<unknown> = Promise.resolve();
  private readonly latest: JournaledAlert[] = [];
  private readonly listeners = new Set<(a: JournaledAlert) => void>();

  constructor(
    private readonly journal: { append(record: JournalRecord): Promise<JournalEntry>; readonly lastSeq?: number },
    private readonly log: Logger,
    options: AlertDeskOptions = {},
  ) {
    this.maxDetails = options.maxDetails ?? 1000;
  }

  raise(a: RaisedAlert): void {
    this.counts.set(a.code, (this.counts.get(a.code) ?? 0) + 1);
    this.log.warn({ code: a.code, account: a.account || undefined, venue: a.venue, symbol: a.symbol, score: a.score, message: a.message }, 'alert');
    const before = this.journal.lastSeq;
    const appended = this.journal.append({ kind: 'alert', timeUs: Math.round(a.timeUs), code: a.code, account: a.account, symbol: a.symbol, message: journalMessage(a) });
    // The journal numbers a record when it is appended, and a reader of the file may see it
    // before the append resolves: the detail is kept under that seq at once, so REST never
    // lists the alert without its venue, score and evidence.
    if (before !== undefined && this.journal.lastSeq === before + 1) this.keepDetail(before + 1, a);
    const written = appended.then(
      (entry) => {
        this.keepDetail(entry.seq, a);
        this.published({ ...a, seq: entry.seq });
      },
      (err: unknown) => this.log.error({ err, code: a.code }, 'alert: journal append failed'),
    );
    this.pending = Promise.all([this.pending, written]);
  }

  private keepDetail(seq: number, a: RaisedAlert): void {
    if (a.venue === undefined && a.score === undefined && a.evidence === undefined) return;
    if (this.details.has(seq)) return;
    this.details.set(seq, { venue: a.venue, score: a.score, evidence: a.evidence });
    if (this.details.size > this.maxDetails) this.details.delete(this.details.keys().next().value!);
  }

  recent(sinceSeq = 0): JournaledAlert[] {
    let from = this.latest.length;
    while (from > 0 && this.latest[from - 1]!.seq > sinceSeq) from--;
    return this.latest.slice(from);
  }

  onAlert(listener: (a: JournaledAlert) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private published(a: JournaledAlert): void {
    this.latest.push(a);
    if (this.latest.length > this.maxDetails) this.latest.shift();
    for (const l of this.listeners) {
      try {
        l(a);
      } catch (err) {
        // A session's failure to send must not cost the others their alert.
        this.log.error({ err, code: a.code }, 'alert listener failed');
      }
    }
  }

  /** Venue, score and evidence of the alert journaled at `seq`, if raised by this process and recent. */
  detail(seq: number): AlertDetail | undefined {
    return this.details.get(seq);
  }

  /** Resolves once every alert raised so far is journaled (or failed to be). */
  settled(): Promise<unknown> {
    return this.pending;
  }
}

/** "#12 order o-3", with a spoofing order's distance from the touch when the detector judged it ("6.2 bps from the touch", "touch not recorded"). */
export function evidenceText(e: Evidence): string {
  const at = `#${e.seq} ${e.what} ${e.orderId}`;
  if (e.touchBps === undefined) return at;
  return e.touchBps === null ? `${at} (touch not recorded)` : `${at} (${e.touchBps} bps from the touch)`;
}

/** The operator's sentence, then the score and the journal records it rests on, as text. */
function journalMessage(a: RaisedAlert): string {
  const parts = [a.message];
  if (a.score !== undefined) parts.push(`score ${Math.round(a.score * 100) / 100}`);
  if (Array.isArray(a.evidence) && a.evidence.length > 0) parts.push(`evidence ${(a.evidence as Evidence[]).map(evidenceText).join(', ')}`);
  return parts.join(' · ');
}
