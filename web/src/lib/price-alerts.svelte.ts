import type * as Comlink from 'comlink';
import type { PriceAlert, PriceAlertRequest, TerminalFrame, TerminalWorkerApi } from '../workers/terminal-api';

type AlertWorkerApi = Pick<TerminalWorkerApi, 'addPriceAlert' | 'removePriceAlert'>;

/** Fired alerts the panel keeps on screen as toasts. */
const TOASTS_KEPT = 5;

/**
 * The main thread's half of price alerts: the list and the fired ones as the worker reports
 * them (the worker evaluates, never this thread), shown in the alerts panel and raised as a
 * browser notification. Permission is asked once, when the trader sets a first alert (a user
 * gesture); refused or unavailable, alerts still show in the page.
 */
class PriceAlertsState {
  list = $state.raw<PriceAlert[]>([]);
  /** Newest first, at most TOASTS_KEPT. */
  toasts = $state.raw<PriceAlert[]>([]);
  /** Notifications raised (the page's own count: tests and the panel read it). */
  notified = $state(0);
  /** 'granted' | 'denied' | 'default' | 'unsupported'. */
  permission = $state<string>(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);
  private api: Comlink.Remote<AlertWorkerApi> | undefined;

  attach(api: Comlink.Remote<TerminalWorkerApi> | undefined): void {
    this.api = api;
    if (!api) this.list = [];
  }

  onFrame(f: Pick<TerminalFrame, 'priceAlerts' | 'alertsFired'>): void {
    if (f.priceAlerts) this.list = f.priceAlerts;
    if (f.alertsFired.length === 0) return;
    this.toasts = [...f.alertsFired].reverse().concat(this.toasts).slice(0, TOASTS_KEPT);
    for (const a of f.alertsFired) this.notify(a);
  }

  async add(request: PriceAlertRequest): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
    if (!this.api) return { ok: false, code: 'SESSION_NOT_READY', message: 'not connected to the market-data worker' };
    void this.askPermission();
    const r = await this.api.addPriceAlert(request);
    return r.ok ? { ok: true } : r;
  }

  async remove(id: string): Promise<void> {
    await this.api?.removePriceAlert(id);
  }

  dismiss(id: string): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  /** Formats an alert's text for the notification; the panel passes its own formatter. */
  text: (a: PriceAlert) => string = (a) => `${a.symbol} ${a.direction === 'up' ? 'rose to' : 'fell to'} ${a.firedPrice} ticks`;

  private async askPermission(): Promise<void> {
    if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
    try {
      this.permission = await Notification.requestPermission();
    } catch {
      this.permission = Notification.permission;
    }
  }

  private notify(a: PriceAlert): void {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    try {
      new Notification(`Tickmesh · ${a.symbol}`, { body: this.text(a), tag: a.id });
      this.notified++;
    } catch {
      // Some browsers allow notifications from a service worker only: the toast still shows.
    }
  }
}

export const priceAlerts = new PriceAlertsState();
