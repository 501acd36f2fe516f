import { BookStream, ErrorCode, Side, StreamState, type ServerMsg } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtoClient, startRelay } from '../../../test/harness';
import type { Relay } from '../../server/relay-server';
import { VenueStartError } from '../live/live-venue-config';
import { VenueCredentials } from '../live/venue-credentials';
import { VenueHttpError } from '../live/venue-http';
import type { InstrumentFeed, VenueExecution } from '../venue-adapter';
import { CoinbaseFakeServer, type FakeCoinbaseProduct, type TrueBook } from './coinbase-fake-server';
import { openCoinbaseVenue, type CoinbaseVenue, type CoinbaseVenueConfig } from './coinbase-venue';

const PRODUCTS: FakeCoinbaseProduct[] = [
  { productId: 'BTC-USD', base: 'BTC', quote: 'USD', quoteIncrement: '0.01', baseIncrement: '0.00000001', baseMinSize: '0.00000001', baseMaxSize: '3400', midTicks: 5_000_000 },
  { productId: 'ETH-USD', base: 'ETH', quote: 'USD', quoteIncrement: '0.01', baseIncrement: '0.00000001', baseMinSize: '0.00001', baseMaxSize: '4000', midTicks: 300_000 },
];

/** A feed that keeps what the adapter wrote: the book, every state change, trades, clears. */
class RecordingFeed implements InstrumentFeed {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  readonly states: StreamState[] = [];
  readonly trades: { tradeId: number; price: number; size: number; aggressor: Side }[] = [];
  /** Every price written, to prove none was off the tick grid. */
  readonly prices: number[] = [];
  clears = 0;

  level(side: Side, price: number, size: number): void {
    this.prices.push(price);
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

  state(state: StreamState): void {
    this.states.push(state);
  }

  get current(): StreamState {
    return this.states.at(-1) ?? StreamState.Unspecified;
  }
}

const sorted = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]);
const sameBook = (feed: RecordingFeed, truth: TrueBook) =>
  JSON.stringify([sorted(feed.bids), sorted(feed.asks)]) === JSON.stringify([sorted(truth.bids), sorted(truth.asks)]);

/** Polls until `check` holds; the failure names what was awaited. */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let fake: CoinbaseFakeServer | undefined;
let venue: CoinbaseVenue | undefined;
let relay: Relay | undefined;
const clients: ProtoClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await relay?.stop();
  relay = undefined;
  await venue?.stop();
  venue = undefined;
  await fake?.stop();
  fake = undefined;
});

function config(f: CoinbaseFakeServer, over: Partial<CoinbaseVenueConfig> = {}): CoinbaseVenueConfig {
  // The watchdog is short only where silence is the fault under test (300 ms): on a loaded
  // 2-core machine a stalled event loop can make a busy socket look silent for that long.
  return { symbols: ['BTC-USD', 'ETH-USD'], restUrl: f.restUrl, wsUrl: f.wsUrl, silenceMs: 2000, backoff: { baseMs: 20, maxMs: 200 }, ...over };
}

/** A fake, the adapter opened on it and started with recording feeds, every book synced. */
async function started(over: Partial<CoinbaseVenueConfig> = {}): Promise<{ fake: CoinbaseFakeServer; venue: CoinbaseVenue; feeds: Map<string, RecordingFeed> }> {
  fake = await CoinbaseFakeServer.start({ products: PRODUCTS, seed: 5, heartbeatMs: 50 });
  venue = await openCoinbaseVenue(config(fake, over));
  const feeds = new Map<string, RecordingFeed>();
  await venue.start((symbol) => {
    const f = new RecordingFeed();
    feeds.set(symbol, f);
    return f;
  });
  return { fake, venue, feeds };
}

/** Every feed LIVE and equal to the fake's true book. */
async function allLiveAndEqual(f: CoinbaseFakeServer, feeds: Map<string, RecordingFeed>, what: string): Promise<void> {
  await until(() => [...feeds].every(([s, feed]) => feed.current === StreamState.Live && sameBook(feed, f.trueBook(s))), what);
}

describe('coinbase adapter through its wire (fake Advanced Trade on loopback)', () => {
  it('maps product metadata to instruments exactly (ticks, lots, min/max in lots, no fees invented)', async () => {
    const { venue } = await started();
    expect(venue.instruments()).toEqual([
      { streamId: 0, symbol: 'BTC-USD', venue: 'coinbase', base: 'BTC', quote: 'USD', tickSize: '0.01', lotSize: '0.00000001', minQty: 1, maxQty: 340_000_000_000, makerFeeBpsX100: 0, takerFeeBpsX100: 0 },
      { streamId: 0, symbol: 'ETH-USD', venue: 'coinbase', base: 'ETH', quote: 'USD', tickSize: '0.01', lotSize: '0.00000001', minQty: 1000, maxQty: 400_000_000_000, makerFeeBpsX100: 0, takerFeeBpsX100: 0 },
    ]);
  });

  it('subscribes heartbeats, level2 and market_trades, and feeds a book equal to the true book at every quiet point', async () => {
    const { fake, venue, feeds } = await started();
    expect(fake.subscribes).toEqual(['heartbeats:', 'level2:BTC-USD,ETH-USD', 'market_trades:BTC-USD,ETH-USD']);
    // start() resolved after the snapshots: already live and equal.
    for (const [s, feed] of feeds) {
      expect(feed.current).toBe(StreamState.Live);
      expect(sameBook(feed, fake.trueBook(s))).toBe(true);
    }
    for (let round = 0; round < 5; round++) {
      fake.pump(100);
      await allLiveAndEqual(fake, feeds, `quiet point ${round}`);
    }
    const btc = feeds.get('BTC-USD')!;
    // Trades after the start, in order, exactly: ids, price in ticks, size in lots, taker side.
    const printed = fake.trades('BTC-USD').slice(-btc.trades.length);
    expect(btc.trades.length).toBeGreaterThan(10);
    expect(btc.trades).toEqual(printed.map((t) => ({ tradeId: Number(t.trade_id), price: Math.round(Number(t.price) * 100), size: Math.round(Number(t.size) * 1e8), aggressor: t.side === 'BUY' ? Side.Buy : Side.Sell })));
    expect(btc.states).toEqual([StreamState.Live]);
    expect(venue.bookSync()!.resyncs).toBe(0);
    expect(fake.connections).toBe(1);
  });

  it('a sequence gap makes every book of the connection STALE, then reconnects and is LIVE and equal again', async () => {
    const { fake, venue, feeds } = await started();
    fake.pump(20);
    await allLiveAndEqual(fake, feeds, 'first sync');
    fake.gapNext();
    fake.pump(1);
    await until(() => [...feeds.values()].every((f) => f.states.includes(StreamState.Stale)), 'both books stale');
    fake.pump(20);
    await allLiveAndEqual(fake, feeds, 'resynced');
    for (const f of feeds.values()) expect(f.states).toEqual([StreamState.Live, StreamState.Stale, StreamState.Live]);
    expect(venue.bookSync()!.gaps).toBe(1);
    expect(fake.connections).toBe(2);
  });

  it('a silent stall (no heartbeats) goes STALE by the watchdog, then LIVE and equal after the reconnect', async () => {
    const { fake, feeds } = await started({ silenceMs: 300 });
    fake.stall();
    await until(() => [...feeds.values()].every((f) => f.current === StreamState.Stale), 'stale by silence');
    fake.pump(30); // the market moves on while we hear nothing
    fake.resume();
    await allLiveAndEqual(fake, feeds, 'resynced after the stall');
    expect(fake.connections).toBeGreaterThanOrEqual(2);
  });

  it('a dropped socket goes STALE, then LIVE and equal after the reconnect', async () => {
    const { fake, feeds } = await started();
    const before = fake.connections;
    fake.dropSockets();
    await until(() => [...feeds.values()].every((f) => f.states.includes(StreamState.Stale)), 'stale on close');
    fake.pump(30);
    await until(() => fake!.connections > before, 'reconnect');
    await allLiveAndEqual(fake, feeds, 'resynced after the drop');
    fake.pump(30);
    await allLiveAndEqual(fake, feeds, 'equal after more updates');
    // Trades across the reconnect: each printed once, in order, exactly as the venue printed it
    // (those missed beyond the snapshot's recent few are lost: there is no backfill).
    for (const [s, f] of feeds) {
      const ids = f.trades.map((t) => t.tradeId);
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
      const byId = new Map(fake.trades(s).map((t) => [Number(t.trade_id), t]));
      for (const t of f.trades) expect(Math.round(Number(byId.get(t.tradeId)!.price) * 100)).toBe(t.price);
    }
  });

  it('a duplicate message is dropped, not applied twice, and costs no resync', async () => {
    const { fake, venue, feeds } = await started();
    fake.duplicateNext();
    fake.pump(1);
    fake.pump(20);
    await allLiveAndEqual(fake, feeds, 'equal after the duplicate');
    const sync = venue.bookSync()!;
    expect(sync.duplicates).toBe(1);
    expect(sync.resyncs).toBe(0);
    expect(fake.connections).toBe(1);
    for (const f of feeds.values()) expect(f.states).toEqual([StreamState.Live]);
  });

  it('two messages out of order are a gap: STALE, resync, LIVE and equal', async () => {
    const { fake, venue, feeds } = await started();
    fake.swapNextTwo();
    fake.pump(2);
    await until(() => [...feeds.values()].every((f) => f.states.includes(StreamState.Stale)), 'stale on the swap');
    fake.pump(10);
    await allLiveAndEqual(fake, feeds, 'resynced after the swap');
    expect(venue.bookSync()!.gaps).toBe(1);
  });

  it('a price that is not a whole tick resyncs; no level is ever written off the grid', async () => {
    const { fake, venue, feeds } = await started();
    fake.badPriceNext();
    fake.pump(1);
    await until(() => [...feeds.values()].every((f) => f.states.includes(StreamState.Stale)), 'stale on the bad price');
    fake.pump(10);
    await allLiveAndEqual(fake, feeds, 'resynced after the bad price');
    const sync = venue.bookSync()!;
    expect(sync.resyncs).toBe(1);
    expect([...sync.books.values()].reduce((n, b) => n + b.unrepresentable, 0)).toBe(1);
    for (const f of feeds.values()) expect(f.prices.every(Number.isSafeInteger)).toBe(true);
    // The half-tick level (mid - 40 ticks - ½) exists in neither book: nothing was rounded onto it.
    expect(feeds.get('BTC-USD')!.bids.has(5_000_000 - 40)).toBe(fake.trueBook('BTC-USD').bids.has(5_000_000 - 40));
  });

  it('a venue that keeps sending values off the grid is not hammered: quick resyncs back off', async () => {
    // random 0.5: the jittered delays are deterministic (reconnect 10 ms; resyncs 0, 250, 500, 1000 ms …).
    const { fake, venue, feeds } = await started({ backoff: { baseMs: 20, maxMs: 200, random: () => 0.5 } });
    const t0 = performance.now();
    while (performance.now() - t0 < 1500) {
      fake.badPriceNext();
      fake.pump(1);
      await new Promise((r) => setTimeout(r, 10));
    }
    // Without the resync backoff this loop reconnects on every pump (dozens of connections).
    expect(venue.bookSync()!.resyncs).toBeGreaterThanOrEqual(2);
    expect(fake.connections).toBeLessThanOrEqual(6);
    for (const f of feeds.values()) expect(f.prices.every(Number.isSafeInteger)).toBe(true);
    // Once the venue is sane again the books come back.
    await allLiveAndEqual(fake, feeds, 'resynced after the storm');
  });

  it('start() resolves within its timeout when the venue does not answer, books never shown live', async () => {
    fake = await CoinbaseFakeServer.start({ products: PRODUCTS });
    fake.stall(); // takes no connections
    venue = await openCoinbaseVenue(config(fake, { startTimeoutMs: 300 }));
    const feed = new RecordingFeed();
    const t0 = performance.now();
    await venue.start(() => feed);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(feed.states).not.toContain(StreamState.Live);
  });
});

describe('coinbase open: product metadata over REST', () => {
  it('refuses an unlisted product with VENUE_UNLISTED_SYMBOL (and USDC is not USD)', async () => {
    fake = await CoinbaseFakeServer.start({ products: PRODUCTS });
    for (const symbols of [['DOGE-USD'], ['BTC-USD', 'BTC-USDC'], ['BTCUSD']]) {
      const err = await openCoinbaseVenue(config(fake, { symbols })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VenueStartError);
      expect((err as VenueStartError).code).toBe(ErrorCode.VENUE_UNLISTED_SYMBOL);
    }
  });

  it('refuses a product whose market data Coinbase publishes under an alias (BTC-USDC as BTC-USD)', async () => {
    fake = await CoinbaseFakeServer.start({ products: [...PRODUCTS, { ...PRODUCTS[0]!, productId: 'BTC-USDC', quote: 'USDC', alias: 'BTC-USD' }] });
    const err = await openCoinbaseVenue(config(fake, { symbols: ['BTC-USDC'] })).catch((e: unknown) => e);
    expect((err as VenueStartError).code).toBe(ErrorCode.VENUE_UNLISTED_SYMBOL);
    // BTC-USD itself is fine and stays BTC-USD.
    expect((await openCoinbaseVenue(config(fake, { symbols: ['BTC-USD'] }))).instruments()[0]!.quote).toBe('USD');
  });

  it('refuses a disabled product with VENUE_UNLISTED_SYMBOL', async () => {
    fake = await CoinbaseFakeServer.start({ products: [{ ...PRODUCTS[0]!, tradingDisabled: true }] });
    const err = await openCoinbaseVenue(config(fake, { symbols: ['BTC-USD'] })).catch((e: unknown) => e);
    expect((err as VenueStartError).code).toBe(ErrorCode.VENUE_UNLISTED_SYMBOL);
  });

  it('refuses a product whose sizes are not whole lots with VENUE_INSTRUMENT_UNREPRESENTABLE', async () => {
    fake = await CoinbaseFakeServer.start({
      products: [{ productId: 'XRP-USD', base: 'XRP', quote: 'USD', quoteIncrement: '0.0001', baseIncrement: '0.1', baseMinSize: '0.05', midTicks: 5000 }],
    });
    const err = await openCoinbaseVenue(config(fake, { symbols: ['XRP-USD'] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VenueStartError);
    expect((err as VenueStartError).code).toBe(ErrorCode.VENUE_INSTRUMENT_UNREPRESENTABLE);
  });

  it('a 429 closes the gate: further requests are held without reaching the venue, then open waits it out', async () => {
    fake = await CoinbaseFakeServer.start({ products: PRODUCTS });
    const path = '/api/v3/brokerage/market/products/BTC-USD';
    fake.answerRest(429, 0.4, 1);
    const t0 = performance.now();
    const v = await openCoinbaseVenue(config(fake, { symbols: ['BTC-USD'] }));
    // One 429, one answer after the Retry-After: never a hammering retry.
    expect(fake.requests.get(path)).toBe(2);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);

    fake.answerRest(429, 30, 1);
    const first = await v.http.request('GET', path).catch((e: unknown) => e);
    expect((first as VenueHttpError).code).toBe(ErrorCode.VENUE_RATE_LIMITED);
    expect((first as VenueHttpError).status).toBe(429);
    const held = await v.http.request('GET', path).catch((e: unknown) => e);
    expect((held as VenueHttpError).code).toBe(ErrorCode.VENUE_RATE_LIMITED);
    expect((held as VenueHttpError).status).toBe(0);
    expect(v.http.held).toBe(1);
    expect(fake.requests.get(path)).toBe(3);
  });
});

// Order entry and reconciliation: coinbase-orders.test.ts.

describe('coinbase through the real relay', () => {
  type Snapshot = Extract<ServerMsg, { type: 'bookSnapshot' }>;
  type Batch = Extract<ServerMsg, { type: 'bookBatch' }>;

  it("a client's book equals the fake's true book, goes stale on a gap and is live and equal again", async () => {
    fake = await CoinbaseFakeServer.start({ products: PRODUCTS, seed: 9, heartbeatMs: 50 });
    venue = await openCoinbaseVenue(config(fake));
    relay = await startRelay([venue]);
    const c = await ProtoClient.connect(relay.url);
    clients.push(c);
    const welcome = c.received[0]!;
    if (welcome.type !== 'welcome') throw new Error('no welcome');
    const streamId = welcome.instruments.find((i) => i.symbol === 'BTC-USD' && i.venue === 'coinbase')!.streamId;
    const stream = new BookStream(streamId);
    const statuses: string[] = [];
    let read = 0;
    let requestId = 1;
    c.send({ type: 'subscribe', requestId: requestId++, streamIds: [streamId], symbols: [] });
    // The client as the PWA's worker runs it: apply in order, resubscribe on any resync.
    const pumpClient = () => {
      for (; read < c.received.length; read++) {
        const m = c.received[read]!;
        const r = m.type === 'bookSnapshot' ? stream.applySnapshot(m as Snapshot) : m.type === 'bookBatch' ? stream.applyBatch(m as Batch) : undefined;
        if (r?.action === 'resync') c.send({ type: 'subscribe', requestId: requestId++, streamIds: [streamId], symbols: [] });
        if (r && statuses.at(-1) !== stream.status) statuses.push(stream.status);
      }
    };
    const truth = () => fake!.trueBook('BTC-USD');
    const equal = () => {
      const levels = (m: Map<number, number>, desc: boolean) => {
        const e = [...m].sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]));
        return { price: e.map((x) => x[0]), size: e.map((x) => x[1]) };
      };
      return (
        JSON.stringify([stream.book.levels(Side.Buy), stream.book.levels(Side.Sell)]) === JSON.stringify([levels(truth().bids, true), levels(truth().asks, false)])
      );
    };
    fake.pump(50);
    await until(() => (pumpClient(), stream.isLive && equal()), 'client book equal to the true book');

    fake.gapNext();
    fake.pump(1);
    // Stalled right after the gap: the adapter cannot reconnect yet, so the STALE it publishes
    // is not folded into the next snapshot by the relay's batching before the client sees it.
    fake.stall();
    await until(() => (pumpClient(), stream.status === 'stale'), 'client sees the book stale');
    fake.pump(30);
    fake.resume();
    await until(() => (pumpClient(), stream.isLive && equal()), 'client book live and equal after the resync');
    expect(statuses).toEqual(['live', 'stale', 'live']);
    expect(venue.bookSync()!.gaps).toBe(1);
  });
});
