import { Side } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Relay } from '../src/server/relay-server';
import { BinanceFakeServer } from '../src/venues/binance/index';
import { openBinanceVenue } from '../src/venues/binance/binance-venue';
import { defaultSimVenues } from '../src/venues/sim/index';
import { startRelay, tokenOf, until } from './harness';
import { ScriptedVenue, testInstrument } from './scripted-venue';

/**
 * GET /api/candles and /api/tickers on a real relay over real HTTP: candles from the relay's
 * own trades, the simulator's deterministic history, and a stable code for every bad input.
 */
let relay: Relay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

type CandleJson = { time: number; open: number; high: number; low: number; close: number; volume: number };

async function get(r: Relay, path: string, token: string | null = tokenOf(r.url)): Promise<{ status: number; body: any }> {
  const res = await fetch(r.url + path, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

const candles = async (r: Relay, query: string): Promise<CandleJson[]> => {
  const res = await get(r, `/api/candles?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.candles as CandleJson[];
};

describe('GET /api/candles', () => {
  it('aggregates the relay’s trades of a stream into candles of each timeframe', async () => {
    const venue = new ScriptedVenue('test', [testInstrument('BTC-USD'), testInstrument('ETH-USD')]);
    const r = (relay = await startRelay([venue], { flushMs: 5 }));
    venue.trade('BTC-USD', 1, 50_000, 3, Side.Buy);
    venue.trade('BTC-USD', 2, 50_100, 2, Side.Sell);
    venue.trade('BTC-USD', 3, 49_900, 4, Side.Buy);
    venue.trade('BTC-USD', 4, 50_050, 1, Side.Buy);
    venue.trade('ETH-USD', 5, 3_000, 7, Side.Buy);
    r.md.flush();
    await until(() => r.md.candles.candles(1, '1d', -Infinity, Infinity, 10).length > 0, 2000, 'candles');
    for (const tf of ['1s', '1m', '5m', '15m', '1h', '1d']) {
      const list = await candles(r, `venue=test&symbol=BTC-USD&tf=${tf}`);
      // The four trades may straddle a 1 s (or, rarely, a 1 m) boundary: the totals are exact either way.
      expect(list.length, tf).toBeGreaterThanOrEqual(1);
      expect(list.reduce((v, c) => v + c.volume, 0), tf).toBe(10);
      expect(Math.max(...list.map((c) => c.high)), tf).toBe(50_100);
      expect(Math.min(...list.map((c) => c.low)), tf).toBe(49_900);
      expect(list[0]!.open, tf).toBe(50_000);
      expect(list[list.length - 1]!.close, tf).toBe(50_050);
    }
    const day = await candles(r, 'venue=test&symbol=BTC-USD&tf=1d');
    expect(day).toEqual([{ time: Math.floor(day[0]!.time / 86_400) * 86_400, open: 50_000, high: 50_100, low: 49_900, close: 50_050, volume: 10 }]);
    expect((await candles(r, 'venue=test&symbol=ETH-USD&tf=1d'))[0]!.volume).toBe(7);
  });

  it('serves the simulator’s 24 h history at once: ≥ 1,000 one-minute candles ending at its opening price, the same for the same seed', async () => {
    const before = Date.now();
    const r = (relay = await startRelay(defaultSimVenues({ seed: 11, updatesPerSecond: 50 }), { flushMs: 5 }));
    const after = Date.now();
    const list = await candles(r, 'venue=sim-a&symbol=BTC-USD&tf=1m&limit=5000');
    expect(list.length).toBeGreaterThanOrEqual(1_440);
    for (let i = 1; i < list.length; i++) expect(list[i]!.time).toBeGreaterThan(list[i - 1]!.time);
    // The relay's history is exactly what the same seed generates, ending just before the minute
    // it started in (before or after, should the start straddle a minute), at the opening price.
    const venue = defaultSimVenues({ seed: 11, updatesPerSecond: 50 })[0];
    const matches = [before, after].filter((t) => {
      const expected = venue.history('BTC-USD', t);
      const got = list.filter((c) => c.time <= expected[expected.length - 1]!.time);
      return JSON.stringify(got) === JSON.stringify(expected);
    });
    expect(matches.length).toBeGreaterThanOrEqual(1);
    const generated = venue.history('BTC-USD', matches[0]!);
    expect(generated.length).toBe(1_440);
    expect(generated[generated.length - 1]!.close).toBe(5_000_000); // 50,000.00 USD in 0.01 ticks

    // Coarser timeframes tell the same story: the hour candles' volume is the minutes' volume.
    const hours = await candles(r, 'venue=sim-a&symbol=BTC-USD&tf=1h&limit=5000');
    const firstHour = hours[1]!; // hours[0] may be a partial hour at the start of the history
    const minutesOfIt = list.filter((c) => c.time >= firstHour.time && c.time < firstHour.time + 3_600);
    expect(minutesOfIt.length).toBe(60);
    expect(firstHour.volume).toBe(minutesOfIt.reduce((v, c) => v + c.volume, 0));
    expect(firstHour.high).toBe(Math.max(...minutesOfIt.map((c) => c.high)));

    // Consolidated (no venue): both venues' buckets merged, volume summed.
    const b = await candles(r, 'venue=sim-b&symbol=BTC-USD&tf=1h&limit=5000');
    const all = await candles(r, 'symbol=BTC-USD&tf=1h&limit=5000');
    expect(all.find((c) => c.time === firstHour.time)!.volume).toBe(firstHour.volume + b.find((c) => c.time === firstHour.time)!.volume);
  });

  it('pages back: `to` and `limit` give the newest candles up to a time, `from` bounds the start', async () => {
    const r = (relay = await startRelay(defaultSimVenues({ seed: 3, updatesPerSecond: 50 }), { flushMs: 5 }));
    const newest = await candles(r, 'venue=sim-a&symbol=ETH-USD&tf=1m&limit=100');
    expect(newest.length).toBe(100);
    const older = await candles(r, `venue=sim-a&symbol=ETH-USD&tf=1m&limit=100&to=${newest[0]!.time - 1}`);
    expect(older.length).toBe(100);
    expect(older[older.length - 1]!.time).toBe(newest[0]!.time - 60);
    const window = await candles(r, `venue=sim-a&symbol=ETH-USD&tf=1m&from=${older[10]!.time}&to=${older[19]!.time}`);
    expect(window).toEqual(older.slice(10, 20));
  });

  it('refuses bad input with a stable code and 400, and an unauthenticated call with 401', async () => {
    const r = (relay = await startRelay(defaultSimVenues({ seed: 1, updatesPerSecond: 10 })));
    const cases: Array<[string, string]> = [
      ['venue=sim-a&symbol=BTC-USD&tf=2m', 'MD_UNKNOWN_TIMEFRAME'],
      ['venue=sim-a&symbol=DOGE-USD&tf=1m', 'MD_UNKNOWN_SYMBOL'],
      ['venue=nowhere&symbol=BTC-USD&tf=1m', 'VENUE_UNKNOWN'],
      ['venue=sim-a&tf=1m', 'CODEC_INVALID_FIELD'],
      ['venue=sim-a&symbol=BTC-USD&from=200&to=100', 'MD_INVALID_RANGE'],
      ['venue=sim-a&symbol=BTC-USD&limit=5001', 'MD_LIMIT_TOO_LARGE'],
      ['venue=sim-a&symbol=BTC-USD&limit=0', 'CODEC_INVALID_FIELD'],
      ['venue=sim-a&symbol=BTC-USD&from=yesterday', 'CODEC_INVALID_FIELD'],
      ['venue=sim-a&symbol=BTC-USD&to=1.5', 'CODEC_INVALID_FIELD'],
    ];
    for (const [query, code] of cases) {
      const res = await get(r, `/api/candles?${query}`);
      expect({ query, status: res.status, code: res.body.code }).toEqual({ query, status: 400, code });
    }
    // A limit at the maximum is fine.
    expect((await get(r, '/api/candles?venue=sim-a&symbol=BTC-USD&limit=5000')).status).toBe(200);
    const anon = await get(r, '/api/candles?venue=sim-a&symbol=BTC-USD', null);
    expect({ status: anon.status, code: anon.body.code }).toEqual({ status: 401, code: 'AUTH_REQUIRED' });
    const viewer = await get(r, '/api/candles?venue=sim-a&symbol=BTC-USD', tokenOf(r.url, 'viewer'));
    expect(viewer.status).toBe(200);
  });
});

describe('real venue backfill', () => {
  it('serves Binance’s own 1-minute klines as the history of its stream, rolled up to the coarser timeframes', async () => {
    const fake = await BinanceFakeServer.start({ symbols: [{ symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01', stepSize: '0.00001', midTicks: 6_500_000 }] });
    try {
      const minute = Math.floor(Date.now() / 60_000) * 60_000;
      const rows: unknown[][] = [];
      for (let m = 120; m >= 1; m--) {
        const t = minute - m * 60_000;
        rows.push([t, '65000.00000000', `${65000 + m}.00000000`, '64990.00000000', '64995.00000000', '0.10000000', t + 59_999, '0', 1, '0', '0', '0']);
      }
      fake.klines.set('BTCUSDT', rows);
      // The fake's books are not pumped here: start() need not wait its default 5 s for them.
      const venue = await openBinanceVenue({ symbols: ['BTC-USDT'], restUrl: fake.restUrl, wsUrl: fake.wsUrl, startTimeoutMs: 300 });
      const r = (relay = await startRelay([venue], { flushMs: 5 }));
      // Fetched history is not waited for at start: it arrives shortly after.
      await until(() => r.md.candles.candles(1, '1m', -Infinity, Infinity, 10).length > 0, 5_000, 'binance history');
      const list = await candles(r, 'venue=binance&symbol=BTC-USDT&tf=1m');
      const history = list.filter((c) => c.time * 1000 < minute);
      // Unless the relay's start crossed a minute, all 120; either way each one is Binance's row, exactly.
      expect(history.length).toBeGreaterThanOrEqual(119);
      for (const c of history) {
        const m = (minute - c.time * 1000) / 60_000;
        expect(c).toEqual({ time: c.time, open: 6_500_000, high: 6_500_000 + m * 100, low: 6_499_000, close: 6_499_500, volume: 10_000 });
      }
      const hours = await candles(r, 'venue=binance&symbol=BTC-USDT&tf=1h');
      expect(hours.reduce((v, c) => v + c.volume, 0)).toBeGreaterThanOrEqual(history.length * 10_000);
    } finally {
      await relay?.stop();
      relay = undefined;
      await fake.stop();
    }
  });
});

describe('history that fails or comes late', () => {
  it('a venue whose history fails still starts and builds candles from its trades; a late history goes in front of them', async () => {
    let release: (c: CandleJson[]) => void = () => {};
    class SlowVenue extends ScriptedVenue {
      history(symbol: string): Promise<CandleJson[]> {
        if (symbol === 'ETH-USD') return Promise.reject(new Error('kline REST down'));
        return new Promise((resolve) => (release = resolve));
      }
    }
    const venue = new SlowVenue('test', [testInstrument('BTC-USD'), testInstrument('ETH-USD')]);
    const r = (relay = await startRelay([venue], { flushMs: 5 }));
    venue.trade('BTC-USD', 1, 50_000, 3, Side.Buy);
    venue.trade('ETH-USD', 2, 3_000, 1, Side.Buy);
    r.md.flush();
    const live = await candles(r, 'venue=test&symbol=BTC-USD&tf=1m');
    expect(live.length).toBe(1);
    expect((await candles(r, 'venue=test&symbol=ETH-USD&tf=1m')).map((c) => c.volume)).toEqual([1]);
    const t = live[0]!.time;
    // The history arrives now: its older minutes go first; its copy of the live minute does not replace the live candle.
    release([
      { time: t - 120, open: 1, high: 1, low: 1, close: 1, volume: 1 },
      { time: t - 60, open: 2, high: 2, low: 2, close: 2, volume: 2 },
      { time: t, open: 9, high: 9, low: 9, close: 9, volume: 9 },
    ]);
    await until(() => r.md.candles.candles(1, '1m', -Infinity, Infinity, 10).length === 3, 2_000, 'late history');
    expect((await candles(r, 'venue=test&symbol=BTC-USD&tf=1m')).map((c) => [c.time - t, c.close, c.volume])).toEqual([
      [-120, 1, 1],
      [-60, 2, 2],
      [0, 50_000, 3],
    ]);
  });
});

describe('GET /api/tickers', () => {
  it('lists every stream with last, 24 h open, high, low and volume, consistent with its 1-minute candles', async () => {
    const r = (relay = await startRelay(defaultSimVenues({ seed: 2, updatesPerSecond: 50 }), { flushMs: 5 }));
    const res = await get(r, '/api/tickers');
    expect(res.status).toBe(200);
    const tickers = res.body.tickers as Array<{ venue: string; symbol: string; last: number; open24h: number; high24h: number; low24h: number; volume24h: number }>;
    expect(tickers.map((t) => `${t.venue}/${t.symbol}`).sort()).toEqual(r.md.instruments().map((i) => `${i.venue}/${i.symbol}`).sort());
    const t = tickers.find((x) => x.venue === 'sim-b' && x.symbol === 'SOL-USD')!;
    const day = await candles(r, 'venue=sim-b&symbol=SOL-USD&tf=1m&limit=5000');
    const inDay = day.filter((c) => c.time > Math.floor(Date.now() / 60_000) * 60 - 86_400);
    expect(t.open24h).toBe(inDay[0]!.open);
    expect(t.high24h).toBeGreaterThanOrEqual(Math.max(...inDay.map((c) => c.high))); // live trades may have widened it since
    expect(t.volume24h).toBeGreaterThan(0);
    expect(t.last).toBeGreaterThan(t.low24h - 1);
    expect(t.last).toBeLessThan(t.high24h + 1);
  });
});
