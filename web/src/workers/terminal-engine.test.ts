import { Algo, OrderStatus, OrderType, Side, StreamState, TimeInForce, type Trade } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Relay } from '../../../relay/src/server/relay-server';
import { defaultSimVenues } from '../../../relay/src/venues/sim/index';
import { CuttableProxy } from '../../../relay/test/cuttable-proxy';
import { startRelay, tokenOf, until } from '../../../relay/test/harness';
import type { WebSocketCtor } from './engine-deps';
import { isOpenStatus } from './order-blotter';
import type { Candle, TerminalFrame, TicketOrder } from './terminal-api';
import { TerminalEngine, type TerminalEngineOptions } from './terminal-engine';

/**
 * The engine against a real relay (embedded sim venues) over real sockets: the `ws` package's
 * WebSocket and Node's fetch stand in for the browser's.
 */

let relay: Relay | undefined;
const engines: TerminalEngine[] = [];

afterEach(async () => {
  for (const e of engines.splice(0)) await e.disconnect();
  await relay?.stop();
  relay = undefined;
});

async function start(): Promise<{ r: Relay; venues: ReturnType<typeof defaultSimVenues> }> {
  const venues = defaultSimVenues({ seed: 11, updatesPerSecond: 200 });
  relay = await startRelay(venues, { flushMs: 5 });
  return { r: relay, venues };
}

function engine(options: TerminalEngineOptions = {}): TerminalEngine {
  const e = new TerminalEngine({ WebSocket: WebSocket as unknown as WebSocketCtor, fetch: (url, init) => fetch(url, init) }, options);
  engines.push(e);
  return e;
}

/** Calls frame() every 10 ms (as a UI would, faster) until `match` holds; every frame seen goes to `seen`. */
async function frameUntil(e: TerminalEngine, match: (f: TerminalFrame) => boolean, seen: TerminalFrame[] = [], timeoutMs = 8000, context = () => ''): Promise<TerminalFrame> {
  const startMs = Date.now();
  for (;;) {
    const f = await e.frame();
    seen.push(f);
    if (match(f)) return f;
    if (Date.now() - startMs > timeoutMs) throw new Error(`no matching frame within ${timeoutMs} ms; last: ${JSON.stringify({ connection: f.connection, status: f.ladder.status })} ${context()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const isLive = (f: TerminalFrame) => f.connection.state === 'live' && f.ladder.status === 'live' && f.ladder.bidPrice.length > 0 && f.ladder.askPrice.length > 0;

/** Level-by-level merge of several books, the obvious way: a map of price to summed size. */
function naiveMerge(levels: Array<{ price: number[]; size: number[] }>, bids: boolean, depth: number): { price: number[]; size: number[] } {
  const sum = new Map<number, number>();
  for (const l of levels) l.price.forEach((p, i) => sum.set(p, (sum.get(p) ?? 0) + l.size[i]!));
  const prices = [...sum.keys()].sort((a, b) => (bids ? b - a : a - b)).slice(0, depth);
  return { price: prices, size: prices.map((p) => sum.get(p)!) };
}

function ticket(clientOrderId: string, over: Partial<TicketOrder> = {}): TicketOrder {
  return {
    clientOrderId, symbol: 'BTC-USD', venue: '', side: Side.Buy, orderType: OrderType.Limit, timeInForce: TimeInForce.IOC,
    price: 0, qty: 10, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0, ...over,
  };
}

async function api<T>(r: Relay, path: string): Promise<T> {
  const res = await fetch(`${r.url}${path}`, { headers: { authorization: `Bearer ${tokenOf(r.url)}` } });
  return (await res.json()) as T;
}

/** Freezes the venues and waits until the engine has applied everything the relay published. */
async function quiesce(r: Relay, venues: ReturnType<typeof defaultSimVenues>, e: TerminalEngine): Promise<void> {
  for (const v of venues) await v.stop();
  r.md.flush();
  await until(() => e.inspect().streams.every((s) => s.seq === r.md.stream(s.streamId)!.seq && s.epoch === r.md.stream(s.streamId)!.epoch), 5000, 'the engine to catch up');
}

describe('TerminalEngine against a real relay', () => {
  it('connects, learns instruments and account, and goes live with a ladder and an RTT', async () => {
    const { r } = await start();
    const e = engine();
    await e.setView({ symbol: 'BTC-USD', venue: '' });
    await e.connect({ origin: r.url, token: tokenOf(r.url) });
    const seen: TerminalFrame[] = [];
    const live = await frameUntil(e, (f) => isLive(f) && f.connection.rttMs > 0, seen);
    const withInstruments = seen.filter((f) => f.instruments !== undefined);
    expect(withInstruments).toHaveLength(1);
    expect(withInstruments[0]!.instruments!.map((i) => `${i.venue}:${i.symbol}`).sort()).toEqual(
      ['sim-a:BTC-USD', 'sim-a:ETH-USD', 'sim-a:SOL-USD', 'sim-b:BTC-USD', 'sim-b:ETH-USD', 'sim-b:SOL-USD'],
    );
    expect(live.connection).toMatchObject({ account: 'trader', role: 'trader', reconnectInMs: 0 });
    expect(live.view).toEqual({ symbol: 'BTC-USD', venue: '', depth: 20, candleSeconds: 60 });
    expect(live.ladder.bidPrice).toBeInstanceOf(Float64Array);
    expect(live.ladder.bidPrice.length).toBe(20);
    // (The consolidated book may be crossed: sim-b quotes 2 bp above sim-a.)
    expect(live.ladder.bidPrice[0]!).toBeGreaterThan(0);
    // Best first on both sides.
    for (let i = 1; i < live.ladder.bidPrice.length; i++) expect(live.ladder.bidPrice[i]!).toBeLessThan(live.ladder.bidPrice[i - 1]!);
    for (let i = 1; i < live.ladder.askPrice.length; i++) expect(live.ladder.askPrice[i]!).toBeGreaterThan(live.ladder.askPrice[i - 1]!);
    // Before the first snapshot nothing was shown live.
    const firstLive = seen.findIndex((f) => f.ladder.status === 'live');
    expect(seen.slice(0, firstLive).every((f) => f.connection.state !== 'live' || f.ladder.bidPrice.length === 0 || f.ladder.status !== 'live')).toBe(true);
    const s = await e.stats();
    expect(s.updates).toBeGreaterThan(0);
    expect(s.decodeErrors).toBe(0);
    expect(s.frames).toBe(seen.length);
  });

  it('the consolidated ladder is the level-by-level merge of the relay books; a venue view is that book', async () => {
    const { r, venues } = await start();
    const e = engine();
    await e.setView({ symbol: 'BTC-USD', venue: '', depth: 15 });
    await e.connect({ origin: r.url, token: tokenOf(r.url) });
    await frameUntil(e, isLive);
    await new Promise((res) => setTimeout(res, 300)); // let the books move
    await quiesce(r, venues, e);

    const ids = r.md.streamIdsForSymbol('BTC-USD');
    const books = ids.map((id) => r.md.stream(id)!.book);
    const f = await e.frame();
    const bids = naiveMerge(books.map((b) => b.levels(Side.Buy)), true, 15);
    const asks = naiveMerge(books.map((b) => b.levels(Side.Sell)), false, 15);
    expect(Array.from(f.ladder.bidPrice)).toEqual(bids.price);
    expect(Array.from(f.ladder.bidSize)).toEqual(bids.size);
    expect(Array.from(f.ladder.askPrice)).toEqual(asks.price);
    expect(Array.from(f.ladder.askSize)).toEqual(asks.size);
    expect(f.ladder.seq).toBe(Math.max(...ids.map((id) => r.md.stream(id)!.seq)));
    // Both venues quote somewhere in the merged book (bits 0 and 1), and the masks match the books.
    const union = (m: Uint32Array) => Array.from(m).reduce((a, x) => a | x, 0);
    expect(union(f.ladder.bidVenueMask!) | union(f.ladder.askVenueMask!)).toBe(3);
    f.ladder.bidPrice.forEach((p, i) => {
      const mask = books.reduce((m, b, v) => (b.sizeAtPrice(Side.Buy, p) > 0 ? m | (1 << v) : m), 0);
      expect(f.ladder.bidVenueMask![i]).toBe(mask);
    });
    // The venues stopped: the relay flags the streams STALE, and a stale book is never live.
    expect(f.ladder.status).toBe('stale');
    expect(f.connection.state).toBe('stale');

    const idB = ids.find((id) => r.md.stream(id)!.instrument.venue === 'sim-b')!;
    await e.setView({ symbol: 'BTC-USD', venue: 'sim-b', depth: 10 });
    const single = await e.frame();
    const book = r.md.stream(idB)!.book;
    expect(Array.from(single.ladder.bidPrice)).toEqual(book.levels(Side.Buy, 10).price);
    expect(Array.from(single.ladder.bidSize)).toEqual(book.levels(Side.Buy, 10).size);
    expect(Array.from(single.ladder.askPrice)).toEqual(book.levels(Side.Sell, 10).price);
    expect(Array.from(single.ladder.askSize)).toEqual(book.levels(Side.Sell, 10).size);
    expect(single.ladder.seq).toBe(r.md.stream(idB)!.seq);
    expect(single.ladder.bidVenueMask).toBeUndefined();
    // Each frame's arrays are its own: the next frame does not write into them.
    const before = Array.from(single.ladder.bidPrice);
    await e.frame();
    expect(Array.from(single.ladder.bidPrice)).toEqual(before);
  });

  it('a gap makes the view stale until the resync snapshot; a dropped socket reconnects and resubscribes', async () => {
    const { r } = await start();
    const e = engine();
    await e.setView({ symbol: 'BTC-USD', venue: '' });
    await e.connect({ origin: r.url, token: tokenOf(r.url) });
    await frameUntil(e, isLive);

    const s = e.inspect().streams[0]!;
    // A batch five ahead of the last applied: a gap.
    e.handle({ type: 'bookBatch', requestId: 0, streamId: s.streamId, epoch: s.epoch, seq: s.seq + 5, bids: { price: [], size: [] }, asks: { price: [], size: [] }, trades: [], checksum: 0, state: StreamState.Unspecified, timeUs: 0 });
    const stale = await e.frame();
    expect(stale.ladder.status).toBe('stale');
    expect(stale.connection.state).toBe('stale');
    expect(e.inspect().resyncs).toBe(1);
    await frameUntil(e, isLive);
    expect(e.inspect().streams.every((x) => x.status === 'live')).toBe(true);

    // Malformed bytes are counted, never thrown.
    e.receive(new Uint8Array([0xff, 0xff, 0xff]).buffer);
    e.receive('text frame');
    expect((await e.stats()).decodeErrors).toBe(2);

    const seen: TerminalFrame[] = [];
    e.dropConnection();
    const down = await frameUntil(e, (f) => f.connection.state === 'offline' || f.connection.state === 'connecting');
    expect(down.ladder.status).toBe('stale');
    seen.push(down);
    await frameUntil(e, isLive, seen);
    expect(e.inspect().opens).toBe(2);
    // From the drop until the resync snapshots, no frame showed the book live.
    for (const f of seen.slice(0, -1)) expect(f.ladder.status).toBe('stale');
    expect(seen.some((f) => f.connection.reconnectInMs > 0)).toBe(true);
    expect(seen.filter((f) => f.instruments !== undefined)).toHaveLength(1); // re-sent after the reconnect
  });

  it('a silent link (cable cut, nothing closed) is given up after 4 unanswered pings: offline, then live again once the cable is back', async () => {
    const { r } = await start();
    const proxy = await CuttableProxy.start(r.url);
    try {
      const e = engine({ pingIntervalMs: 200 });
      await e.setView({ symbol: 'BTC-USD', venue: '' });
      await e.connect({ origin: proxy.url, token: tokenOf(r.url) });
      await frameUntil(e, isLive);
      expect(e.inspect().opens).toBe(1);

      proxy.cutCable();
      const cutAt = Date.now();
      const down = await frameUntil(e, (f) => f.connection.state !== 'live' && f.connection.state !== 'stale');
      // Not before the silence limit (4 × 200 ms; the socket itself never closed).
      expect(Date.now() - cutAt).toBeGreaterThanOrEqual(600);
      expect(down.ladder.status).toBe('stale');

      proxy.restore();
      await frameUntil(e, isLive, [], 15_000);
      expect(e.inspect().opens).toBeGreaterThanOrEqual(2);
    } finally {
      await proxy.stop();
    }
  });

  it('a fat-finger price is denied with RISK_PRICE_COLLAR in the worker: nothing reaches the relay', async () => {
    const { r } = await start();
    const e = engine();
    await e.setView({ symbol: 'BTC-USD', venue: '' });
    await e.connect({ origin: r.url, token: tokenOf(r.url) });
    const f = await frameUntil(e, isLive);
    const res = await e.placeOrder(ticket('fat-finger', { price: f.ladder.askPrice[0]! * 2, timeInForce: TimeInForce.GTC }));
    expect(res).toMatchObject({ ok: false, code: 'RISK_PRICE_COLLAR' });
    const tooBig = await e.placeOrder(ticket('too-big', { price: f.ladder.askPrice[0]!, qty: 2_000_000 }));
    expect(tooBig.ok).toBe(false);
    await new Promise((res) => setTimeout(res, 100));
    const orders = await api<{ orders: Array<{ clientOrderId: string }> }>(r, '/api/orders');
    expect(orders.orders).toEqual([]);
    // Each refusal is a Denied row with its code and the readable text, and no relay order id.
    const rows = (await e.frame()).orders;
    expect(rows.map((o) => [o.clientOrderId, o.orderId, o.status, o.reasonCode, o.local])).toEqual([
      ['fat-finger', '', OrderStatus.Denied, 'RISK_PRICE_COLLAR', true],
      ['too-big', '', OrderStatus.Denied, tooBig.ok ? '' : tooBig.code, true],
    ]);
    expect(rows[0]!.reason).toBe(res.ok ? '' : res.message);
    expect(rows[0]!.reason).toMatch(/USD/);
    expect(rows[1]!.reason).toMatch(/BTC/);
    // Later frames carry only what changed: the rows are not re-sent, and nothing replaced them.
    expect((await e.frame()).orders).toEqual([]);
  });

  it('a marketable order fills: orders, fills and positions update, and a second engine loads them over REST', async () => {
    const { r } = await start();
    const e = engine();
    await e.setView({ symbol: 'BTC-USD', venue: '' });
    await e.connect({ origin: r.url, token: tokenOf(r.url) });
    const f = await frameUntil(e, isLive);
    // 20 USD through the best ask (well inside the 5% collar): fills even if the book ticks up meanwhile.
    const price = f.ladder.askPrice[0]! + 2000;
    expect(await e.placeOrder(ticket('buy-1', { price, qty: 20 }))).toEqual({ ok: true });

    const orders = new Map<string, { status: number; filledQty: number; clientOrderId: string; parentOrderId: string }>();
    let fills = 0;
    let positionQty = 0;
    await frameUntil(e, (fr) => {
      for (const o of fr.orders) orders.set(o.orderId, o);
      fills += fr.fills.length;
      const p = fr.positions?.find((x) => x.symbol === 'BTC-USD');
      if (p) positionQty = p.qty;
      const parent = [...orders.values()].find((o) => o.clientOrderId === 'buy-1' && o.parentOrderId === '');
      return parent !== undefined && !isOpenStatus(parent.status as OrderStatus) && positionQty === parent.filledQty && positionQty > 0;
    }, [], 8000, () => JSON.stringify([...orders.values()]));
    const relayPositions = await api<{ positions: Array<{ symbol: string; qty: number }> }>(r, '/api/positions');
    expect(positionQty).toBe(relayPositions.positions.find((p) => p.symbol === 'BTC-USD')!.qty);
    const relayFills = await api<{ fills: unknown[] }>(r, '/api/fills');
    expect(fills).toBe(relayFills.fills.length);

    // A fresh engine (another tab) gets the same from REST.
    const e2 = engine();
    await e2.connect({ origin: r.url, token: tokenOf(r.url) });
    const first = await frameUntil(e2, (fr) => fr.positions !== undefined);
    expect(first.orders.some((o) => o.clientOrderId === 'buy-1')).toBe(true);
    expect(first.fills).toHaveLength(relayFills.fills.length);
    const pos = first.positions!.find((p) => p.symbol === 'BTC-USD')!;
    expect(pos.qty).toBe(positionQty);
    expect(pos.avgPrice).toBeGreaterThan(0);
    expect(pos.avgPrice).toBeLessThanOrEqual(price);
    // Orders sent by one engine reach every session of the account.
    const o2 = await e2.placeOrder(ticket('sell-1', { side: Side.Sell, price: f.ladder.bidPrice[0]! - 50, qty: 5 }));
    expect(o2).toEqual({ ok: true });
    await frameUntil(e, (fr) => fr.orders.some((o) => o.clientOrderId === 'sell-1'));
  });

  it('a request the relay refuses shows as a Denied order with the relay code', async () => {
    const { r } = await start();
    const e = engine();
    await e.setView({ symbol: 'BTC-USD', venue: '' });
    await e.connect({ origin: r.url, token: tokenOf(r.url) });
    await frameUntil(e, isLive);
    const idA = r.md.streamIdsForSymbol('BTC-USD').find((id) => r.md.stream(id)!.instrument.venue === 'sim-a')!;
    const far = r.md.stream(idA)!.book.bestBid() - 100; // rests on sim-a, well inside the collar
    expect(await e.placeOrder(ticket('dup', { venue: 'sim-a', price: far, qty: 1, timeInForce: TimeInForce.GTC }))).toEqual({ ok: true });
    await frameUntil(e, (fr) => fr.orders.some((o) => o.clientOrderId === 'dup' && o.status === OrderStatus.Accepted));
    expect(await e.placeOrder(ticket('dup', { venue: 'sim-a', price: far, qty: 1, timeInForce: TimeInForce.GTC }))).toEqual({ ok: true });
    const denied = await frameUntil(e, (fr) => fr.orders.some((o) => o.status === OrderStatus.Denied));
    expect(denied.orders.find((o) => o.status === OrderStatus.Denied)).toMatchObject({ clientOrderId: 'dup', orderId: '', reasonCode: 'OMS_DUPLICATE_CLIENT_ORDER_ID', local: true });
    // The relay's message is kept beside its code.
    expect(denied.orders.find((o) => o.status === OrderStatus.Denied)!.reason).not.toBe('');
    expect(await e.cancelOrder('dup')).toEqual({ ok: true });
    await frameUntil(e, (fr) => fr.orders.some((o) => o.clientOrderId === 'dup' && o.status === OrderStatus.Canceled));

    // A viewer is refused before anything is sent.
    const v = engine();
    await v.connect({ origin: r.url, token: tokenOf(r.url, 'viewer') });
    expect(await v.placeOrder(ticket('v-1', { price: far }))).toMatchObject({ ok: false, code: 'AUTH_FORBIDDEN' });
  });

  it('trades build candles; each frame carries only what is new since the previous one', async () => {
    const { r, venues } = await start();
    const e = engine();
    await e.setView({ symbol: 'BTC-USD', venue: '', candleSeconds: 1 });
    await e.connect({ origin: r.url, token: tokenOf(r.url) });
    const trades: Trade[] = [];
    const candles = new Map<number, Candle>();
    const take = (fr: TerminalFrame) => {
      if (fr.candlesReset) {
        candles.clear();
        trades.length = 0;
      }
      trades.push(...fr.trades);
      for (const c of fr.candles) candles.set(c.time, c);
    };
    const seen: TerminalFrame[] = [];
    await frameUntil(e, (fr) => (take(fr), trades.length >= 20 && candles.size >= 2), seen, 15_000);
    expect(seen[0]!.candlesReset).toBe(true);
    expect(seen.slice(1).every((fr) => !fr.candlesReset)).toBe(true);
    await quiesce(r, venues, e);
    take(await e.frame());

    // No trade twice (snapshots repeat recent trades; only new ones pass).
    const ids = trades.map((t) => `${t.tradeId}@${t.timeUs}`);
    expect(new Set(ids).size).toBe(ids.length);
    // The candles are exactly the OHLCV of the trades seen, bucketed by second.
    const expected = new Map<number, Candle>();
    for (const t of [...trades].sort((a, b) => a.timeUs - b.timeUs)) {
      const time = Math.floor(t.timeUs / 1e6);
      const c = expected.get(time);
      if (!c) expected.set(time, { time, open: t.price, high: t.price, low: t.price, close: t.price, volume: t.size });
      else {
        c.high = Math.max(c.high, t.price);
        c.low = Math.min(c.low, t.price);
        c.close = t.price;
        c.volume += t.size;
      }
    }
    const vol = (m: Map<number, Candle>) => [...m.values()].reduce((a, c) => a + c.volume, 0);
    expect(vol(candles)).toBe(vol(expected));
    for (const [time, c] of expected) expect(candles.get(time)).toMatchObject({ open: c.open, high: c.high, low: c.low, volume: c.volume });

    // Nothing new happened: the next frame carries no events.
    const quiet = await e.frame();
    expect(quiet.trades).toEqual([]);
    expect(quiet.candles).toEqual([]);
    expect(quiet.orders).toEqual([]);
    expect(quiet.fills).toEqual([]);
    expect(quiet.instruments).toBeUndefined();
    expect(quiet.updates).toBe(0);

    // A view change resends the whole history of the new view.
    await e.setView({ symbol: 'BTC-USD', venue: 'sim-a', candleSeconds: 1 });
    const reset = await e.frame();
    expect(reset.candlesReset).toBe(true);
    expect(reset.candles.length).toBeGreaterThan(0);
    expect((await e.frame()).candlesReset).toBe(false);
  });

  it('refreshes the token before it expires and reconnects with the new one', async () => {
    const { r } = await start();
    // 0.2% of a 15-minute token: a refresh about 1.8 s after it was issued.
    const e = engine({ refreshShare: 0.002 });
    await e.setView({ symbol: 'ETH-USD', venue: '' });
    const token = tokenOf(r.url);
    await e.connect({ origin: r.url, token });
    await frameUntil(e, isLive);
    await until(() => e.inspect().tokenRefreshes >= 1, 6000, 'a token refresh');
    expect(e.inspect().token).not.toBe(token);
    e.dropConnection();
    await frameUntil(e, (f) => f.connection.state !== 'live');
    await frameUntil(e, isLive);
    expect(e.inspect().opens).toBe(2);
  });
});
