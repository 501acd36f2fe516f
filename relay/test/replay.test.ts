import { Algo, BookStream, decodeServer, OrderType, Side, TimeInForce, readRecording, wallClockUs, type Recording, type ServerMsg } from '@tickmesh/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Relay } from '../src/server/relay-server';
import { buildReplayScript, playOnFirstSubscribe, recordFromRelay, replayVenues } from '../src/venues/replay/index';
import { SimVenue } from '../src/venues/sim/index';
import { JsonClient, ProtoClient, startRelay, tokenOf, until, type Json } from './harness';

/** The book of each recorded (venue:symbol) as the recorder saw it after its last frame. */
function recordedHashes(rec: Recording): Map<string, string> {
  const key = new Map(rec.header.instruments.map((i) => [i.streamId, `${i.venue}:${i.symbol}`]));
  const streams = new Map<number, BookStream>();
  for (const f of rec.frames) {
    const r = decodeServer(f.frame);
    if (!r.ok) throw new Error(r.reason.code);
    const m = r.value;
    if (m.type !== 'bookSnapshot' && m.type !== 'bookBatch') continue;
    let s = streams.get(m.streamId);
    if (!s) streams.set(m.streamId, (s = new BookStream(m.streamId)));
    const res = m.type === 'bookSnapshot' ? s.applySnapshot(m) : s.applyBatch(m);
    expect(res.action).toBe('applied');
  }
  return new Map([...streams].map(([id, s]) => [key.get(id)!, s.book.stateHash()]));
}

/** Feeds every book frame a client received to per-stream BookStreams. */
function clientBooks(msgs: readonly ServerMsg[]): Map<number, BookStream> {
  const streams = new Map<number, BookStream>();
  for (const m of msgs) {
    if (m.type !== 'bookSnapshot' && m.type !== 'bookBatch') continue;
    let s = streams.get(m.streamId);
    if (!s) streams.set(m.streamId, (s = new BookStream(m.streamId)));
    if (m.type === 'bookSnapshot') s.applySnapshot(m);
    else s.applyBatch(m);
  }
  return streams;
}

describe('replay of a recording through a real relay', () => {
  let recording: Recording;
  let bytes: Uint8Array;
  let live: Relay;

  beforeAll(async () => {
    live = await startRelay([
      new SimVenue({ id: 'sim-a', seed: 3, symbols: ['BTC-USD', 'ETH-USD'], updatesPerSecond: 400 }),
      new SimVenue({ id: 'sim-b', seed: 4, symbols: ['BTC-USD'], updatesPerSecond: 400, priceOffsetBps: 5 }),
    ], { flushMs: 5 });
    bytes = await recordFromRelay(live.url, tokenOf(live.url, 'viewer'), ['BTC-USD'], 700);
    await live.stop();
    const r = readRecording(bytes);
    if (!r.ok) throw new Error(`${r.reason.code}: ${r.reason.message}`);
    recording = r.value;
  });

  it('records the welcome instruments and every frame with non-decreasing receive times', () => {
    expect(recording.header.instruments.map((i) => `${i.venue}:${i.symbol}`)).toEqual(['sim-a:BTC-USD', 'sim-a:ETH-USD', 'sim-b:BTC-USD']);
    expect(recording.frames.length).toBeGreaterThan(20);
    const times = recording.frames.map((f) => f.receiveTimeUs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(decodeServer(recording.frames[0]!.frame)).toMatchObject({ ok: true, value: { type: 'welcome' } });
  });

  describe('served at speed 1 to a protobuf and a legacy JSON client', () => {
    let relay: Relay;
    let venues: ReturnType<typeof replayVenues>;
    let proto: ProtoClient;
    let json: JsonClient;

    beforeAll(async () => {
      venues = replayVenues(recording, { speed: 1 });
      relay = await startRelay(venues, { flushMs: 5 });
      [proto, json] = await Promise.all([ProtoClient.connect(relay.url, {}, tokenOf(relay.url, 'viewer')), JsonClient.connect(relay.url, tokenOf(relay.url, 'viewer'))]);
      proto.send({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['BTC-USD'] });
      json.send({ type: 'subscribe', channel: 'marketData', symbol: 'BTC-USD' });
      await Promise.all(venues.map((v) => v.whenPassEnds()));
    });

    afterAll(async () => {
      proto?.close();
      json?.close();
      await relay?.stop();
    });

    it('lists only the recorded instruments (not the recorded relay\'s others), under the recorded venues and symbols', async () => {
      const welcome = proto.received.find((m) => m.type === 'welcome');
      expect(welcome?.type === 'welcome' && welcome.instruments.map((i) => `${i.venue}:${i.symbol}`)).toEqual(['sim-a:BTC-USD', 'sim-b:BTC-USD']);
      const jsonWelcome = json.received.find((m) => m.type === 'welcome') as { instruments: { symbol: string }[] } | undefined;
      expect(jsonWelcome?.instruments.map((i) => i.symbol)).toEqual(['BTC-USD', 'BTC-USD']);
    });

    it('the protobuf client ends with the book recorded at the last frame, gap-free', async () => {
      const expected = recordedHashes(recording);
      expect(expected.size).toBe(2); // both venues' BTC-USD
      const welcome = proto.received.find((m) => m.type === 'welcome');
      if (welcome?.type !== 'welcome') throw new Error('no welcome');
      const idOf = new Map(welcome.instruments.map((i) => [`${i.venue}:${i.symbol}`, i.streamId]));
      const matches = () => {
        const books = clientBooks(proto.received);
        return [...expected].every(([k, hash]) => {
          const s = books.get(idOf.get(k)!);
          return s !== undefined && s.status !== 'stale' && s.book.stateHash() === hash;
        });
      };
      await until(matches, 5000, 'replayed books equal to the recorded ones');
      // Playback ended: the books are the recorded ones, no longer moving.
      await until(() => [...clientBooks(proto.received).values()].every((s) => s.status === 'halted'), 5000, 'halted streams');
    });

    it('the legacy JSON client gets the replayed trades in the documented shape', async () => {
      const recordedTrades = new Set<number>();
      for (const f of recording.frames) {
        const r = decodeServer(f.frame);
        if (r.ok && r.value.type === 'bookBatch') for (const t of r.value.trades) recordedTrades.add(t.tradeId);
      }
      expect(recordedTrades.size).toBeGreaterThan(0);
      await until(() => json.received.some((m) => m.type === 'marketData'), 5000, 'a trade');
      const trades = json.received.filter((m) => m.type === 'marketData');
      for (const m of trades) {
        expect(Object.keys(m).slice(0, 3)).toEqual(['type', 'channel', 'symbol']);
        expect(m).toMatchObject({ type: 'marketData', channel: 'marketData', symbol: 'BTC-USD' });
        const data = m.data as Record<string, unknown>;
        expect(Object.keys(data).slice(0, 2)).toEqual(['price', 'volume']);
        expect(typeof data.price).toBe('number');
        expect(typeof data.volume).toBe('number');
        expect(recordedTrades.has(data.tradeId as number)).toBe(true);
      }
    });

    it('refuses orders on a replayed venue with VENUE_REPLAY_READ_ONLY', async () => {
      const trader = await ProtoClient.connect(relay.url);
      try {
        const welcome = proto.received.find((m) => m.type === 'welcome');
        if (welcome?.type !== 'welcome') throw new Error('no welcome');
        const id = welcome.instruments.find((i) => i.venue === 'sim-a' && i.symbol === 'BTC-USD')!.streamId;
        const bid = clientBooks(proto.received).get(id)!.book.levels(Side.Buy).price[0]!;
        trader.send({
          type: 'newOrder', requestId: 9, clientOrderId: 'r1', symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy, orderType: OrderType.Limit,
          timeInForce: TimeInForce.GTC, price: bid, qty: 1, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
        });
        const report = await trader.next((m) => m.type === 'executionReport' && m.clientOrderId === 'r1' && m.reasonCode !== '', 5000);
        expect(report.type === 'executionReport' && report.reasonCode).toBe('VENUE_REPLAY_READ_ONLY');
      } finally {
        trader.close();
      }
    });
  });

  describe('started on the first subscription (the replay command\'s default)', () => {
    let relay: Relay;
    let venues: ReturnType<typeof replayVenues>;

    beforeAll(async () => {
      venues = replayVenues(recording, { speed: 1, waitForPlay: true });
      // A flush much slower than the recorded one: a stream almost always has changes pending.
      relay = await startRelay(venues, { flushMs: 40 });
      playOnFirstSubscribe(relay.md, venues);
    });

    afterAll(async () => {
      await relay?.stop();
    });

    it('plays nothing before, then the whole recording from its first frame to the first subscriber', async () => {
      // What playback paces: first to last book frame. The recording's first frames (welcome,
      // subscribed) came a connection setup earlier, which on a loaded machine is long.
      const durationMs = buildReplayScript(recording).durationUs / 1000;
      expect(durationMs).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 300));
      expect(venues.map((v) => [v.waiting, v.applied])).toEqual([[true, 0], [true, 0]]);
      const c = await ProtoClient.connect(relay.url, {}, tokenOf(relay.url, 'viewer'));
      const json = await JsonClient.connect(relay.url, tokenOf(relay.url, 'viewer'));
      try {
        const t = performance.now();
        const since = wallClockUs(); // the relay's clock, not Date.now() (whole ms)
        c.send({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['BTC-USD'] });
        json.send({ type: 'subscribe', channel: 'marketData', symbol: 'BTC-USD' });
        await c.next((m) => m.type === 'subscribed');
        expect(venues.every((v) => !v.waiting)).toBe(true);
        expect(venues.some((v) => v.applied > 0)).toBe(true);
        // The snapshots answering the subscription already hold the first recorded book.
        await until(() => c.received.filter((m) => m.type === 'bookSnapshot').length >= 2, 5000, 'a snapshot of each stream');
        const firsts = c.received.filter((m) => m.type === 'bookSnapshot').slice(0, 2);
        expect(firsts.some((m) => m.type === 'bookSnapshot' && m.bids.price.length + m.asks.price.length > 0)).toBe(true);
        await Promise.all(venues.map((v) => v.whenPassEnds()));
        expect(performance.now() - t).toBeGreaterThan(durationMs * 0.8);
        const expected = recordedHashes(recording);
        const welcome = c.received.find((m) => m.type === 'welcome');
        if (welcome?.type !== 'welcome') throw new Error('no welcome');
        const idOf = new Map(welcome.instruments.map((i) => [`${i.venue}:${i.symbol}`, i.streamId]));
        await until(() => {
          const books = clientBooks(c.received);
          return [...expected].every(([k, hash]) => books.get(idOf.get(k)!)?.book.stateHash() === hash);
        }, 5000, 'replayed books equal to the recorded ones');
        // Book and trade times are on one clock, the replay's: within the playback, not the recording's.
        await until(() => json.received.some((m) => m.type === 'marketData'), 5000, 'a trade');
        const until_ = wallClockUs() + 1000; // JSON times are ms: up to 1 ms of rounding
        const times = (type: string) => json.received.filter((m) => m.type === type).map((m) => (m.data as { time: number }).time * 1000);
        const tradeTimes = times('marketData');
        const bookTimes = c.received.flatMap((m) => (m.type === 'bookBatch' || m.type === 'bookSnapshot' ? [m.timeUs] : []));
        expect(tradeTimes.length).toBeGreaterThan(0);
        for (const us of [...tradeTimes, ...bookTimes]) {
          expect(us).toBeGreaterThanOrEqual(since - 50_000);
          expect(us).toBeLessThanOrEqual(until_);
        }
      } finally {
        c.close();
        json.close();
      }
    });
  });

  it('legacy JSON: a book subscription after marketData gets its bookSnapshot before any book delta', async () => {
    const venues = replayVenues(recording, { speed: 1, loop: true });
    // Recorded flushes every 5 ms, replayed flushes every 40 ms: at the book subscription the
    // stream nearly always holds changes not yet flushed (the case the live relay rarely hits).
    const relay = await startRelay(venues, { flushMs: 40 });
    try {
      for (let round = 0; round < 5; round++) {
        const json = await JsonClient.connect(relay.url, tokenOf(relay.url, 'viewer'));
        try {
          json.send({ type: 'subscribe', channel: 'marketData', symbol: 'BTC-USD' });
          await json.next((m) => m.type === 'subscribed' && m.channel === 'marketData');
          await new Promise((r) => setTimeout(r, 15 + round * 7));
          const from = json.received.length;
          json.send({ type: 'subscribe', channel: 'book', symbol: 'BTC-USD' });
          await json.next((m) => m.type === 'subscribed' && m.channel === 'book', 5000, from);
          // Both venues' streams: a snapshot each, then deltas.
          await until(() => json.received.slice(from).filter((m) => m.type === 'book').length >= 4, 5000, 'book deltas');
          const seen = new Map<string, number>();
          for (const m of json.received.slice(from) as Json[]) {
            if (m.type !== 'book' && m.type !== 'bookSnapshot') continue;
            const key = String(m.venue);
            const seq = (m.data as { seq: number }).seq;
            if (m.type === 'bookSnapshot') seen.set(key, seq);
            else {
              expect(seen.has(key), `round ${round}: ${key} book seq ${seq} before its bookSnapshot`).toBe(true);
              expect(seq).toBeGreaterThan(seen.get(key)!);
            }
          }
        } finally {
          json.close();
        }
      }
    } finally {
      await relay.stop();
    }
  });

  it('speed max serves the whole recording quickly to a client that subscribes afterwards', async () => {
    const t = performance.now();
    const venues = replayVenues(recording, { speed: 0 });
    const relay = await startRelay(venues, { flushMs: 5 });
    try {
      await Promise.all(venues.map((v) => v.whenPassEnds()));
      expect(performance.now() - t).toBeLessThan(3000);
      const c = await ProtoClient.connect(relay.url, {}, tokenOf(relay.url, 'viewer'));
      c.send({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['BTC-USD'] });
      const expected = [...recordedHashes(recording).values()].sort();
      await until(() => [...clientBooks(c.received).values()].map((s) => s.book.stateHash()).sort().join() === expected.join(), 5000, 'final books');
      c.close();
    } finally {
      await relay.stop();
    }
  });
});
