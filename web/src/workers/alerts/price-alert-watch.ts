import type { Instrument } from '@tickmesh/shared';
import type { RelayRest } from '../relay-rest';
import type { PriceAlert, PriceAlertRequest } from './price-alert';
import { openPriceAlertStore } from './price-alert-store';
import { PriceAlerts } from './price-alerts';

/** How often the relay's tickers are read while an armed alert watches a symbol the desk does not show. */
export const ALERT_TICKER_POLL_MS = 2_000;

export type PriceAlertResult = { ok: true; alert: PriceAlert } | { ok: false; code: string; message: string };

/** What a frame carries of the alerts: the list when it changed, and those that fired since the last frame. */
export interface PriceAlertFrame {
  priceAlerts?: PriceAlert[];
  alertsFired: PriceAlert[];
}

/**
 * The terminal worker's price alerts at work: fed every live trade the worker applies (the
 * desk's symbol, each venue), and for armed alerts on other symbols the relay's tickers every
 * ALERT_TICKER_POLL_MS (the worker subscribes to the desk's symbol only). Alerts are stored in
 * IndexedDB, so they are armed again after a reload; evaluation runs while the terminal is open.
 * Each alert watches one instrument, so its level and every price compared with it are ticks
 * of that one instrument: nothing is rescaled.
 */
export class PriceAlertWatch {
  private readonly alerts: PriceAlerts;
  /** Last trade price (ticks) per instrument, keyed `venue symbol`. */
  private readonly last = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private rest: RelayRest | undefined;
  private shownSymbol = '';
  /** The store's failure code at start ('' = fine, or no IndexedDB here). */
  storeError = '';

  constructor(now: () => number, random: () => number, private readonly instruments: () => readonly Instrument[]) {
    this.alerts = new PriceAlerts(now, random);
    void openPriceAlertStore()
      .then((store) => this.alerts.attach(store))
      .then((code) => (this.storeError = code), () => (this.storeError = 'ALERT_STORAGE'));
  }

  /** Starts reading tickers through `rest` (a connection is up). */
  start(rest: RelayRest): void {
    this.rest = rest;
    this.schedule(0);
  }

  stop(): void {
    this.rest = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The desk shows `symbol`: its trades come through `trade`, tickers are read for the others. */
  show(symbol: string): void {
    this.shownSymbol = symbol;
  }

  /** One live trade the worker applied (ticks of `venue`'s instrument). */
  trade(symbol: string, venue: string, price: number): void {
    this.last.set(instrumentKey(venue, symbol), price);
    this.alerts.observe(symbol, venue, price);
  }

  async add(req: PriceAlertRequest): Promise<PriceAlertResult> {
    // No venue named: the symbol's first listed one (the instrument the panel rounds with).
    const venue = req.venue || (this.instruments().find((i) => i.symbol === req.symbol)?.venue ?? '');
    const key = instrumentKey(venue, req.symbol);
    // Off the desk (or no trade seen yet) the last price known here can be a poll old: the
    // relay's price now picks the direction, so a level just above the market is one for a rise.
    if ((req.symbol !== this.shownSymbol || !this.last.has(key)) && this.rest) await this.readTickers(new Set([req.symbol]), false).catch(() => {});
    const known = (symbol: string, v: string) => this.instruments().some((i) => i.symbol === symbol && i.venue === v);
    const r = await this.alerts.add({ ...req, venue }, known, this.last.get(key) ?? Number.NaN);
    if (!r.ok) return { ok: false, code: r.reason.code, message: r.reason.message };
    this.schedule(0);
    return { ok: true, alert: r.value };
  }

  async remove(id: string): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
    const r = await this.alerts.remove(id);
    return r.ok ? { ok: true } : { ok: false, code: r.reason.code, message: r.reason.message };
  }

  frame(): PriceAlertFrame {
    const list = this.alerts.takeList();
    const fired = this.alerts.takeFired();
    return list === undefined ? { alertsFired: fired } : { priceAlerts: list, alertsFired: fired };
  }

  private schedule(ms: number): void {
    if (!this.rest) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), ms);
  }

  private async poll(): Promise<void> {
    const rest = this.rest;
    if (!rest) return;
    const wanted = this.alerts.armedSymbols();
    wanted.delete(this.shownSymbol);
    if (wanted.size > 0) {
      // Offline or refused: the next poll tries again; trades of the shown symbol keep working.
      await this.readTickers(wanted, true).catch(() => {});
    }
    if (this.rest === rest) this.schedule(ALERT_TICKER_POLL_MS);
  }

  /** Reads the relay's last prices of `symbols`; `evaluate`: and fires the alerts they cross. */
  private async readTickers(symbols: Set<string>, evaluate: boolean): Promise<void> {
    for (const t of (await this.rest?.lastPrices()) ?? []) {
      if (t.last === null || !symbols.has(t.symbol)) continue;
      this.last.set(instrumentKey(t.venue, t.symbol), t.last);
      if (evaluate) this.alerts.observe(t.symbol, t.venue, t.last);
    }
  }
}

function instrumentKey(venue: string, symbol: string): string {
  return `${venue} ${symbol}`;
}
