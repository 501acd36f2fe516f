import { fail, type Result } from '@tickmesh/shared';
import { MAX_PRICE_ALERTS, PriceAlertCode, crosses, watchesTrade, type PriceAlert } from './price-alert';
import type { PriceAlertStore } from './price-alert-store';

/**
 * The worker's price alerts: set, removed, and evaluated against every trade price the worker
 * sees (live trades of the desk's symbol on each venue, and the relay's tickers for the others). An alert
 * fires once, when the watched price reaches its level in its direction; fired alerts stay
 * listed (with when and at what price) until removed. Kept in IndexedDB, so they survive a
 * reload; a store failure is reported, and the alert still works for this session.
 */
export class PriceAlerts {
  private readonly alerts = new Map<string, PriceAlert>();
  private fired: PriceAlert[] = [];
  private changed = true;
  private seq = 0;

  private store: PriceAlertStore | undefined;

  constructor(
    private readonly now: () => number,
    private readonly random: () => number,
  ) {}

  /** Takes the store and loads what it keeps (once, at start); resolves with the store's error code, '' when fine. */
  async attach(store: PriceAlertStore | undefined): Promise<string> {
    this.store = store;
    if (!store) return '';
    try {
      // Alerts stored before alerts had a venue keep watching every venue, as when they were set.
      for (const a of await store.load()) if (!this.alerts.has(a.id)) this.alerts.set(a.id, { ...a, venue: a.venue ?? '' });
      this.changed = true;
      return '';
    } catch {
      return PriceAlertCode.ALERT_STORAGE;
    }
  }

  /**
   * Sets an alert on the instrument (symbol, venue). `current` is its last price now (ticks;
   * NaN when none is known yet): it picks the direction when the request leaves it out, and
   * an alert already crossed is refused rather than fired at once.
   */
  async add(req: { symbol: string; venue: string; price: number; direction?: 'up' | 'down' }, known: (symbol: string, venue: string) => boolean, current: number): Promise<Result<PriceAlert>> {
    if (!known(req.symbol, req.venue)) return fail(PriceAlertCode.ALERT_UNKNOWN_SYMBOL, `no listed instrument ${req.symbol}${req.venue ? ` on ${req.venue}` : ''}`);
    if (!Number.isSafeInteger(req.price) || req.price <= 0) return fail(PriceAlertCode.ALERT_INVALID_PRICE, 'the level must be a positive price');
    if (this.alerts.size >= MAX_PRICE_ALERTS) return fail(PriceAlertCode.ALERT_TOO_MANY, `at most ${MAX_PRICE_ALERTS} alerts; remove some first`);
    let direction = req.direction;
    if (direction === undefined) {
      if (!(current === current)) return fail(PriceAlertCode.ALERT_NO_PRICE, `no price of ${req.symbol} yet: say whether the alert is for a rise or a fall`);
      direction = req.price >= current ? 'up' : 'down';
    }
    const alert: PriceAlert = {
      id: `pa-${this.now().toString(36)}-${(this.seq++).toString(36)}-${Math.floor(this.random() * 36 ** 4).toString(36)}`,
      symbol: req.symbol,
      venue: req.venue,
      price: req.price,
      direction,
      createdAt: this.now(),
      firedAt: 0,
      firedPrice: 0,
    };
    if (current === current && crosses(alert, current)) {
      // At the level exactly, neither way is "crossing" it yet: say so rather than pick a side.
      const where = current === req.price ? 'at' : direction === 'up' ? 'at or above' : 'at or below';
      return fail(PriceAlertCode.ALERT_INVALID_PRICE, `the last price is already ${where} that level`);
    }
    this.alerts.set(alert.id, alert);
    this.changed = true;
    const stored = await this.save(alert);
    return stored === '' ? { ok: true, value: alert } : fail(stored, 'the alert is set for this session but could not be stored');
  }

  async remove(id: string): Promise<Result<true>> {
    if (!this.alerts.delete(id)) return fail(PriceAlertCode.ALERT_NOT_FOUND, `no alert ${id}`);
    this.changed = true;
    try {
      await this.store?.delete(id);
    } catch {
      return fail(PriceAlertCode.ALERT_STORAGE, 'removed for this session but not from storage');
    }
    return { ok: true, value: true };
  }

  /** True when some armed alert watches `symbol` (the worker then asks the relay's tickers for it). */
  watches(symbol: string): boolean {
    for (const a of this.alerts.values()) if (a.firedAt === 0 && a.symbol === symbol) return true;
    return false;
  }

  /** Symbols with armed alerts. */
  armedSymbols(): Set<string> {
    const s = new Set<string>();
    for (const a of this.alerts.values()) if (a.firedAt === 0) s.add(a.symbol);
    return s;
  }

  /** One trade price (ticks) of `symbol` on `venue`: fires every armed alert on it that it crosses. */
  observe(symbol: string, venue: string, price: number): void {
    if (!(price === price)) return;
    for (const a of this.alerts.values()) {
      if (!watchesTrade(a, symbol, venue) || !crosses(a, price)) continue;
      a.firedAt = this.now();
      a.firedPrice = price;
      this.fired.push({ ...a });
      this.changed = true;
      void this.save(a);
    }
  }

  /** Alerts that fired since the last call (oldest first). */
  takeFired(): PriceAlert[] {
    const f = this.fired;
    this.fired = [];
    return f;
  }

  /** Every alert, newest first, when any changed since the last call; else undefined. */
  takeList(): PriceAlert[] | undefined {
    if (!this.changed) return undefined;
    this.changed = false;
    return [...this.alerts.values()].sort((a, b) => b.createdAt - a.createdAt).map((a) => ({ ...a }));
  }

  private async save(a: PriceAlert): Promise<string> {
    try {
      await this.store?.put({ ...a });
      return '';
    } catch {
      return PriceAlertCode.ALERT_STORAGE;
    }
  }
}
