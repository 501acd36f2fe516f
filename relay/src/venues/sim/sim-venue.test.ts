import { afterEach, describe, expect, it, vi } from 'vitest';
import { OrderType, Side, StreamState, TimeInForce } from '@tickmesh/shared';
import type { InstrumentFeed, VenueExecution, VenueOrderRequest } from '../venue-adapter';
import { SimVenue } from './sim-venue';
import { defaultSimVenues } from './default-sim-venues';
import { FeeCalculator } from '@tickmesh/shared';

/** Records every feed call and keeps the L2 book the calls describe. */
class FakeFeed implements InstrumentFeed {
  bids = new Map<number, number>();
  asks = new Map<number, number>();
  trades: { tradeId: number; price: number; size: number; aggressor: Side }[] = [];
  states: StreamState[] = [];
  clears = 0;
  level(side: Side, price: number, size: number): void {
    const m = side === Side.Buy ? this.bids : this.asks;
    if (size === 0) m.delete(price);
    else m.set(price, size);
  }
  trade(tradeId: number, price: number, size: number, aggressor: Side): void {
    this.trades.push({ tradeId, price, size, aggressor });
  }
  clear(): void {
    this.clears++;
    this.bids.clear();
    this.asks.clear();
  }
  state(s: StreamState): void {
    this.states.push(s);
  }
  sorted(side: Side): [number, number][] {
    const m = side === Side.Buy ? this.bids : this.asks;
    return [...m.entries()].sort((a, b) => (side === Side.Buy ? b[0] - a[0] : a[0] - b[0]));
  }
}

function engineBook(v: SimVenue, symbol: string, side: Side): [number, number][] {
  const out: [number, number][] = [];
  v.market(symbol)!.engine.forEachLevel(side, (p, t) => out.push([p, t]));
  return out;
}

async function startWithFeeds(v: SimVenue): Promise<Map<string, FakeFeed>> {
  const feeds = new Map<string, FakeFeed>();
  await v.start((symbol) => {
    const f = new FakeFeed();
    feeds.set(symbol, f);
    return f;
  });
  return feeds;
}

function order(over: Partial<VenueOrderRequest>): VenueOrderRequest {
  return { orderId: 'o1', account: 'alice', symbol: 'BTC-USD', side: Side.Buy, type: OrderType.Limit, timeInForce: TimeInForce.GTC, price: 0, qty: 1, postOnly: false, ...over };
}

const flush = () => new Promise<void>((r) => setTimeout(r, 0));

let venues: SimVenue[] = [];
afterEach(async () => {
  await Promise.all(venues.map((v) => v.stop()));
  venues = [];
  vi.useRealTimers();
});

function venue(opts: ConstructorParameters<typeof SimVenue>[0] = {}): SimVenue {
  const v = new SimVenue(opts);
  venues.push(v);
  return v;
}

describe('SimVenue', () => {
  it('lists the default instruments with its fees', () => {
    const v = venue({ id: 'sim-x', makerFeeBpsX100: -50, takerFeeBpsX100: 250 });
    expect(v.instruments().map((i) => [i.symbol, i.tickSize, i.lotSize, i.venue])).toEqual([
      ['BTC-USD', '0.01', '0.0001', 'sim-x'],
      ['ETH-USD', '0.01', '0.001', 'sim-x'],
      ['SOL-USD', '0.001', '0.01', 'sim-x'],
    ]);
    expect(v.instruments()[0]).toMatchObject({ streamId: 0, makerFeeBpsX100: -50, takerFeeBpsX100: 250, base: 'BTC', quote: 'USD' });
  });

  it('opens near the configured start prices', () => {
    const v = venue();
    const mid = (s: string) => (v.market(s)!.engine.bestBid() + v.market(s)!.engine.bestAsk()) / 2;
    expect(mid('BTC-USD') / 100).toBeCloseTo(50_000, -1);
    expect(mid('ETH-USD') / 100).toBeCloseTo(3_000, -1);
    expect(mid('SOL-USD') / 1000).toBeCloseTo(150, 0);
  });

  it('start() primes the feeds (clear, levels, Live) and the feed L2 tracks the engine book', async () => {
    const v = venue({ seed: 9 });
    const feeds = await startWithFeeds(v);
    for (const [symbol, f] of feeds) {
      expect(f.clears).toBe(1);
      expect(f.states).toEqual([StreamState.Live]);
      expect(f.sorted(Side.Buy).length).toBeGreaterThanOrEqual(20);
      expect(f.sorted(Side.Buy)).toEqual(engineBook(v, symbol, Side.Buy));
      expect(f.sorted(Side.Sell)).toEqual(engineBook(v, symbol, Side.Sell));
    }
    v.step(3000);
    for (const [symbol, f] of feeds) {
      expect(f.sorted(Side.Buy)).toEqual(engineBook(v, symbol, Side.Buy));
      expect(f.sorted(Side.Sell)).toEqual(engineBook(v, symbol, Side.Sell));
      expect(f.trades.length).toBeGreaterThan(100);
      expect(f.trades.at(-1)!.tradeId).toBe(v.market(symbol)!.engine.lastTradeId);
    }
    await v.stop();
    for (const f of feeds.values()) expect(f.states.at(-1)).toBe(StreamState.Stale);
  });

  it('its live timers never keep the process alive', async () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    const v = venue();
    await startWithFeeds(v);
    expect(timeouts()).toBe(before);
  });

  it('runs the generator on a timer after start and clears it on stop', async () => {
    vi.useFakeTimers();
    const v = venue({ updatesPerSecond: 100 });
    const feeds = await startWithFeeds(v);
    const before = v.stateHash('BTC-USD');
    vi.advanceTimersByTime(1000);
    expect(v.stateHash('BTC-USD')).not.toBe(before);
    expect(feeds.get('BTC-USD')!.sorted(Side.Buy)).toEqual(engineBook(v, 'BTC-USD', Side.Buy));
    await v.stop();
    expect(vi.getTimerCount()).toBe(0);
    const after = v.stateHash('BTC-USD');
    vi.advanceTimersByTime(1000);
    expect(v.stateHash('BTC-USD')).toBe(after);
  });

  it('a submitted marketable order comes back as accepted, taker fills with fees, expired', async () => {
    const v = venue({ takerFeeBpsX100: 500 });
    await startWithFeeds(v);
    const reports: VenueExecution[] = [];
    v.onExecution((r) => reports.push(r));
    const e = v.market('BTC-USD')!.engine;
    const ask = e.bestAsk();
    const atAsk = e.levelTotal(Side.Sell, ask);
    v.submit(order({ orderId: 'buy-1', timeInForce: TimeInForce.IOC, price: ask, qty: atAsk + 1_000_000 }));
    expect(reports).toEqual([]); // delivered asynchronously, never re-entrantly
    await flush();
    expect(reports.map((r) => r.kind)).toEqual(['accepted', ...reports.slice(1, -1).map(() => 'fill'), 'expired']);
    const fills = reports.filter((r) => r.kind === 'fill');
    expect(fills.reduce((s, r) => s + r.qty, 0)).toBe(atAsk);
    const fee = new FeeCalculator('0.01', '0.0001');
    for (const f of fills) {
      expect(f).toMatchObject({ orderId: 'buy-1', price: ask, liquidityMaker: false });
      expect(f.fee).toBe(fee.fee(f.price, f.qty, 500));
      expect(f.tradeId).toBeGreaterThan(0);
    }
    expect(reports.at(-1)).toMatchObject({ kind: 'expired', qty: 1_000_000, leavesQty: 0 });
    expect(e.bestAsk()).toBeGreaterThan(ask);
  });

  it('a resting relay order is reported as maker with the maker fee, and can be replaced and canceled', async () => {
    const v = venue({ makerFeeBpsX100: -100 });
    await startWithFeeds(v);
    const reports: VenueExecution[] = [];
    v.onExecution((r) => reports.push(r));
    const e = v.market('BTC-USD')!.engine;
    const bid = e.bestBid();
    const ask = e.bestAsk();
    // Improve the ask by one tick (post-only, inside the spread), then hit it from another account.
    const px = ask - 1 > bid ? ask - 1 : ask;
    v.submit(order({ orderId: 's1', side: Side.Sell, price: px, qty: 100, postOnly: true }));
    v.replace('s1', px, 80);
    v.submit(order({ orderId: 'b1', account: 'bob', timeInForce: TimeInForce.IOC, price: px, qty: 30 }));
    await flush();
    const s1 = reports.filter((r) => r.orderId === 's1');
    expect(s1.map((r) => r.kind)).toEqual(['accepted', 'replaced', 'fill']);
    expect(s1[1]).toMatchObject({ qty: 80, leavesQty: 80 });
    expect(s1[2]).toMatchObject({ price: px, qty: 30, leavesQty: 50, liquidityMaker: true, fee: new FeeCalculator('0.01', '0.0001').fee(px, 30, -100) });
    expect(s1[2]!.fee).toBeLessThan(0);
    expect(reports.filter((r) => r.orderId === 'b1').map((r) => r.kind)).toEqual(['accepted', 'fill']);
    reports.length = 0;
    v.cancel('s1');
    v.cancel('s1');
    await flush();
    expect(reports).toMatchObject([
      { orderId: 's1', kind: 'canceled', qty: 50, leavesQty: 0, reasonCode: '' },
      { orderId: 's1', kind: 'cancel-rejected', reasonCode: 'VENUE_UNKNOWN_ORDER' },
    ]);
  });

  it('reports venue rejections with stable codes', async () => {
    const v = venue();
    const reports: VenueExecution[] = [];
    v.onExecution((r) => reports.push(r));
    const e = v.market('ETH-USD')!.engine;
    v.submit(order({ orderId: 'x1', symbol: 'DOGE-USD', price: 1 }));
    v.submit(order({ orderId: 'x2', symbol: 'ETH-USD', price: e.bestAsk(), postOnly: true }));
    v.submit(order({ orderId: 'x3', symbol: 'ETH-USD', price: 0 }));
    v.submit(order({ orderId: 'x4', symbol: 'ETH-USD', price: e.bestBid() - 50, qty: 0 }));
    v.submit(order({ orderId: 'x5', symbol: 'ETH-USD', price: e.bestBid() - 50, qty: 5, timeInForce: TimeInForce.FOK }));
    v.submit(order({ orderId: 'x6', symbol: 'ETH-USD', price: e.bestBid() - 50 }));
    v.submit(order({ orderId: 'x6', symbol: 'ETH-USD', price: e.bestBid() - 50 }));
    v.replace('x6', e.bestAsk(), 1);
    v.replace('nope', 1, 1);
    await flush();
    const seen = reports.map((r) => [r.orderId, r.kind, r.reasonCode]);
    expect(seen.slice(0, 8)).toEqual([
      ['x1', 'rejected', 'VENUE_UNKNOWN_SYMBOL'],
      ['x2', 'rejected', 'VENUE_POST_ONLY_WOULD_TAKE'],
      ['x3', 'rejected', 'VENUE_INVALID_PRICE'],
      ['x4', 'rejected', 'VENUE_INVALID_QTY'],
      // A FOK at a passive price cannot fill at all: refused before anything trades.
      ['x5', 'rejected', 'VENUE_FOK_UNFILLABLE'],
      ['x6', 'accepted', ''],
      ['x6', 'rejected', 'VENUE_DUPLICATE_ORDER_ID'],
      // Replaced to the ask: it trades at once as taker.
      ['x6', 'replaced', ''],
    ]);
    expect(seen[8]).toEqual(['x6', 'fill', '']);
    expect(seen.at(-1)).toEqual(['nope', 'cancel-rejected', 'VENUE_UNKNOWN_ORDER']);
  });

  it('is deterministic: same seed, same steps -> same stateHash; venues differ', () => {
    const a = venue({ seed: 77 });
    const b = venue({ seed: 77 });
    const [sa, sb] = defaultSimVenues(77);
    venues.push(sa, sb);
    for (const v of [a, b, sa, sb]) v.step(4000);
    for (const s of ['BTC-USD', 'ETH-USD', 'SOL-USD']) {
      expect(a.stateHash(s)).toMatch(/^[0-9a-f]{16}$/);
      expect(b.stateHash(s)).toBe(a.stateHash(s));
      expect(sa.stateHash(s)).toBe(a.stateHash(s)); // sim-a with the same seed is the same venue
      expect(sb.stateHash(s)).not.toBe(sa.stateHash(s));
    }
  });
});

describe('defaultSimVenues', () => {
  it('returns sim-a and sim-b with different fees and a persistent price difference', () => {
    const [a, b] = defaultSimVenues({ seed: 3, symbols: ['BTC-USD'] });
    venues.push(a, b);
    expect([a.id, b.id]).toEqual(['sim-a', 'sim-b']);
    expect(a.instruments()[0]).toMatchObject({ makerFeeBpsX100: -100, takerFeeBpsX100: 500 });
    expect(b.instruments()[0]).toMatchObject({ makerFeeBpsX100: 0, takerFeeBpsX100: 300 });
    const mid = (v: SimVenue) => (v.market('BTC-USD')!.engine.bestBid() + v.market('BTC-USD')!.engine.bestAsk()) / 2;
    // 2 bp of 50 000 = 10 USD = 1000 ticks.
    expect(mid(b) - mid(a)).toBeGreaterThan(500);
    expect(mid(b) - mid(a)).toBeLessThan(1500);
    expect(a.instruments().map((i) => i.symbol)).toEqual(['BTC-USD']);
  });
});
