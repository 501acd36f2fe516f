import { ErrorCode, OrderType, Side, StreamState, TimeInForce } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { InstrumentFeed, VenueExecution, VenueOrderRequest } from '../venue-adapter';
import { VenueStartError } from '../live/live-venue-config';
import { noFeed, until } from '../live/orders-test-kit';
import { VenueCredentials } from '../live/venue-credentials';
import { BinanceFakeServer, type FakeBinanceSymbol, type TrueBook } from './binance-fake-server';
import { openBinanceVenue, type BinanceVenue, type BinanceVenueConfig } from './binance-venue';

const BTC: FakeBinanceSymbol = { symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01', stepSize: '0.00001', minNotional: '5', midTicks: 6_500_000 };
const ETH: FakeBinanceSymbol = { symbol: 'ETHUSDT', baseAsset: 'ETH', quoteAsset: 'USDT', tickSize: '0.01', stepSize: '0.0001', midTicks: 350_000 };
const KEY = 'fake-api-key';
const SECRET = 'fake-api-secret';

/** The feed the market-data service would be: keeps the book and every state it was told. */
class RecordingFeed implements InstrumentFeed {
  bids = new Map<number, number>();
  asks = new Map<number, number>();
  states: StreamState[] = [];
  trades: number[] = [];
  level(side: Side, price: number, size: number): void {
    const m = side === Side.Buy ? this.bids : this.asks;
    if (size === 0) m.delete(price);
    else m.set(price, size);
  }
  trade(tradeId: number): void {
    this.trades.push(tradeId);
  }
  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }
  state(s: StreamState): void {
    this.states.push(s);
  }
  get current(): StreamState | undefined {
    return this.states.at(-1);
  }
}

let fake: BinanceFakeServer;
let fakeRunning = false;
let venue: BinanceVenue | undefined;
afterEach(async () => {
  await venue?.stop();
  venue = undefined;
  if (fakeRunning) await fake.stop();
  fakeRunning = false;
});

async function startFake(symbols: FakeBinanceSymbol[] = [BTC, ETH], over: { apiKey?: string; apiSecret?: string } = { apiKey: KEY, apiSecret: SECRET }): Promise<BinanceFakeServer> {
  fake = await BinanceFakeServer.start({ symbols, ...over });
  fakeRunning = true;
  return fake;
}

const staleCount = (f: RecordingFeed) => f.states.filter((s) => s === StreamState.Stale).length;
const sameBook = (f: RecordingFeed, b: TrueBook) => equalMaps(f.bids, b.bids) && equalMaps(f.asks, b.asks);
function equalMaps(a: Map<number, number>, b: Map<number, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

async function open(over: Partial<BinanceVenueConfig> = {}, symbols = [BTC, ETH]): Promise<{ v: BinanceVenue; feeds: Map<string, RecordingFeed> }> {
  if (!fakeRunning) await startFake(symbols);
  const v = await openBinanceVenue({
    symbols: symbols.map((s) => `${s.baseAsset}-${s.quoteAsset}`),
    restUrl: fake.restUrl,
    wsUrl: fake.wsUrl,
    wsApiUrl: `${fake.wsUrl}/ws-api/v3`,
    // Long enough that a loaded machine's late timers are not taken for silence; the stall test shortens it.
    silenceMs: 3000,
    backoff: { baseMs: 20, maxMs: 200 },
    startTimeoutMs: 200, // a fresh stream is live at its first event, which the tests pump
    ...over,
  });
  venue = v;
  const feeds = new Map<string, RecordingFeed>();
  await v.start((symbol) => {
    const f = new RecordingFeed();
    feeds.set(symbol, f);
    return f;
  });
  return { v, feeds };
}

/**
 * Pumps `events`, keeps the market moving (an event every 10 ms, as a live market does) until
 * every book is live, then stops: at that quiet point each book must equal the fake's true book.
 */
async function pumpAndSettle(feeds: Map<string, RecordingFeed>, events: number): Promise<void> {
  fake.pump(events);
  await until(() => {
    const live = [...feeds.values()].every((f) => f.current === StreamState.Live);
    if (!live) fake.pump(1);
    return live;
  }, 'every book live');
  await until(() => sameBook(feeds.get('BTC-USDT')!, fake.trueBook('BTCUSDT')) && feeds.get('BTC-USDT')!.current === StreamState.Live, 'BTC book equal to the true book and live');
  await until(() => sameBook(feeds.get('ETH-USDT')!, fake.trueBook('ETHUSDT')) && feeds.get('ETH-USDT')!.current === StreamState.Live, 'ETH book equal to the true book and live');
}

describe('Binance adapter against the fake, through its wire', () => {
  it('lists instruments from exchangeInfo with exact ticks, lots and minimums', async () => {
    const { v } = await open();
    expect(v.instruments().map((i) => [i.symbol, i.venue, i.tickSize, i.lotSize, i.minQty, i.base, i.quote])).toEqual([
      ['BTC-USDT', 'binance', '0.01', '0.00001', 1, 'BTC', 'USDT'],
      ['ETH-USDT', 'binance', '0.01', '0.0001', 1, 'ETH', 'USDT'],
    ]);
    expect(v.markets[0]!.minNotionalE8).toBe(5e8);
  });

  it('syncs snapshot + diff stream so the book equals the true book at every quiet point', async () => {
    const { v, feeds } = await open();
    for (let round = 0; round < 5; round++) await pumpAndSettle(feeds, 60);
    expect(v.bookSync('BTC-USDT')!.resyncs).toBe(0);
    expect(feeds.get('BTC-USDT')!.states).toEqual([StreamState.Live]);
    expect(feeds.get('BTC-USDT')!.trades.length).toBeGreaterThan(0);
  });

  it('a sequence gap: STALE at once, then resynced and LIVE, equal to the true book', async () => {
    const { v, feeds } = await open();
    await pumpAndSettle(feeds, 20);
    fake.gapNext();
    fake.pump(1);
    await until(() => feeds.get('BTC-USDT')!.states.includes(StreamState.Stale), 'stale after the gap');
    await pumpAndSettle(feeds, 20);
    expect(v.bookSync('BTC-USDT')!.resyncs).toBeGreaterThanOrEqual(1);
    expect(feeds.get('BTC-USDT')!.states).toEqual([StreamState.Live, StreamState.Stale, StreamState.Live]);
  });

  it('a duplicate event is not applied twice; out-of-order events resync rather than corrupt', async () => {
    const { v, feeds } = await open();
    await pumpAndSettle(feeds, 10);
    fake.duplicateNext();
    await pumpAndSettle(feeds, 5);
    expect(v.bookSync('BTC-USDT')!.resyncs).toBe(0);
    fake.swapNextTwo();
    await pumpAndSettle(feeds, 5);
    expect(v.bookSync('BTC-USDT')!.resyncs).toBeGreaterThanOrEqual(1);
  });

  it('a price off the tick grid is never a level: the book resyncs from the snapshot', async () => {
    const { v, feeds } = await open();
    await pumpAndSettle(feeds, 10);
    const before = v.bookSync('BTC-USDT')!.resyncs;
    fake.badPriceNext();
    await pumpAndSettle(feeds, 10);
    expect(v.bookSync('BTC-USDT')!.resyncs).toBeGreaterThan(before);
    expect(v.bookSync('BTC-USDT')!.book.unrepresentable).toBeGreaterThanOrEqual(1);
  });

  it('a snapshot older than the buffered stream is fetched again (after a backoff) until it straddles', async () => {
    const { feeds } = await open();
    await pumpAndSettle(feeds, 10);
    const before = fake.requests.get('/api/v3/depth') ?? 0;
    // Further behind than any buffer can bridge: never a usable snapshot until the lag ends.
    fake.lagSnapshots(1_000_000);
    fake.gapNext();
    const pumping = setInterval(() => fake.pump(1), 5);
    try {
      await until(() => (fake.requests.get('/api/v3/depth') ?? 0) - before >= 4, 'refetched snapshots');
      expect(feeds.get('BTC-USDT')!.current).toBe(StreamState.Stale); // never live on an old snapshot
    } finally {
      clearInterval(pumping);
    }
    fake.lagSnapshots(0);
    await pumpAndSettle(feeds, 10);
  });

  it('a silent stall (socket open, no pings): the watchdog marks it STALE, then it comes back LIVE', async () => {
    const { v, feeds } = await open({ silenceMs: 400 });
    await pumpAndSettle(feeds, 10);
    fake.stall();
    await until(() => staleCount(feeds.get('BTC-USDT')!) === 1, 'stale on silence');
    fake.resume();
    await pumpAndSettle(feeds, 10);
    expect(v.marketSocket.connects).toBeGreaterThanOrEqual(2);
  });

  it('a dropped socket: STALE, reconnect with backoff, LIVE and equal again', async () => {
    const { v, feeds } = await open();
    await pumpAndSettle(feeds, 10);
    fake.dropSockets();
    await until(() => staleCount(feeds.get('ETH-USDT')!) === 1, 'stale on close');
    await pumpAndSettle(feeds, 10);
    expect(v.marketSocket.connects).toBe(2);
  });

  it('429 on the snapshot: the gate holds every request until Retry-After, then the book syncs', async () => {
    const { feeds } = await open();
    await pumpAndSettle(feeds, 5);
    const before = fake.requests.get('/api/v3/depth') ?? 0;
    fake.answerRest(429, 1, 1);
    fake.dropSockets();
    await until(() => staleCount(feeds.get('BTC-USDT')!) === 1, 'stale');
    const t = performance.now();
    await pumpAndSettle(feeds, 5);
    // One request got the 429 and both books waited out the second it asked for: no hammering.
    expect(performance.now() - t).toBeGreaterThanOrEqual(900);
    expect((fake.requests.get('/api/v3/depth') ?? 0) - before).toBeLessThanOrEqual(4);
    expect(venue!.http.held).toBeGreaterThanOrEqual(0);
  });

  it('refuses at open, with a code, a symbol Binance does not list or cannot be represented', async () => {
    await startFake([BTC, { ...ETH, stepSize: '0.3', maxQty: '1000' }], {});
    const code = async (symbols: string[]) =>
      openBinanceVenue({ symbols, restUrl: fake.restUrl, wsUrl: fake.wsUrl }).then(
        () => 'opened',
        (e: VenueStartError) => e.code,
      );
    expect(await code(['DOGE-USDT'])).toBe(ErrorCode.VENUE_UNLISTED_SYMBOL);
    expect(await code(['BTC-USD'])).toBe(ErrorCode.VENUE_UNLISTED_SYMBOL); // USDT is not USD
    expect(await code(['ETH-USDT'])).toBe(ErrorCode.VENUE_INSTRUMENT_UNREPRESENTABLE);
    expect(await code(['BTC-USDT'])).toBe('opened');
  });
});

function order(over: Partial<VenueOrderRequest> = {}): VenueOrderRequest {
  return { orderId: 'o-1', account: 'trader', symbol: 'BTC-USDT', side: Side.Buy, type: OrderType.Limit, timeInForce: TimeInForce.GTC, price: 6_000_000, qty: 100, postOnly: false, ...over };
}

async function trading(over: Partial<BinanceVenueConfig> = {}) {
  const credentials = new VenueCredentials(KEY, SECRET);
  const { v, feeds } = await open({ credentials, silenceMs: 400, ...over });
  const reports: VenueExecution[] = [];
  v.onExecution((r) => reports.push(r));
  await until(() => fake.userDataSessions === 1 && (v as unknown as { orders: { reconciliations: number } }).orders.reconciliations >= 1, 'order session up');
  return { v, feeds, reports };
}

describe('Binance order entry over the WebSocket API, against the fake', () => {
  it('without keys an order is refused with VENUE_NO_CREDENTIALS, after the call returns', async () => {
    const { v } = await open();
    const reports: VenueExecution[] = [];
    v.onExecution((r) => reports.push(r));
    v.submit(order());
    expect(reports).toEqual([]);
    await until(() => reports.length === 1, 'refusal');
    expect(reports[0]).toMatchObject({ orderId: 'o-1', kind: 'rejected', reasonCode: ErrorCode.VENUE_NO_CREDENTIALS });
  });

  it('a crossing limit order is accepted and fills against the book, with the fee in quote units', async () => {
    const { reports } = await trading();
    // The fake matches against its true book: a best ask of 200 lots (0.002 BTC, above the 5 USDT minimum).
    const ask = Math.min(...fake.trueBook('BTCUSDT').asks.keys());
    const size = 200;
    fake.trueBook('BTCUSDT').asks.set(ask, size);
    venue!.submit(order({ price: ask, qty: size }));
    await until(() => reports.some((r) => r.kind === 'fill'), 'a fill');
    expect(reports[0]).toMatchObject({ kind: 'accepted', orderId: 'o-1', qty: size });
    const fill = reports.find((r) => r.kind === 'fill')!;
    expect(fill).toMatchObject({ price: ask, qty: size, leavesQty: 0, liquidityMaker: false });
    // 0.1% of price × qty, in USDT × 1e-8 (rounded down to 8 decimals by the venue).
    expect(fill.fee).toBe(Math.floor((ask / 100) * (size / 1e5) * 0.001 * 1e8));
    expect(fake.orders.get('tm-o-1')!.info.status).toBe('FILLED');
  });

  it('a venue rejection becomes rejected with a stable code and the venue code in the reason', async () => {
    const { reports } = await trading();
    fake.rejectNext(-2010, 'Account has insufficient balance for requested action.');
    venue!.submit(order());
    await until(() => reports.length === 1, 'rejection');
    expect(reports[0]).toMatchObject({ kind: 'rejected', reasonCode: ErrorCode.VENUE_REJECTED });
    expect(reports[0]!.reason).toContain('-2010');
  });

  it('refuses on our side what Binance lacks or would refuse: no send', async () => {
    const { reports } = await trading();
    const sent = () => fake.apiCalls.get('order.place') ?? 0;
    venue!.submit(order({ orderId: 'a', postOnly: true, timeInForce: TimeInForce.IOC }));
    venue!.submit(order({ orderId: 'b', timeInForce: TimeInForce.Day }));
    venue!.submit(order({ orderId: 'c', price: 100, qty: 1 })); // 1.00 × 0.00001 USDT: under the 5 USDT minimum
    await until(() => reports.length === 3, 'three refusals');
    expect(reports.map((r) => [r.orderId, r.reasonCode])).toEqual([
      ['a', ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE],
      ['b', ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE],
      ['c', ErrorCode.VENUE_MIN_NOTIONAL],
    ]);
    expect(sent()).toBe(0);
  });

  it('a wrong secret: the venue refuses the signature and the order is rejected, the secret in no text', async () => {
    const { v, feeds } = await open({ credentials: new VenueCredentials(KEY, 'not-the-secret') });
    void feeds;
    const reports: VenueExecution[] = [];
    v.onExecution((r) => reports.push(r));
    await until(() => (fake.apiCalls.get('userDataStream.subscribe.signature') ?? 0) >= 1, 'a subscription attempt');
    v.submit(order());
    await until(() => reports.length === 1, 'rejection');
    expect(reports[0]!.kind).toBe('rejected');
    expect(JSON.stringify(reports)).not.toContain('not-the-secret');
  });

  it('a fill while the order session is down is booked once on reconnect; cancels and unknown orders reconcile', async () => {
    const { v, reports } = await trading();
    v.submit(order({ orderId: 'rest', price: 6_000_000, qty: 300 }));
    await until(() => reports.some((r) => r.kind === 'accepted' && r.orderId === 'rest'), 'accepted');
    v.submit(order({ orderId: 'gone', price: 6_000_000, qty: 300 }));
    await until(() => reports.some((r) => r.kind === 'accepted' && r.orderId === 'gone'), 'accepted');
    // The session drops; meanwhile the venue fills one order, forgets another, and someone else places one.
    fake.dropSessions();
    fake.fillResting('tm-rest', '0.00100');
    fake.orders.delete('tm-gone');
    fake.addForeignOrder('BTCUSDT', 'web_abc123');
    await until(() => reports.some((r) => r.kind === 'fill' && r.orderId === 'rest'), 'the missed fill', 15_000);
    await until(() => reports.some((r) => r.orderId === 'gone' && r.kind === 'canceled'), 'the unknown order closed');
    const orders = (v as unknown as { orders: { unknownOrders: string[]; reconciliations: number; reconciling: boolean } }).orders;
    await until(() => orders.unknownOrders.includes('web_abc123'), 'operator alert for the foreign order');
    expect(reports.find((r) => r.orderId === 'gone' && r.kind === 'canceled')!.reasonCode).toBe(ErrorCode.VENUE_ORDER_NOT_FOUND);
    // A second reconnect does not book it again.
    const reconciled = orders.reconciliations;
    const subscribed = fake.apiCalls.get('userDataStream.subscribe.signature') ?? 0;
    fake.dropSessions();
    // A pass that started before the drop may end after it: wait for the new session (its
    // subscription) and a pass done since, not just any pass, before acting on that session.
    await until(
      () => (fake.apiCalls.get('userDataStream.subscribe.signature') ?? 0) > subscribed && !orders.reconciling && orders.reconciliations > reconciled,
      'second reconciliation, on the new session',
      15_000,
    );
    expect(reports.filter((r) => r.kind === 'fill' && r.orderId === 'rest').map((r) => r.qty)).toEqual([100]);
    // And a cancel on the live session ends it.
    v.cancel('rest');
    await until(() => reports.some((r) => r.orderId === 'rest' && r.kind === 'canceled'), 'canceled');
  });

  it('an open order with our prefix is not unknown before the OMS hands its orders back (a restart, a takeover); after, one it did not hand back is', async () => {
    (await startFake()).addForeignOrder('BTCUSDT', 'tm-old-7');
    const { v } = await trading();
    const orders = (v as unknown as { orders: { unknownOrders: string[]; reconciliations: number } }).orders;
    expect(orders.unknownOrders).not.toContain('tm-old-7');
    v.resume!([]);
    await until(() => orders.unknownOrders.includes('tm-old-7'), 'the operator alert after the hand-back');
  });
});

describe('Binance adapter health (VenueAdapter.health), counted where things happen', () => {
  it('market data only: connected, connects after a dropped socket, a 429 counted; no order-socket figures', async () => {
    const { v, feeds } = await open();
    await pumpAndSettle(feeds, 5);
    expect(v.health()).toEqual({ connected: true, connects: 1, rateLimited: 0, ordersConnected: undefined, reconciliations: undefined });
    fake.answerRest(429, 0, 1);
    fake.dropSockets();
    await until(() => staleCount(feeds.get('BTC-USDT')!) === 1, 'stale on close');
    await pumpAndSettle(feeds, 5);
    const h = v.health();
    expect([h.connected, h.connects]).toEqual([true, 2]);
    // The resync's snapshot request got the 429.
    expect(h.rateLimited).toBe(1);
  });

  it('with keys: the order session is counted and shown, reconciliations grow, a 429 of the WebSocket API is counted', async () => {
    // A watchdog long enough that a loaded machine's late timers add no reconnect of their own.
    const { v } = await trading({ silenceMs: 3000 });
    let h = v.health();
    expect(h.ordersConnected).toBe(true);
    expect(h.reconciliations).toBeGreaterThanOrEqual(1);
    expect(h.connects).toBe(2); // the market stream and the order session
    const before = h.reconciliations!;
    fake.dropSessions();
    await until(() => v.health().reconciliations! > before, 'a reconciliation after the drop', 15_000);
    h = v.health();
    expect([h.ordersConnected, h.connects]).toEqual([true, 3]);
    const limited = h.rateLimited;
    fake.answerRest(429, 0, 1);
    const reports: VenueExecution[] = [];
    v.onExecution((r) => reports.push(r));
    v.submit(order({ orderId: 'limited' }));
    await until(() => reports.some((r) => r.orderId === 'limited'), 'the order answered');
    expect(reports.find((r) => r.orderId === 'limited')).toMatchObject({ kind: 'rejected', reasonCode: ErrorCode.VENUE_RATE_LIMITED });
    expect(v.health().rateLimited).toBe(limited + 1);
  });
});

describe('Binance: a cancel of a handed-back order right after a restart', () => {
  const rest = () => order({ orderId: 'rest', price: 6_000_000, qty: 300 });

  /** Order "rest" rests at the venue, then the adapter stops (the process ends). */
  async function restingThenStopped(): Promise<void> {
    const { v, reports } = await trading();
    v.submit(rest());
    await until(() => reports.some((r) => r.kind === 'accepted' && r.orderId === 'rest'), 'accepted');
    await v.stop();
  }

  /**
   * A new process on the same account: the OMS hands "rest" back and cancels it at once,
   * before the new order session is up. Not started yet.
   */
  async function reopenedCancelingRest() {
    const v2 = await openBinanceVenue({
      symbols: ['BTC-USDT', 'ETH-USDT'], restUrl: fake.restUrl, wsUrl: fake.wsUrl, wsApiUrl: `${fake.wsUrl}/ws-api/v3`,
      credentials: new VenueCredentials(KEY, SECRET), silenceMs: 400, backoff: { baseMs: 20, maxMs: 200 }, startTimeoutMs: 200,
    });
    venue = v2;
    const after: VenueExecution[] = [];
    v2.onExecution((r) => after.push(r));
    v2.resume([{ ...rest(), filledQty: 0, tradeIds: [], accepted: true }]);
    v2.cancel('rest');
    return { v2, after, orders: (v2 as unknown as { orders: { reconciliations: number } }).orders };
  }

  it('is held until the order is reconciled, then sent: the venue ends with it canceled, reported canceled once', async () => {
    await restingThenStopped();
    const { v2, after, orders } = await reopenedCancelingRest();
    await v2.start(() => noFeed);
    await until(() => after.some((r) => r.orderId === 'rest' && (r.kind === 'canceled' || r.kind === 'cancel-rejected')), 'an answer to the cancel');
    expect(after.filter((r) => r.orderId === 'rest').map((r) => [r.kind, r.reasonCode])).toEqual([['canceled', '']]);
    expect(fake.orders.get('tm-rest')!.info.status).toBe('CANCELED');
    // Later passes change nothing.
    const n = orders.reconciliations;
    fake.dropSessions();
    await until(() => orders.reconciliations > n, 'another reconciliation', 15_000);
    expect(after.filter((r) => r.orderId === 'rest' && r.kind === 'canceled')).toHaveLength(1);
  });

  it('an order the venue closed meanwhile: the close is the answer, nothing is sent', async () => {
    await restingThenStopped();
    fake.fillResting('tm-rest', '0.00300'); // filled in full while we were down
    const { v2, after, orders } = await reopenedCancelingRest();
    const cancels = fake.apiCalls.get('order.cancel') ?? 0;
    await v2.start(() => noFeed);
    await until(() => orders.reconciliations >= 1, 'reconciled');
    expect(after.filter((r) => r.orderId === 'rest').map((r) => [r.kind, r.qty, r.leavesQty])).toEqual([['fill', 300, 0]]);
    expect(fake.apiCalls.get('order.cancel') ?? 0).toBe(cancels);
  });
});

