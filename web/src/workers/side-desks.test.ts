import { FastBook, Side, StreamState, type BookSnapshot, type ClientMsg, type Instrument, type Trade } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { LadderBuilder } from './ladder-builder';
import { LiveSubscriptions } from './live-subscriptions';
import type { Recorder } from './recording/recorder';
import { SideDesks } from './side-desks';
import { StreamBooks } from './stream-books';
import { MAX_SIDE_DESKS } from './terminal-api';

const inst = (streamId: number, symbol: string, venue: string): Instrument => ({
  streamId,
  symbol,
  venue,
  base: symbol.split('-')[0]!,
  quote: 'USD',
  tickSize: '0.01',
  lotSize: '0.0001',
  minQty: 1,
  maxQty: 1e9,
  makerFeeBpsX100: 0,
  takerFeeBpsX100: 0,
});

const INSTRUMENTS = [inst(1, 'BTC-USD', 'sim-a'), inst(2, 'BTC-USD', 'sim-b'), inst(3, 'ETH-USD', 'sim-a'), inst(4, 'ETH-USD', 'sim-b'), inst(5, 'SOL-USD', 'sim-a')];

const trade = (tradeId: number, price: number, timeUs: number): Trade => ({ tradeId, price, size: 3, aggressor: Side.Buy, timeUs });

/** A snapshot with the checksum a real relay would send for these levels (or a wrong one). */
function snapshot(streamId: number, bids: [number, number][], asks: [number, number][], seq = 10, trades: Trade[] = [], wrongChecksum = false): BookSnapshot {
  const b = new FastBook();
  for (const [p, s] of bids) b.apply(Side.Buy, p, s);
  for (const [p, s] of asks) b.apply(Side.Sell, p, s);
  const levels = (l: [number, number][]) => ({ price: l.map((x) => x[0]), size: l.map((x) => x[1]) });
  return { streamId, epoch: 1, seq, bids: levels(bids), asks: levels(asks), recentTrades: trades, checksum: b.checksum() + (wrongChecksum ? 1 : 0), state: StreamState.Live, timeUs: 0 };
}

function harness() {
  const sent: ClientMsg[] = [];
  const resyncs: number[] = [];
  let view = '';
  let welcomed = true;
  const desks: { current?: SideDesks } = {};
  const books = new StreamBooks(
    (id) => resyncs.push(id),
    (e, t) => desks.current!.onTrade(e, t),
  );
  desks.current = new SideDesks(books);
  const recorder = { closeStream: () => {} } as unknown as Recorder;
  const subs = new LiveSubscriptions({
    books,
    recorder,
    welcomed: () => welcomed,
    viewSymbol: () => view,
    pinnedInstruments: (list) => desks.current!.instruments(list),
    meshPeer: () => undefined,
    send: (m) => (sent.push(m), true),
    nextRequestId: () => sent.length + 1,
  });
  subs.setInstruments(INSTRUMENTS);
  return {
    books,
    desks: desks.current,
    subs,
    sent,
    resyncs,
    setView: (s: string) => ((view = s), subs.syncSubscriptions()),
    setWelcomed: (w: boolean) => (welcomed = w),
  };
}

const wire = (m: ClientMsg) => (m.type === 'subscribe' || m.type === 'unsubscribe' ? `${m.type} ${m.streamIds.join(',')}` : m.type);

describe('SideDesks', () => {
  it("a pin's ladder is the main ladder's build of the same book: same levels, status and seq", () => {
    const h = harness();
    h.setView('BTC-USD');
    h.desks.set([{ symbol: 'BTC-USD', venue: 'sim-b' }]);
    h.subs.syncSubscriptions();
    h.books.applySnapshot(snapshot(2, [[100, 5], [99, 7], [98, 1], [97, 2], [96, 2], [95, 9]], [[101, 4], [102, 6]], 42));
    const [d] = h.desks.frame();
    const main = new LadderBuilder();
    main.build([{ book: h.books.get(2)!.stream.book, venueBit: h.books.get(2)!.venueBit }], 5);
    const expected = main.snapshot('live', 42, false);
    expect(d!.listed).toBe(true);
    expect(d!.ladder).toEqual(expected);
    expect([...d!.ladder.bidPrice]).toEqual([100, 99, 98, 97, 96]);
  });

  it('is stale until its checksummed snapshot, and after a bad one (a resync is asked for)', () => {
    const h = harness();
    h.desks.set([{ symbol: 'ETH-USD', venue: 'sim-a' }]);
    h.subs.syncSubscriptions();
    expect(h.desks.frame()[0]!.ladder.status).toBe('stale');
    h.books.applySnapshot(snapshot(3, [[10, 1]], [[11, 1]], 5, [], true));
    expect(h.desks.frame()[0]!.ladder.status).toBe('stale');
    expect(h.resyncs).toEqual([3]);
    h.books.applySnapshot(snapshot(3, [[10, 1]], [[11, 1]], 6));
    expect(h.desks.frame()[0]!.ladder.status).toBe('live');
    h.books.invalidateAll();
    expect(h.desks.frame()[0]!.ladder.status).toBe('stale');
  });

  it('an unlisted pin is never live; pins are deduplicated, venue-specific and capped', () => {
    const h = harness();
    const pins = [
      { symbol: 'DOGE-USD', venue: 'sim-a' },
      { symbol: 'BTC-USD', venue: '' },
      { symbol: 'BTC-USD', venue: 'sim-a' },
      { symbol: 'BTC-USD', venue: 'sim-a' },
      ...Array.from({ length: MAX_SIDE_DESKS + 1 }, (_, i) => ({ symbol: `X${i}`, venue: 'v' })),
    ];
    expect(h.desks.set(pins)).toBe(true);
    expect(h.desks.pins).toHaveLength(MAX_SIDE_DESKS);
    expect(h.desks.pins.slice(0, 2)).toEqual([{ symbol: 'DOGE-USD', venue: 'sim-a' }, { symbol: 'BTC-USD', venue: 'sim-a' }]);
    expect(h.desks.set(pins)).toBe(false);
    h.subs.syncSubscriptions();
    const [doge] = h.desks.frame();
    expect(doge!.listed).toBe(false);
    expect(doge!.ladder.status).toBe('stale');
  });

  it("carries the stream's trades: the last one and one-minute candles, all at first then only changes", () => {
    const h = harness();
    h.desks.set([{ symbol: 'SOL-USD', venue: 'sim-a' }]);
    h.subs.syncSubscriptions();
    h.books.applySnapshot(snapshot(5, [[10, 1]], [[11, 1]], 1, [trade(1, 10, 60e6), trade(2, 12, 61e6)]));
    const first = h.desks.frame()[0]!;
    expect(first.candlesReset).toBe(true);
    expect(first.candles).toEqual([{ time: 60, open: 10, high: 12, low: 10, close: 12, volume: 6 }]);
    expect(first.lastTrade?.price).toBe(12);
    expect(h.desks.frame()[0]!.candles).toEqual([]);
    // Another stream's trade is not this desk's.
    h.books.applySnapshot(snapshot(1, [[10, 1]], [[11, 1]], 1, [trade(9, 99, 130e6)]));
    expect(h.desks.frame()[0]!.lastTrade?.price).toBe(12);
  });

  it("a pin of a stream the view holds already starts from the trades its book has", () => {
    const h = harness();
    h.setView('BTC-USD');
    h.books.applySnapshot(snapshot(1, [[10, 1]], [[11, 1]], 1, [trade(1, 10, 60e6), trade(2, 11, 120e6)]));
    h.desks.set([{ symbol: 'BTC-USD', venue: 'sim-a' }]);
    const d = h.desks.frame()[0]!;
    expect(d.candles.map((c) => c.time)).toEqual([60, 120]);
    expect(d.lastTrade?.price).toBe(11);
  });
});

describe('LiveSubscriptions with side desks', () => {
  it('subscribes the view and the pins by stream id, each once, and drops only what neither needs', () => {
    const h = harness();
    h.setView('BTC-USD');
    expect(h.sent.map(wire)).toEqual(['subscribe 1,2']);
    h.desks.set([{ symbol: 'BTC-USD', venue: 'sim-b' }, { symbol: 'ETH-USD', venue: 'sim-a' }]);
    h.subs.syncSubscriptions();
    expect(h.sent.map(wire).slice(1)).toEqual(['subscribe 3']);
    // The view moves on: BTC sim-b stays for its side desk, ETH sim-b comes with the view.
    h.setView('ETH-USD');
    expect(h.sent.map(wire).slice(2)).toEqual(['unsubscribe 1', 'subscribe 4']);
    expect(h.books.entries.map((e) => e.instrument.streamId).sort()).toEqual([2, 3, 4]);
    h.desks.set([{ symbol: 'ETH-USD', venue: 'sim-a' }]);
    h.subs.syncSubscriptions();
    expect(h.sent.map(wire).slice(4)).toEqual(['unsubscribe 2']);
    h.subs.syncSubscriptions();
    expect(h.sent).toHaveLength(5);
  });

  it('a new session subscribes everything held again; before its Welcome nothing is sent', () => {
    const h = harness();
    h.setWelcomed(false);
    h.desks.set([{ symbol: 'SOL-USD', venue: 'sim-a' }]);
    h.setView('BTC-USD');
    expect(h.sent).toEqual([]);
    expect(h.books.entries).toHaveLength(3);
    h.setWelcomed(true);
    h.subs.resubscribe();
    expect(h.sent.map(wire)).toEqual(['subscribe 1,2,5']);
  });
});
