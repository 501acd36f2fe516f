import {
  encodeRecording, encodeServer, ErrorCode, FastBook, readRecording, Side, StreamState, wallClockUs,
  type BookBatch, type Instrument, type Recording, type RecordedFrame,
} from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { testInstrument } from '../../../../shared/src/model/instrument-fixtures';
import type { InstrumentFeed, VenueExecution } from '../venue-adapter';
import { buildReplayScript } from './replay-events';
import { parseReplayArgs } from './replay-args';
import { replayVenues, type ReplayVenue } from './replay-venue';

function inst(streamId: number, symbol: string, venue: string): Instrument {
  return testInstrument({ streamId, symbol, venue, base: symbol.split('-')[0]! });
}

/** A feed that keeps a book and counts calls, like MdStream does. */
class TestFeed implements InstrumentFeed {
  book = new FastBook();
  trades: number[] = [];
  tradeTimes: number[] = [];
  states: StreamState[] = [];
  clears = 0;
  level(side: Side, price: number, size: number): void {
    this.book.apply(side, price, size);
  }
  trade(tradeId: number, _price: number, _size: number, _aggressor: Side, timeUs: number): void {
    this.trades.push(tradeId);
    this.tradeTimes.push(timeUs);
  }
  clear(): void {
    this.book.clear();
    this.clears++;
  }
  state(s: StreamState): void {
    this.states.push(s);
  }
}

const T0 = 1_700_000_000_000_000;
const empty = { price: [], size: [] };

function batch(streamId: number, seq: number, bid: number, size: number, trades: number[] = []): BookBatch & { type: 'bookBatch'; requestId: number } {
  return {
    type: 'bookBatch', requestId: 0, streamId, epoch: 5, seq, bids: { price: [bid], size: [size] }, asks: empty,
    // Each trade printed 1 ms before the frame's receive time (seq * 10 ms in the default recording).
    trades: trades.map((tradeId) => ({ tradeId, price: bid, size: 1, aggressor: Side.Buy, timeUs: T0 + seq * 10_000 - 1000 })),
    checksum: 0, state: StreamState.Unspecified, timeUs: T0,
  };
}

/** Two venues; stream 1 = a:BTC-USD, stream 2 = b:BTC-USD; frames 10 ms of receive time apart over `spanUs`. */
function recording(spanUs = 100_000, batches = 10): Recording {
  const frames: RecordedFrame[] = [];
  const push = (streamId: number, t: number, msg: Parameters<typeof encodeServer>[0]) => frames.push({ streamId, receiveTimeUs: T0 + t, frame: encodeServer(msg) });
  push(0, 0, { type: 'subscribed', requestId: 1, streamIds: [1, 2] });
  for (const id of [1, 2]) {
    push(id, 0, {
      type: 'bookSnapshot', requestId: 0, streamId: id, epoch: 5, seq: 0, bids: { price: [100, 99], size: [1, 2] }, asks: { price: [101], size: [3] },
      recentTrades: [], checksum: 0, state: StreamState.Live, timeUs: T0,
    });
  }
  for (let i = 1; i <= batches; i++) {
    const t = Math.round((spanUs * i) / batches);
    push(1, t, batch(1, i, 100, i + 1, [i]));
    if (i !== 4) push(2, t, batch(2, i, 99, i + 10)); // stream 2 loses seq 4: the rest waits for a snapshot
  }
  const bytes = encodeRecording({ createdBy: 't', createdTimeUs: T0, instruments: [inst(1, 'BTC-USD', 'a'), inst(2, 'BTC-USD', 'b'), inst(3, 'ETH-USD', 'b')] }, frames);
  const r = readRecording(bytes);
  if (!r.ok) throw new Error(r.reason.code);
  return r.value;
}

let venues: ReplayVenue[] = [];
afterEach(async () => {
  for (const v of venues) await v.stop();
  venues = [];
});

async function play(rec: Recording, speed: number, loop = false, waitForPlay = false) {
  venues = replayVenues(rec, { speed, loop, waitForPlay });
  const feeds = new Map<string, TestFeed>();
  for (const v of venues) {
    await v.start((symbol) => {
      const f = new TestFeed();
      feeds.set(`${v.id}:${symbol}`, f);
      return f;
    });
  }
  return feeds;
}

describe('ReplayVenue', () => {
  it('splits a recording by venue with the recorded instruments and skips non-book frames', () => {
    const script = buildReplayScript(recording());
    // b:ETH-USD is in the header (the recorded relay listed it) but has no frame: not served.
    expect(script.venues.map((v) => [v.venue, v.instruments.map((i) => i.symbol)])).toEqual([['a', ['BTC-USD']], ['b', ['BTC-USD']]]);
    expect(script.unrecorded.map((i) => `${i.venue}:${i.symbol}`)).toEqual(['b:ETH-USD']);
    expect(script.skippedFrames).toBe(1);
    expect(script.bookFrames).toBe(2 + 10 + 9);
    expect(script.durationUs).toBe(100_000);
    const venues = replayVenues(script);
    expect(venues.map((v) => v.id)).toEqual(['a', 'b']);
    expect(venues[0]!.instruments()).toEqual([{ ...inst(1, 'BTC-USD', 'a'), streamId: 0 }]);
  });

  it('applies snapshots as clear + levels and gap-free batches as changes and trades, then halts', async () => {
    const feeds = await play(recording(), 0);
    await Promise.all(venues.map((v) => v.whenPassEnds()));
    const a = feeds.get('a:BTC-USD')!;
    expect(a.clears).toBe(1);
    expect(a.book.levels(Side.Buy)).toEqual({ price: [100, 99], size: [11, 2] });
    expect(a.trades).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Stale (empty) until the first snapshot, live, halted at the end.
    expect(a.states).toEqual([StreamState.Stale, StreamState.Live, StreamState.Halted]);
    // Stream 2 stops at the gap: batches 1..3 only.
    const b = feeds.get('b:BTC-USD')!;
    expect(b.book.levels(Side.Buy)).toEqual({ price: [100, 99], size: [1, 13] });
  });

  it('an instrument of a venue script with no frame stays stale, never live', async () => {
    const script = buildReplayScript(recording());
    script.venues[1]!.instruments.push(inst(0, 'ETH-USD', 'b'));
    const feeds = new Map<string, TestFeed>();
    venues = replayVenues(script, { speed: 0 });
    for (const v of venues) await v.start((symbol) => feeds.set(`${v.id}:${symbol}`, new TestFeed()).get(`${v.id}:${symbol}`)!);
    await Promise.all(venues.map((v) => v.whenPassEnds()));
    expect(feeds.get('b:ETH-USD')!.states).toEqual([StreamState.Stale]);
  });

  it('with waitForPlay, start() only sets the feeds up; play() plays from the first frame', async () => {
    const feeds = await play(recording(), 1, false, true);
    const a = feeds.get('a:BTC-USD')!;
    await new Promise((r) => setTimeout(r, 150)); // longer than the whole recording
    expect(venues.map((v) => [v.waiting, v.playing, v.applied])).toEqual([[true, false, 0], [true, false, 0]]);
    expect(a.states).toEqual([StreamState.Stale]);
    expect(a.book.levels(Side.Buy).price).toEqual([]);
    const t = performance.now();
    for (const v of venues) v.play();
    // The first snapshots are applied before play() returns.
    expect(a.book.levels(Side.Buy)).toEqual({ price: [100, 99], size: [1, 2] });
    expect(a.states).toEqual([StreamState.Stale, StreamState.Live]);
    await Promise.all(venues.map((v) => v.whenPassEnds()));
    expect(performance.now() - t).toBeGreaterThanOrEqual(95); // the 100 ms recording, at speed 1, from play()
    expect(a.trades).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const v of venues) v.play(); // a no-op once played
    expect(venues[0]!.passes).toBe(1);
  });

  it('rebases trade times onto the replay wall clock (scaled by speed), in recorded order', async () => {
    // Both bounds from the clock the venue stamps with (µs); Date.now() is whole ms.
    const before = wallClockUs();
    const feeds = await play(recording(), 2);
    await Promise.all(venues.map((v) => v.whenPassEnds()));
    const after = wallClockUs();
    const times = feeds.get('a:BTC-USD')!.tradeTimes;
    expect(times).toHaveLength(10);
    // Trade i printed at i*10 ms - 1 ms of recording time = (i*10 - 1) / 2 ms after playback began.
    for (let i = 1; i <= 10; i++) expect(times[i - 1]! - times[0]!).toBeCloseTo(((i - 1) * 10_000) / 2, -1);
    expect(times[0]!).toBeGreaterThanOrEqual(before);
    expect(times.at(-1)!).toBeLessThanOrEqual(after);
  });

  it('refuses orders with VENUE_REPLAY_READ_ONLY, after the call returns', async () => {
    await play(recording(), 0);
    const [v] = venues;
    const got: VenueExecution[] = [];
    v!.onExecution((e) => got.push(e));
    v!.submit({ orderId: 'o1', account: 'x', symbol: 'BTC-USD', side: Side.Buy, type: 2, timeInForce: 1, price: 100, qty: 1, postOnly: false });
    v!.cancel('o1');
    v!.replace('o1', 1, 1);
    expect(got).toHaveLength(0);
    await Promise.resolve();
    expect(got.map((e) => [e.kind, e.reasonCode])).toEqual([
      ['rejected', ErrorCode.VENUE_REPLAY_READ_ONLY],
      ['cancel-rejected', ErrorCode.VENUE_REPLAY_READ_ONLY],
      ['cancel-rejected', ErrorCode.VENUE_REPLAY_READ_ONLY],
    ]);
  });

  it('speed max finishes fast; speed 100 takes about duration / 100', async () => {
    const rec = recording(20_000_000, 50); // 20 s of receive time
    let t = performance.now();
    await play(rec, 0);
    await Promise.all(venues.map((v) => v.whenPassEnds()));
    const max = performance.now() - t;
    for (const v of venues) await v.stop();
    t = performance.now();
    await play(rec, 100);
    await Promise.all(venues.map((v) => v.whenPassEnds()));
    const fast = performance.now() - t;
    expect(fast).toBeGreaterThanOrEqual(195);
    expect(fast).toBeLessThan(2000);
    expect(max).toBeLessThan(fast);
  });

  it('loops: each pass starts again from the recorded snapshots', async () => {
    const feeds = await play(recording(20_000, 5), 0, true);
    const a = venues[0]!;
    await a.whenPassEnds();
    await a.whenPassEnds();
    expect(a.passes).toBeGreaterThanOrEqual(2);
    expect(a.playing).toBe(true);
    expect(feeds.get('a:BTC-USD')!.clears).toBeGreaterThanOrEqual(2);
    await a.stop();
    expect(a.playing).toBe(false);
    expect(feeds.get('a:BTC-USD')!.states.at(-1)).toBe(StreamState.Stale);
  });
});

describe('parseReplayArgs', () => {
  it('takes FILE, --speed, --loop and --partial and passes every other flag with its value to the relay', () => {
    expect(parseReplayArgs(['rec.tmrec', '--speed', 'max', '--loop', '--port', '9000', '--data-dir=/x'])).toEqual({
      file: 'rec.tmrec', speed: 0, loop: true, partial: false, startNow: false, relayArgs: ['--port', '9000', '--data-dir=/x'],
    });
    expect(parseReplayArgs(['f', '--start-now'])).toMatchObject({ file: 'f', startNow: true, relayArgs: [] });
    expect(parseReplayArgs(['f', '--start-now', '--start-on-subscribe'])).toMatchObject({ startNow: false });
    expect(parseReplayArgs(['--speed=100', '--partial', 'f'])).toMatchObject({ file: 'f', speed: 100, partial: true, relayArgs: [] });
    expect(parseReplayArgs(['f'])).toMatchObject({ speed: 1, loop: false });
    expect(parseReplayArgs([])).toHaveProperty('error');
    expect(parseReplayArgs(['f', '--speed', 'fast'])).toHaveProperty('error');
    expect(parseReplayArgs(['f', 'g'])).toHaveProperty('error');
    expect(parseReplayArgs(['--help'])).toEqual({ help: true });
  });
});
