import type { AlertFeed } from './alert-feed';

/** One alert as the admin view lists it (proto/alerts.proto Alert, without the codec's types). */
export interface AlertRow {
  seq: number;
  code: string;
  account: string;
  venue: string;
  symbol: string;
  timeUs: number;
  /** 0..1; 0 = none given. */
  score: number;
  message: string;
  /** Journal seqs of the records it rests on ("#12 fill o-3"). */
  evidence: string[];
}

/** Rows kept in the view, newest first. */
const MAX_ROWS = 500;

/**
 * The admin's live alerts: started once an admin is signed in, fed by the relay over /ws
 * (lib/alert-feed.ts, loaded on demand), newest first.
 */
class AdminAlerts {
  rows = $state.raw<AlertRow[]>([]);
  status = $state<'off' | 'connecting' | 'live' | 'down'>('off');
  detail = $state('');
  private feed: AlertFeed | undefined;
  private starting = false;

  async start(token: () => string): Promise<void> {
    if (this.feed || this.starting) return;
    this.starting = true;
    const { openAlertFeed } = await import('./alert-feed');
    this.starting = false;
    this.feed = openAlertFeed(token, {
      alert: (a) => {
        const row: AlertRow = {
          seq: a.seq, code: a.code, account: a.account, venue: a.venue, symbol: a.symbol, timeUs: a.timeUs, score: a.score, message: a.message,
          evidence: a.evidence.map((e) => `#${e.seq} ${e.what} ${e.orderId}`),
        };
        this.rows = [row, ...this.rows].slice(0, MAX_ROWS);
      },
      status: (s, detail) => {
        this.status = s;
        this.detail = detail ?? '';
      },
    });
  }

  stop(): void {
    this.feed?.close();
    this.feed = undefined;
    this.status = 'off';
  }
}

export const adminAlerts = new AdminAlerts();
