import { BookStream, ErrorCode, Side, StreamState, type ServerMsg } from '@tickmesh/shared';
import * as zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtoClient, startRelay, until } from '../../../test/harness';
import type { Relay } from '../../server/relay-server';
import { VenueStartError } from '../live/live-venue-config';
import { VenueHttp, VenueHttpError } from '../live/venue-http';
import type { InstrumentFeed } from '../venue-adapter';
import { KrakenFakeServer, type FakeKrakenPair } from './kraken-fake-server';
import { KrakenBookSync } from './kraken-book-sync';
import { fromKrakenSymbol, krakenMarket, toKrakenRestPair, toKrakenSymbol } from './kraken-symbols';
import { FeedBook } from '../live/feed-book';
import { openKrakenVenue, type KrakenVenue, type KrakenVenueConfig } from './kraken-venue';
import { checksumToken, crc32, parseKrakenFrame, plainDecimal } from './kraken-wire';

const BTC: FakeKrakenPair = {
  key: 'XXBTZUSD', altname: 'XBTUSD', wsname: 'XBT/USD', v2name: 'BTC/USD', base: 'XXBT', quote: 'ZUSD',
  pairDecimals: 1, lotDecimals: 8, tickSize: '0.1', ordermin: '0.0001', midTicks: 452_850,
};
const ETH: FakeKrakenPair = {
  key: 'XETHZUSD', altname: 'ETHUSD', wsname: 'ETH/USD', v2name: 'ETH/USD', base: 'XETH', quote: 'ZUSD',
  pairDecimals: 2, lotDecimals: 8, tickSize: '0.01', ordermin: '0.002', midTicks: 300_000,
};
const DEPTH = 10;

/** A feed that keeps the book it is fed and every state it is told, and checks each level is whole ticks/lots. */
class RecordingFeed implements InstrumentFeed {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  readonly states: StreamState[] = [];
  readonly trades: number[] = [];
  maxDepthSeen = 0;
  badLevels = 0;
  level(side: Side, price: number, size: number): void {
    if (!Number.isSafeInteger(price) || !Number.isSafeInteger(size) || price <= 0 || size < 0) this.badLevels++;
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
  state(state: StreamState): void {
    this.states.push(state);
  }
  get last(): StreamState | undefined {
    return this.states[this.states.length - 1];
  }
  /** Best first, as [ticks, lots]. */
  view(): { bids: [number, number][]; asks: [number, number][] } {
    return { bids: [...this.bids].sort((a, b) => b[0] - a[0]), asks: [...this.asks].sort((a, b) => a[0] - b[0]) };
  }
}

interface Rig {
  fake: KrakenFakeServer;
  venue: KrakenVenue;
  feeds: Map<string, RecordingFeed>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fake(pairs = [BTC, ETH], seed = 7): Promise<KrakenFakeServer> {
  const f = await KrakenFakeServer.start({ pairs, seed, heartbeatMs: 50 });
  cleanups.push(() => f.close());
  return f;
}

function config(f: KrakenFakeServer, symbols = ['BTC-USD', 'ETH-USD'], extra: Partial<KrakenVenueConfig> = {}): KrakenVenueConfig {
  // 2 s of silence: the fake runs in this process, and on a loaded machine a blocked event loop
  // would otherwise trip the watchdog (the stall test sets 300 ms).
  return { symbols, restUrl: f.restUrl, wsUrl: f.wsUrl, silenceMs: 2000, backoff: { baseMs: 20, maxMs: 200 }, ...extra };
}

async function rig(extra: Partial<KrakenVenueConfig> = {}): Promise<Rig> {
  const f = await fake([BTC, ETH], 7);
  const venue = await openKrakenVenue(config(f, undefined, extra));
  cleanups.push(() => venue.stop());
  const feeds = new Map<string, RecordingFeed>();
  await venue.start((symbol) => {
    const feed = new RecordingFeed();
    feeds.set(symbol, feed);
    return feed;
  });
  return { fake: f, venue, feeds };
}

function feed(r: Rig, symbol: string): RecordingFeed {
  return r.feeds.get(symbol)!;
}

/** Stops the fake's flow and waits until both books equal the fake's true book (top DEPTH). */
async function quietAndEqual(r: Rig, what: string): Promise<void> {
  r.fake.stopFlow();
  for (const [symbol, v2] of [['BTC-USD', 'BTC/USD'], ['ETH-USD', 'ETH/USD']] as const) {
    const f = feed(r, symbol);
    await until(() => f.last === StreamState.Live && JSON.stringify(f.view()) === JSON.stringify(r.fake.view(v2, DEPTH)), 8000, `${what}: ${symbol} live and equal to the true book`);
    expect(f.view()).toEqual(r.fake.view(v2, DEPTH));
    expect(f.badLevels).toBe(0);
  }
}

/** Runs the flow until `check` after a fault, then quiet. */
async function flowUntil(r: Rig, check: () => boolean, what: string): Promise<void> {
  r.fake.startFlow(5, 2);
  await until(check, 8000, what);
}

/** `steps` changes in chunks of 10, yielding between them (the fake shares this event loop). */
async function pumpYielding(f: KrakenFakeServer, steps: number): Promise<void> {
  for (let i = 0; i < steps; i += 10) {
    f.pump(Math.min(10, steps - i));
    await new Promise((r) => setImmediate(r));
  }
}

/** The states a feed was told from index `from` on, with repeats collapsed. */
function statesSince(f: RecordingFeed, from: number): StreamState[] {
  return f.states.slice(from).filter((s, i, a) => i === 0 || a[i - 1] !== s);
}

describe('kraken wire', () => {
  it('computes CRC32 as zlib does and the checksum tokens as the v2 guide shows', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    for (const s of ['', '452852100000', '45283550000000045285210000000']) expect(crc32(s)).toBe(zlib.crc32(s));
    // Guide: price "45285.2" -> "452852"; qty "0.00100000" -> "100000".
    expect(checksumToken(452_852, 1, 1, 1)).toBe('452852');
    expect(checksumToken(100_000, 1, 8, 8)).toBe('100000');
    // Tick 0.5 at precision 2: 3 ticks = 1.50 -> "150".
    expect(checksumToken(3, 5, 1, 2)).toBe('150');
  });

  it("verifies Kraken's own documented v2 example snapshot (checksum 3310070434) through parse and book sync", () => {
    const lv = (l: string[][]) => l.map(([p, q]) => `{"price":${p},"qty":${q}}`).join(',');
    const bids = [['45283.5', '0.10000000'], ['45283.4', '1.54582015'], ['45282.1', '0.10000000'], ['45281.0', '0.10000000'], ['45280.3', '1.54592586'], ['45279.0', '0.07990000'], ['45277.6', '0.03310103'], ['45277.5', '0.30000000'], ['45277.3', '1.54602737'], ['45276.6', '0.15445238']];
    const asks = [['45285.2', '0.00100000'], ['45286.4', '1.54571953'], ['45286.6', '1.54571109'], ['45289.6', '1.54560911'], ['45290.2', '0.15890660'], ['45291.8', '1.54553491'], ['45294.7', '0.04454749'], ['45296.1', '0.35380000'], ['45297.5', '0.09945542'], ['45299.5', '0.18772827']];
    const frame = (checksum: number) => parseKrakenFrame(`{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[${lv(bids)}],"asks":[${lv(asks)}],"checksum":${checksum}}]}`);
    const market = krakenMarket('BTC-USD', { XXBTZUSD: { wsname: 'XBT/USD', base: 'XXBT', quote: 'ZUSD', pair_decimals: 1, lot_decimals: 8, tick_size: '0.1' } });
    const resubscribed: string[] = [];
    const sync = new KrakenBookSync(market, new FeedBook(new RecordingFeed(), market.price, market.size), 10, { resubscribe: (_s, why) => resubscribed.push(why) });
    const good = frame(3310070434);
    if (good?.kind !== 'book') throw new Error('not a book frame');
    sync.snapshot(good.data[0]!);
    expect(sync.isSynced).toBe(true);
    expect(sync.checksum()).toBe(3310070434);
    expect(sync.book.top(Side.Sell, 1)).toEqual([452_852]);
    expect(sync.book.asks.get(452_852)).toBe(100_000);
    const bad = frame(3310070435);
    if (bad?.kind !== 'book') throw new Error('not a book frame');
    sync.snapshot(bad.data[0]!);
    expect([sync.isSynced, resubscribed]).toEqual([false, ['checksum']]);
  });

  it('keeps the venue digits of JSON numbers and expands exponents exactly', () => {
    const f = parseKrakenFrame('{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":45283.50,"qty":1.5e-7}],"asks":[],"checksum":1,"timestamp":"2023-10-06T17:35:55.440295Z"}]}');
    expect(f).toMatchObject({ kind: 'book', type: 'update', data: [{ bids: [{ price: '45283.50', qty: '0.00000015' }] }] });
    expect(plainDecimal('12e2')).toBe('1200');
    expect(plainDecimal('1.25e1')).toBe('12.5');
    expect(plainDecimal('-1')).toBeUndefined();
  });

  it('maps canonical symbols to v2 and legacy names and back', () => {
    expect(toKrakenSymbol('BTC-USD')).toBe('BTC/USD');
    expect(toKrakenSymbol('XBT-USD')).toBe('BTC/USD');
    expect(toKrakenRestPair('BTC-USD')).toBe('XBTUSD');
    expect(fromKrakenSymbol('XBT/USD')).toBe('BTC-USD');
    expect(fromKrakenSymbol('BTC/USDT')).toBe('BTC-USDT');
  });
});

describe('kraken venue against the fake, over the wire', () => {
  it('lists instruments from AssetPairs with exact tick, lot, minimum and default fees', async () => {
    const f = await fake();
    const venue = await openKrakenVenue(config(f));
    expect(venue.instruments()).toEqual([
      { streamId: 0, symbol: 'BTC-USD', venue: 'kraken', base: 'BTC', quote: 'USD', tickSize: '0.1', lotSize: '0.00000001', minQty: 10_000, maxQty: Number.MAX_SAFE_INTEGER, makerFeeBpsX100: 2500, takerFeeBpsX100: 4000 },
      { streamId: 0, symbol: 'ETH-USD', venue: 'kraken', base: 'ETH', quote: 'USD', tickSize: '0.01', lotSize: '0.00000001', minQty: 200_000, maxQty: Number.MAX_SAFE_INTEGER, makerFeeBpsX100: 2500, takerFeeBpsX100: 4000 },
    ]);
  });

  it('refuses an unlisted symbol and an unrepresentable instrument at open, with codes', async () => {
    const f = await fake([BTC, { ...ETH, key: 'XWEIRD', altname: 'WEIRDUSD', wsname: 'WEIRD/USD', v2name: 'WEIRD/USD', base: 'WEIRD', tickSize: '0.001', pairDecimals: 2 }]);
    await expect(openKrakenVenue(config(f, ['BTC-USD', 'DOGE-USD']))).rejects.toMatchObject({ code: ErrorCode.VENUE_UNLISTED_SYMBOL });
    const err = await openKrakenVenue(config(f, ['WEIRD-USD'])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VenueStartError);
    expect(err).toMatchObject({ code: ErrorCode.VENUE_INSTRUMENT_UNREPRESENTABLE });
  });

  it('feeds books equal to the true book at quiet points, truncated to the depth, with trades once each', async () => {
    const r = await rig();
    expect(feed(r, 'BTC-USD').last).toBe(StreamState.Live);
    await quietAndEqual(r, 'after start');
    for (let round = 0; round < 3; round++) {
      const n = r.fake.bookSubscribes;
      await pumpYielding(r.fake, 300);
      await quietAndEqual(r, `round ${round}`);
      const diag = { connects: r.venue.marketSocket.connects, btc: r.venue.bookSync('BTC-USD')!.resyncs, eth: r.venue.bookSync('ETH-USD')!.resyncs };
      expect(diag).toEqual({ connects: 1, btc: { checksum: 0, unrepresentable: 0 }, eth: { checksum: 0, unrepresentable: 0 } });
      expect(r.fake.bookSubscribes).toBe(n); // no resync was needed
    }
    for (const s of ['BTC-USD', 'ETH-USD']) {
      const sync = r.venue.bookSync(s)!;
      expect(sync.book.bids.size).toBeLessThanOrEqual(DEPTH);
      expect(sync.book.asks.size).toBeLessThanOrEqual(DEPTH);
      expect(sync.resyncs).toEqual({ checksum: 0, unrepresentable: 0 });
      const trades = feed(r, s).trades;
      expect(trades.length).toBeGreaterThan(0);
      expect(new Set(trades).size).toBe(trades.length);
    }
    // The fake's true book is deeper than the subscription: truncation is what keeps them equal.
    expect(r.fake.trueBook('BTC/USD').bids.size).toBeGreaterThan(DEPTH);
  });

  it('a wrong checksum makes the feed STALE, resubscribes, and it is LIVE again equal to the true book', async () => {
    const r = await rig();
    await quietAndEqual(r, 'start');
    const from = feed(r, 'BTC-USD').states.length;
    const fromEth = feed(r, 'ETH-USD').states.length;
    const subs = r.fake.bookSubscribes;
    r.fake.badChecksumNext();
    await flowUntil(r, () => r.fake.bookSubscribes > subs, 'a resubscription');
    await quietAndEqual(r, 'after the bad checksum');
    const sum = (r.venue.bookSync('BTC-USD')!.resyncs.checksum + r.venue.bookSync('ETH-USD')!.resyncs.checksum);
    expect(sum).toBe(1);
    const hit = r.venue.bookSync('BTC-USD')!.resyncs.checksum === 1 ? feed(r, 'BTC-USD') : feed(r, 'ETH-USD');
    expect(statesSince(hit, hit === feed(r, 'BTC-USD') ? from : fromEth)).toEqual([StreamState.Stale, StreamState.Live]);
    expect(r.venue.marketSocket.connects).toBe(1); // resynced on the same socket
  });

  it('a resync whose subscribe is never answered restarts the socket and ends LIVE', async () => {
    const r = await rig({ resyncTimeoutMs: 500 });
    await quietAndEqual(r, 'start');
    r.fake.badChecksumNext();
    r.fake.ignoreSubscribesNext(1);
    await flowUntil(r, () => r.venue.marketSocket.connects >= 2, 'a reconnect after the resync timeout');
    await quietAndEqual(r, 'after the lost subscribe');
  });

  it('a silent stall (no heartbeats, no data) goes STALE by the watchdog, then LIVE after the reconnect', async () => {
    const r = await rig({ silenceMs: 300 });
    await quietAndEqual(r, 'start');
    const from = feed(r, 'BTC-USD').states.length;
    r.fake.stall();
    await until(() => statesSince(feed(r, 'BTC-USD'), from).includes(StreamState.Stale), 5000, 'stale by the watchdog');
    await flowUntil(r, () => r.venue.marketSocket.connects >= 2, 'a reconnect');
    await quietAndEqual(r, 'after the stall');
    expect(statesSince(feed(r, 'BTC-USD'), from)).toEqual([StreamState.Stale, StreamState.Live]);
  });

  it('a dropped socket goes STALE, then LIVE after the reconnect, equal to the true book', async () => {
    const r = await rig();
    await quietAndEqual(r, 'start');
    const from = feed(r, 'ETH-USD').states.length;
    r.fake.dropSockets();
    await until(() => statesSince(feed(r, 'ETH-USD'), from).includes(StreamState.Stale), 5000, 'stale on close');
    await flowUntil(r, () => r.venue.marketSocket.connects >= 2, 'a reconnect');
    await quietAndEqual(r, 'after the drop');
    expect(statesSince(feed(r, 'ETH-USD'), from)).toEqual([StreamState.Stale, StreamState.Live]);
  });

  it('a price that is not a whole tick resyncs and never becomes a level', async () => {
    const r = await rig();
    await quietAndEqual(r, 'start');
    const subs = r.fake.bookSubscribes;
    r.fake.badPriceNext();
    await flowUntil(r, () => r.fake.bookSubscribes > subs, 'a resubscription');
    await quietAndEqual(r, 'after the bad price');
    const unrep = r.venue.bookSync('BTC-USD')!.resyncs.unrepresentable + r.venue.bookSync('ETH-USD')!.resyncs.unrepresentable;
    expect(unrep).toBe(1);
    expect(r.venue.bookSync('BTC-USD')!.book.unrepresentable + r.venue.bookSync('ETH-USD')!.book.unrepresentable).toBe(1);
  });

  it('a duplicate and an out-of-order update end LIVE and equal to the true book', async () => {
    const r = await rig();
    await quietAndEqual(r, 'start');
    r.fake.duplicateNext();
    r.fake.pump(20);
    await quietAndEqual(r, 'after the duplicate');
    const subs = r.fake.bookSubscribes;
    r.fake.swapNext();
    r.fake.pump(20);
    for (let i = 0; i < 100 && r.fake.heldUpdates > 0; i++) r.fake.pump(1);
    expect(r.fake.heldUpdates).toBe(0);
    await quietAndEqual(r, 'after the swap');
    // Kraken v2 has no sequence numbers: the checksum catches the reordering.
    expect(r.fake.bookSubscribes).toBeGreaterThan(subs);
  });

  it('a 429 on AssetPairs is waited out per Retry-After, and VenueHttp holds requests while it runs', async () => {
    const f = await fake();
    f.restFault(429, 1, 1);
    const t0 = performance.now();
    const venue = await openKrakenVenue(config(f));
    const waited = performance.now() - t0;
    expect(venue.instruments().length).toBe(2);
    expect(f.requests.get('/0/public/AssetPairs')).toBe(2);
    expect(waited).toBeGreaterThanOrEqual(950);

    const http = new VenueHttp({ baseUrl: f.restUrl });
    f.restFault(429, 30, 1);
    await expect(http.request('GET', '/0/public/AssetPairs')).rejects.toMatchObject({ code: ErrorCode.VENUE_RATE_LIMITED, status: 429 });
    const seen = f.requests.get('/0/public/AssetPairs');
    const held = await http.request('GET', '/0/public/AssetPairs').catch((e: unknown) => e);
    expect(held).toBeInstanceOf(VenueHttpError);
    expect(held).toMatchObject({ code: ErrorCode.VENUE_RATE_LIMITED, status: 0 });
    expect(f.requests.get('/0/public/AssetPairs')).toBe(seen);
    expect(http.held).toBe(1);

    // Kraken's own form: HTTP 200 with EGeneral:Too many requests; one attempt allowed -> the code.
    f.restBodyRateLimit(1);
    await expect(openKrakenVenue(config(f, ['BTC-USD'], { metadataAttempts: 1 }))).rejects.toMatchObject({ code: ErrorCode.VENUE_RATE_LIMITED });
  });

  it('without keys refuses every order on our side with VENUE_NO_CREDENTIALS (market data only)', async () => {
    const f = await fake();
    const venue = await openKrakenVenue(config(f));
    const reports: unknown[] = [];
    venue.onExecution((e) => reports.push(e));
    venue.submit({ orderId: 'o1', account: 'a', symbol: 'BTC-USD', side: Side.Buy, type: 1 as never, timeInForce: 1 as never, price: 1, qty: 10_000, postOnly: false });
    await until(() => reports.length === 1, 1000, 'a report');
    expect(reports[0]).toMatchObject({ orderId: 'o1', kind: 'rejected', reasonCode: ErrorCode.VENUE_NO_CREDENTIALS });
  });
});

describe('kraken venue through the relay', () => {
  let relay: Relay | undefined;
  const clients: ProtoClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await relay?.stop();
    relay = undefined;
  });

  it('a relay client sees the true book of the fake, STALE during an outage, then live and equal again', async () => {
    const f = await fake();
    const venue = await openKrakenVenue(config(f));
    relay = await startRelay([venue]);
    const c = await ProtoClient.connect(relay.url);
    clients.push(c);
    const welcome = c.received[0]!;
    if (welcome.type !== 'welcome') throw new Error('no welcome');
    const btc = welcome.instruments.find((i) => i.symbol === 'BTC-USD' && i.venue === 'kraken')!.streamId;
    c.send({ type: 'subscribe', requestId: 1, streamIds: [btc], symbols: [] });
    const stream = new BookStream(btc);
    let applied = 0;
    let sawStale = false;
    let wasLive = false;
    const follow = () => {
      for (; applied < c.received.length; applied++) {
        const m = c.received[applied] as ServerMsg;
        if (m.type === 'bookSnapshot' && m.streamId === btc) stream.applySnapshot(m);
        else if (m.type === 'bookBatch' && m.streamId === btc) stream.applyBatch(m);
        // Before the first snapshot a BookStream is 'stale' by definition: only a stale after live counts.
        if (stream.isLive) wasLive = true;
        else if (wasLive && stream.status === 'stale') sawStale = true;
      }
    };
    const equal = () => {
      follow();
      const want = f.view('BTC/USD', DEPTH);
      const bids = stream.book.levels(Side.Buy);
      const asks = stream.book.levels(Side.Sell);
      return stream.isLive && JSON.stringify([bids.price, bids.size, asks.price, asks.size]) === JSON.stringify([want.bids.map((l) => l[0]), want.bids.map((l) => l[1]), want.asks.map((l) => l[0]), want.asks.map((l) => l[1])]);
    };
    await until(equal, 8000, 'client book equal to the true book');
    await pumpYielding(f, 200);
    await until(equal, 8000, 'client book equal after 200 changes');
    // An outage (sockets cut, reconnects refused): the client must see STALE, then live and equal again.
    expect(sawStale).toBe(false);
    f.refuseConnections(true);
    f.dropSockets();
    await until(() => (follow(), sawStale), 8000, 'client sees stale');
    await until(() => f.refusedConnects >= 2, 8000, 'reconnects refused and retried');
    f.pump(50);
    expect((follow(), stream.isLive)).toBe(false);
    f.refuseConnections(false);
    await until(equal, 8000, 'client book equal after the reconnect');
  });
});
