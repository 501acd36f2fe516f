/**
 * Real-venue adapters: messages/s decoded and applied, per venue, from traffic recorded off
 * each venue's local fake (the documented wire format), replayed in-process through our decode
 * + book sync (exact ticks and lots, sequence/checksum checks) and through ccxt's own handler
 * for the same venue (ccxt.pro: JSON.parse + binance handleOrderBookMessage, coinbase
 * handleOrderBookHelper, and for kraken the OrderBook store its handler calls per level, into
 * ccxt's ws OrderBook, floats). Both must end with the same book before a
 * figure is printed. Printed for reference, never asserted.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import { Side, type StreamState } from '../shared/src/model/index';
import type { InstrumentFeed } from '../relay/src/venues/venue-adapter';
import { FeedBook } from '../relay/src/venues/live/feed-book';
import { BinanceFakeServer } from '../relay/src/venues/binance/binance-fake-server';
import { BinanceBookSync } from '../relay/src/venues/binance/binance-book-sync';
import { openBinanceVenue } from '../relay/src/venues/binance/binance-venue';
import { parseStreamFrame, type DepthSnapshot } from '../relay/src/venues/binance/binance-wire';
import { CoinbaseFakeServer, CoinbaseBookSync, marketDataSubscriptions, openCoinbaseVenue, parseMessage } from '../relay/src/venues/coinbase/index';
import { KrakenFakeServer, KrakenBookSync, openKrakenVenue, parseKrakenFrame } from '../relay/src/venues/kraken/index';
import { CcxtBookSync, type CcxtSyncHost } from '../relay/src/venues/ccxt/ccxt-book-sync';
import type { CcxtOrderBook } from '../relay/src/venues/ccxt/ccxt-wire';
import { formatNumber, printTable } from './table';

const EVENTS = Number(process.env.VENUE_BENCH_EVENTS ?? 20_000);
const PASSES = 5;

/** Counts what the market-data service would get. */
class CountingFeed implements InstrumentFeed {
  levels = 0;
  level(): void {
    this.levels++;
  }
  trade(): void {}
  clear(): void {}
  state(_s: StreamState): void {}
}

/** Opens a raw socket, sends `subscribe`, pumps `pump` in paced chunks, returns every text frame. */
async function record(url: string, subscribe: string[], pump: (n: number) => void, settle: () => Promise<void> = async () => {}): Promise<string[]> {
  const frames: string[] = [];
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
  ws.on('message', (d: Buffer) => frames.push(d.toString()));
  for (const s of subscribe) ws.send(s);
  await settle();
  for (let sent = 0; sent < EVENTS; sent += 500) {
    pump(500);
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 300));
  ws.terminate();
  return frames;
}

/** Best of PASSES: each pass replays all frames into a fresh consumer; returns messages/s. */
function measure(frames: string[], makeConsumer: () => (text: string) => void): number {
  let best = 0;
  for (let p = 0; p < PASSES; p++) {
    const consume = makeConsumer();
    const t = performance.now();
    for (const f of frames) consume(f);
    best = Math.max(best, (frames.length * 1000) / (performance.now() - t));
  }
  return best;
}

// ccxt: the ws OrderBook (not exported by the package entry) and ccxt.pro's exchange handlers.
const ccxtRoot = join(process.cwd(), 'node_modules/ccxt/js');
const { OrderBook } = (await import(pathToFileURL(join(ccxtRoot, 'src/base/ws/OrderBook.js')).href)) as { OrderBook: new (snap?: object) => CcxtBook };
const ccxt = (await import('ccxt')).default as unknown as { pro: Record<string, new (o?: object) => Record<string, (...a: unknown[]) => unknown>> };
interface CcxtBookSide { store(price: number, size: number): void; [i: number]: [number, number]; length: number }
interface CcxtBook { bids: CcxtBookSide; asks: CcxtBookSide }
const topOf = (side: CcxtBookSide, n: number) => Array.from({ length: Math.min(n, side.length) }, (_, i) => side[i]![0]);

const rows: Array<Record<string, string | number>> = [];

// ---------------------------------------------------------------- Binance
{
  const fake = await BinanceFakeServer.start({ symbols: [{ symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01', stepSize: '0.00001', midTicks: 6_500_000 }], depth: 200 });
  const venue = await openBinanceVenue({ symbols: ['BTC-USDT'], restUrl: fake.restUrl, wsUrl: fake.wsUrl });
  const market = venue.markets[0]!;
  const snap = (await (await fetch(`${fake.restUrl}/api/v3/depth?symbol=BTCUSDT&limit=1000`)).json()) as DepthSnapshot;
  const frames = (await record(`${fake.wsUrl}/stream?streams=btcusdt@depth@100ms`, [], (n) => fake.pump(n))).filter((f) => f.includes('depthUpdate'));
  await fake.stop();
  let ours: FeedBook | undefined;
  const oursRate = measure(frames, () => {
    const feed = new CountingFeed();
    ours = new FeedBook(feed, market.price, market.size);
    const sync = new BinanceBookSync('BTCUSDT', ours, { requestSnapshot: () => {} });
    sync.streamOpen();
    sync.snapshot(snap, sync.requestGeneration);
    return (text) => {
      const ev = parseStreamFrame(text);
      if (ev?.e === 'depthUpdate') sync.diff(ev);
    };
  });
  const ex = new ccxt.pro.binance!();
  let book: CcxtBook | undefined;
  const ccxtRate = measure(frames, () => {
    book = new OrderBook({ bids: snap.bids.map(([p, q]) => [Number(p), Number(q)]), asks: snap.asks.map(([p, q]) => [Number(p), Number(q)]) });
    return (text) => void ex.handleOrderBookMessage!(undefined, (JSON.parse(text) as { data: unknown }).data, book);
  });
  const same = JSON.stringify(ours!.top(Side.Buy, 20).map((t) => t / 100)) === JSON.stringify(topOf(book!.bids, 20));
  rows.push({ venue: 'binance diff depth', messages: frames.length, 'ours msg/s': oursRate, 'ccxt msg/s': ccxtRate, ratio: `${(oursRate / ccxtRate).toFixed(2)}×`, 'same top 20': same ? 'yes' : 'NO' });
}

// ---------------------------------------------------------------- ccxt:binance (the generic adapter)
// The same frames through ccxt's binance handler, then the generic adapter's step on each
// resolved book (CcxtBookSync.onBook: every level float -> exact ticks/lots, diffed into the
// feed, crossed-book check). "ours" = ccxt + that step; "ccxt" = ccxt alone, on the same frames.
{
  const fake = await BinanceFakeServer.start({ symbols: [{ symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01', stepSize: '0.00001', midTicks: 6_500_000 }], depth: 200 });
  const venue = await openBinanceVenue({ symbols: ['BTC-USDT'], restUrl: fake.restUrl, wsUrl: fake.wsUrl });
  const market = venue.markets[0]!;
  const snap = (await (await fetch(`${fake.restUrl}/api/v3/depth?symbol=BTCUSDT&limit=1000`)).json()) as DepthSnapshot;
  const frames = (await record(`${fake.wsUrl}/stream?streams=btcusdt@depth@100ms`, [], (n) => fake.pump(n))).filter((f) => f.includes('depthUpdate'));
  await fake.stop();
  const ex = new ccxt.pro.binance!();
  const ccxtMarket = { instrument: market.instrument, ccxtSymbol: 'BTC/USDT', price: market.price, size: market.size, minNotionalE8: 0 };
  const host = { venue: 'ccxt:binance', exchange: { orderbooks: {} }, log: { info() {}, warn() {}, error() {} }, stopped: false, watched() {}, dropBookSocket() {}, noteRateLimited() {}, retryAfterMs: () => 0, scrub: String } as unknown as CcxtSyncHost;
  const fresh = () => new OrderBook({ bids: snap.bids.map(([p, q]) => [Number(p), Number(q)]), asks: snap.asks.map(([p, q]) => [Number(p), Number(q)]) });
  let ours: FeedBook | undefined;
  let book: CcxtBook | undefined;
  const oursRate = measure(frames, () => {
    ours = new FeedBook(new CountingFeed(), market.price, market.size);
    const sync = new CcxtBookSync(ccxtMarket, ours, host);
    const b = fresh();
    sync.onBook(b as unknown as CcxtOrderBook);
    return (text) => {
      ex.handleOrderBookMessage!(undefined, (JSON.parse(text) as { data: unknown }).data, b);
      sync.onBook(b as unknown as CcxtOrderBook);
    };
  });
  const ccxtRate = measure(frames, () => {
    book = fresh();
    return (text) => void ex.handleOrderBookMessage!(undefined, (JSON.parse(text) as { data: unknown }).data, book);
  });
  const same = JSON.stringify(ours!.top(Side.Buy, 20).map((t) => t / 100)) === JSON.stringify(topOf(book!.bids, 20));
  rows.push({ venue: 'ccxt:binance (ccxt + exact diff per book)', messages: frames.length, 'ours msg/s': oursRate, 'ccxt msg/s': ccxtRate, ratio: `${(oursRate / ccxtRate).toFixed(2)}×`, 'same top 20': same ? 'yes' : 'NO' });
}

// ---------------------------------------------------------------- Coinbase
{
  const fake = await CoinbaseFakeServer.start({ products: [{ productId: 'BTC-USD', base: 'BTC', quote: 'USD', quoteIncrement: '0.01', baseIncrement: '0.00000001', midTicks: 5_000_000 }], depth: 200 });
  const venue = await openCoinbaseVenue({ symbols: ['BTC-USD'], restUrl: fake.restUrl, wsUrl: fake.wsUrl });
  const market = venue.markets[0]!;
  const subs = marketDataSubscriptions(['BTC-USD']).map((s) => JSON.stringify(s));
  // Every frame is kept (heartbeats too): the connection's sequence numbers must run without a gap.
  const frames = await record(fake.wsUrl, subs, (n) => fake.pump(n), () => new Promise((r) => setTimeout(r, 200)));
  await fake.stop();
  let ours: FeedBook | undefined;
  let sync: CoinbaseBookSync | undefined;
  const oursRate = measure(frames, () => {
    ours = new FeedBook(new CountingFeed(), market.price, market.size);
    sync = new CoinbaseBookSync(new Map([['BTC-USD', ours]]), { resync: () => {} } as never);
    sync.streamOpen();
    // The recorded numbering starts where the recording did: accept the first message as the start.
    return (text) => {
      const msg = parseMessage(text);
      if (msg) sync!.message(msg);
    };
  });
  const ex = new ccxt.pro.coinbase!();
  let book: CcxtBook | undefined;
  const ccxtRate = measure(frames, () => {
    book = new OrderBook({});
    return (text) => {
      const msg = JSON.parse(text) as { channel: string; events: Array<{ updates: unknown[] }> };
      if (msg.channel === 'l2_data') for (const ev of msg.events) ex.handleOrderBookHelper!(book, ev.updates);
    };
  });
  const same = JSON.stringify(ours!.top(Side.Buy, 20).map((t) => t / 100)) === JSON.stringify(topOf(book!.bids, 20));
  if (sync!.resyncs > 0) console.log(`coinbase: ${sync!.resyncs} resyncs in the replay`);
  rows.push({ venue: 'coinbase level2 (+ heartbeats)', messages: frames.length, 'ours msg/s': oursRate, 'ccxt msg/s': ccxtRate, ratio: `${(oursRate / ccxtRate).toFixed(2)}×`, 'same top 20': same ? 'yes' : 'NO' });
}

// ---------------------------------------------------------------- Kraken
{
  const fake = await KrakenFakeServer.start({
    pairs: [{ key: 'XXBTZUSD', altname: 'XBTUSD', wsname: 'XBT/USD', v2name: 'BTC/USD', base: 'XXBT', quote: 'ZUSD', pairDecimals: 1, lotDecimals: 8, tickSize: '0.1', ordermin: '0.0001', midTicks: 452_850 }],
  });
  const venue = await openKrakenVenue({ symbols: ['BTC-USD'], restUrl: fake.restUrl, wsUrl: fake.wsUrl });
  const market = venue.markets[0]!;
  const sub = JSON.stringify({ method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD'], depth: 10, snapshot: true }, req_id: 1 });
  const frames = (await record(fake.wsUrl, [sub], (n) => fake.pump(n), () => new Promise((r) => setTimeout(r, 200)))).filter((f) => f.includes('"channel":"book"') && f.includes('"data"'));
  await fake.close();
  let ours: FeedBook | undefined;
  let resyncs = 0;
  const oursRate = measure(frames, () => {
    ours = new FeedBook(new CountingFeed(), market.price, market.size);
    const sync = new KrakenBookSync(market, ours, 10, { resubscribe: () => void resyncs++ });
    return (text) => {
      const f = parseKrakenFrame(text);
      if (f?.kind !== 'book') return;
      for (const d of f.data) {
        if (f.type === 'snapshot') sync.snapshot(d);
        else sync.update(d);
      }
    };
  });
  // ccxt's kraken handleOrderBook needs its loaded markets; measured here: its JSON parse and
  // its ws OrderBook store per level (the part of its handler that scales with the data).
  let book: CcxtBook | undefined;
  const ccxtRate = measure(frames, () => {
    book = new OrderBook({});
    return (text) => {
      const msg = JSON.parse(text) as { data: Array<{ bids: Array<{ price: number; qty: number }>; asks: Array<{ price: number; qty: number }> }> };
      for (const d of msg.data) {
        for (const l of d.bids) book!.bids.store(l.price, l.qty);
        for (const l of d.asks) book!.asks.store(l.price, l.qty);
      }
    };
  });
  const same = JSON.stringify(ours!.top(Side.Buy, 10).map((t) => Math.round(t) / 10)) === JSON.stringify(topOf(book!.bids, 10));
  rows.push({ venue: 'kraken book (checksum every message)', messages: frames.length, 'ours msg/s': oursRate, 'ccxt msg/s': ccxtRate, ratio: `${(oursRate / ccxtRate).toFixed(2)}×`, 'same top 20': same ? 'yes (top 10)' : 'NO', });
  if (resyncs > 0) console.log(`kraken: ${resyncs} resyncs in the replay`);
}

printTable(
  `real-venue adapters: decode + apply, messages from each fake (${EVENTS} book events recorded per venue; best of ${PASSES})`,
  rows,
  `ours: exact ticks/lots, sequence or checksum verified; ccxt: floats, no verification (Kraken: ccxt's store without its checksum, which ccxt only computes on request). Sizes: ${rows.map((r) => `${r.venue} ${formatNumber(Number(r.messages))}`).join(', ')}.`,
);
process.exit(0);
