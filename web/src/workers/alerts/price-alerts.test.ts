import { describe, expect, it } from 'vitest';
import { MAX_PRICE_ALERTS, PriceAlertCode, type PriceAlert } from './price-alert';
import type { PriceAlertStore } from './price-alert-store';
import { PriceAlerts } from './price-alerts';

const known = (s: string, v: string) => (s === 'BTC-USD' || s === 'ETH-USD') && (v === 'sim-a' || v === 'sim-b');

/** A store that keeps what it is given (the IndexedDB one is exercised in Chromium by the e2e test). */
class MemoryStore implements PriceAlertStore {
  readonly rows = new Map<string, PriceAlert>();
  failing = false;
  async load() {
    return [...this.rows.values()];
  }
  async put(a: PriceAlert) {
    if (this.failing) throw new Error('quota');
    this.rows.set(a.id, a);
  }
  async delete(id: string) {
    this.rows.delete(id);
  }
}

function alerts(store?: PriceAlertStore) {
  let t = 1_000;
  const book = new PriceAlerts(() => t++, () => 0.5);
  return { book, attached: book.attach(store) };
}

describe('PriceAlerts', () => {
  it('a level above the market fires once when the last price reaches it from below, with when and at what price', async () => {
    const { book } = alerts();
    const r = await book.add({ symbol: 'BTC-USD', venue: 'sim-a', price: 5_000_000 }, known, 4_990_000);
    expect(r.ok && r.value.direction).toBe('up');
    book.observe('BTC-USD', 'sim-a', 4_999_999);
    expect(book.takeFired()).toEqual([]);
    book.observe('ETH-USD', 'sim-a', 6_000_000);
    expect(book.takeFired()).toEqual([]);
    book.observe('BTC-USD', 'sim-a', 5_000_050);
    const fired = book.takeFired();
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ symbol: 'BTC-USD', price: 5_000_000, firedPrice: 5_000_050 });
    expect(fired[0]!.firedAt).toBeGreaterThan(0);
    book.observe('BTC-USD', 'sim-a', 5_100_000);
    expect(book.takeFired()).toEqual([]);
    expect(book.watches('BTC-USD')).toBe(false);
  });

  it('a level below the market fires on the way down, at the level itself', async () => {
    const { book } = alerts();
    const r = await book.add({ symbol: 'BTC-USD', venue: 'sim-a', price: 4_900_000 }, known, 5_000_000);
    expect(r.ok && r.value.direction).toBe('down');
    book.observe('BTC-USD', 'sim-a', 4_900_001);
    expect(book.takeFired()).toEqual([]);
    book.observe('BTC-USD', 'sim-a', 4_900_000);
    expect(book.takeFired().map((a) => a.firedPrice)).toEqual([4_900_000]);
  });

  it('an alert watches its own venue: the same symbol elsewhere, at another price, neither fires it nor sets its direction', async () => {
    const { book } = alerts();
    const r = await book.add({ symbol: 'BTC-USD', venue: 'sim-a', price: 5_000_000 }, known, 4_990_000);
    expect(r.ok && r.value).toMatchObject({ direction: 'up', venue: 'sim-a' });
    book.observe('BTC-USD', 'sim-b', 5_010_000);
    expect(book.takeFired()).toEqual([]);
    book.observe('BTC-USD', 'sim-a', 5_000_000);
    expect(book.takeFired().map((a) => [a.venue, a.firedPrice])).toEqual([['sim-a', 5_000_000]]);
    expect((await book.add({ symbol: 'BTC-USD', venue: 'sim-z', price: 1 }, known, 2) as { reason?: { code: string } }).reason?.code).toBe(PriceAlertCode.ALERT_UNKNOWN_SYMBOL);
  });

  it('an alert stored before alerts had a venue watches every venue of its symbol, as it did', async () => {
    const store = new MemoryStore();
    const legacy = { id: 'pa-old', symbol: 'ETH-USD', price: 300_000, direction: 'up', createdAt: 1, firedAt: 0, firedPrice: 0 } as unknown as PriceAlert;
    store.rows.set(legacy.id, legacy);
    const { book, attached } = alerts(store);
    expect(await attached).toBe('');
    expect(book.takeList()![0]!.venue).toBe('');
    book.observe('ETH-USD', 'sim-b', 300_001);
    expect(book.takeFired().map((a) => a.id)).toEqual(['pa-old']);
  });

  it('refuses with stable codes: unknown symbol, bad level, a level already crossed, no price to pick a direction, too many', async () => {
    const { book } = alerts();
    const code = async (p: Promise<{ ok: boolean; reason?: { code: string } }>) => ((await p) as { reason?: { code: string } }).reason?.code;
    expect(await code(book.add({ symbol: 'DOGE-USD', venue: 'sim-a', price: 10 }, known, 5))).toBe(PriceAlertCode.ALERT_UNKNOWN_SYMBOL);
    expect(await code(book.add({ symbol: 'BTC-USD', venue: 'sim-a', price: 0 }, known, 5))).toBe(PriceAlertCode.ALERT_INVALID_PRICE);
    expect(await code(book.add({ symbol: 'BTC-USD', venue: 'sim-a', price: 1.5 }, known, 5))).toBe(PriceAlertCode.ALERT_INVALID_PRICE);
    expect(await code(book.add({ symbol: 'BTC-USD', venue: 'sim-a', price: 100, direction: 'up' }, known, 150))).toBe(PriceAlertCode.ALERT_INVALID_PRICE);
    const reason = async (p: Promise<{ ok: boolean; reason?: { message: string } }>) => ((await p) as { reason?: { message: string } }).reason?.message;
    expect(await reason(book.add({ symbol: 'BTC-USD', venue: 'sim-a', price: 100, direction: 'down' }, known, 90))).toBe('the last price is already at or below that level');
    // The market at the level exactly: it says so, whichever way the alert was meant.
    expect(await reason(book.add({ symbol: 'BTC-USD', venue: 'sim-a', price: 100 }, known, 100))).toBe('the last price is already at that level');
    expect(await reason(book.add({ symbol: 'BTC-USD', venue: 'sim-a', price: 100, direction: 'down' }, known, 100))).toBe('the last price is already at that level');
    expect(await code(book.add({ symbol: 'BTC-USD', venue: 'sim-a', price: 100 }, known, Number.NaN))).toBe(PriceAlertCode.ALERT_NO_PRICE);
    expect((await book.add({ symbol: 'BTC-USD', venue: 'sim-a', price: 100, direction: 'up' }, known, Number.NaN)).ok).toBe(true);
    for (let i = 1; i < MAX_PRICE_ALERTS; i++) expect((await book.add({ symbol: 'BTC-USD', venue: 'sim-a', price: 1000 + i }, known, 1)).ok).toBe(true);
    expect(await code(book.add({ symbol: 'BTC-USD', venue: 'sim-a', price: 9999 }, known, 1))).toBe(PriceAlertCode.ALERT_TOO_MANY);
    expect(book.takeList()).toHaveLength(MAX_PRICE_ALERTS);
  });

  it('stored alerts come back after a reload, fired ones with their state; remove deletes from the store', async () => {
    const store = new MemoryStore();
    const { book: first, attached } = alerts(store);
    await attached;
    const a = await first.add({ symbol: 'BTC-USD', venue: 'sim-a', price: 200 }, known, 100);
    const b = await first.add({ symbol: 'ETH-USD', venue: 'sim-a', price: 50 }, known, 100);
    first.observe('ETH-USD', 'sim-a', 49);
    expect(a.ok && b.ok).toBe(true);
    const { book: second, attached: loaded } = alerts(store);
    expect(await loaded).toBe('');
    const list = second.takeList()!;
    expect(list.map((x) => [x.symbol, x.firedPrice])).toEqual(expect.arrayContaining([['BTC-USD', 0], ['ETH-USD', 49]]));
    expect(second.armedSymbols()).toEqual(new Set(['BTC-USD']));
    if (a.ok) expect((await second.remove(a.value.id)).ok).toBe(true);
    expect(store.rows.size).toBe(1);
    expect((await second.remove('nope') as { reason?: { code: string } }).reason?.code).toBe(PriceAlertCode.ALERT_NOT_FOUND);
  });

  it('a store that fails: the alert still works this session and the failure has its code', async () => {
    const store = new MemoryStore();
    store.failing = true;
    const { book, attached } = alerts(store);
    await attached;
    const r = await book.add({ symbol: 'BTC-USD', venue: 'sim-a', price: 200 }, known, 100);
    expect(r.ok).toBe(false);
    expect((r as { reason: { code: string } }).reason.code).toBe(PriceAlertCode.ALERT_STORAGE);
    book.observe('BTC-USD', 'sim-a', 201);
    expect(book.takeFired()).toHaveLength(1);
  });
});
