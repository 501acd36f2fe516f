import { afterEach, describe, expect, it } from 'vitest';
import { unitStep } from '../live/exact-units';
import { KrakenFakeServer, type FakeKrakenPair } from './kraken-fake-server';
import { KRAKEN_PUBLIC_SPACING_MS, parseOhlc } from './kraken-ohlc';
import { openKrakenVenue } from './kraken-venue';

const BTC: FakeKrakenPair = {
  key: 'XXBTZUSD', altname: 'XBTUSD', wsname: 'XBT/USD', v2name: 'BTC/USD', base: 'XXBT', quote: 'ZUSD',
  pairDecimals: 1, lotDecimals: 8, tickSize: '0.1', ordermin: '0.0001', midTicks: 650_000,
};
const ETH: FakeKrakenPair = {
  key: 'XETHZUSD', altname: 'ETHUSD', wsname: 'ETH/USD', v2name: 'ETH/USD', base: 'XETH', quote: 'ZUSD',
  pairDecimals: 2, lotDecimals: 8, tickSize: '0.01', ordermin: '0.002', midTicks: 300_000,
};
const market = { restPair: 'XXBTZUSD', price: unitStep('0.1')!, size: unitStep('0.00000001')! };
/** A Kraken OHLC row: [time s, open, high, low, close, vwap, volume, count]. */
const row = (t: number, o: string, h: string, l: string, c: string, v: string) => [t, o, h, l, c, '0.0', v, 3];
const T0 = 1_800_000_000 - (1_800_000_000 % 60);

describe('parseOhlc', () => {
  it('turns rows into exact ticks and lots (volume, not vwap), leaving out the minute still trading and anything off the grid', () => {
    const body = {
      error: [],
      result: {
        XXBTZUSD: [row(T0, '65000.1', '65010.0', '64990.5', '65005.0', '1.23456789'), row(T0 + 60, '65005.05', '65006.0', '65000.0', '65001.0', '1.0'), row(T0 + 120, '65005.0', '65006.0', '65000.0', '65001.0', '0.5')],
        last: T0 + 120,
      },
    };
    expect(parseOhlc(body, market, (T0 + 120) * 1000 + 5_000)).toEqual([{ time: T0, open: 650_001, high: 650_100, low: 649_905, close: 650_050, volume: 123_456_789 }]);
  });

  it('throws Kraken’s in-body errors and ignores an answer without the pair', () => {
    expect(() => parseOhlc({ error: ['EGeneral:Too many requests'] }, market, T0 * 1000)).toThrow(/Too many requests/);
    expect(parseOhlc({ error: [], result: { OTHER: [] } }, market, T0 * 1000)).toEqual([]);
  });
});

describe('KrakenVenue.history against the fake Kraken', () => {
  let fake: KrakenFakeServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('asks /0/public/OHLC once per pair, a second apart, and returns its completed minutes', async () => {
    fake = await KrakenFakeServer.start({ pairs: [BTC, ETH] });
    const minute = Math.floor(Date.now() / 60_000) * 60;
    const rows = (close: string) => Array.from({ length: 11 }, (_, i) => row(minute - 600 + i * 60, '1000.0', '1001.0', '999.0', close, '0.1'));
    fake.ohlc.set('XXBTZUSD', rows('1000.5'));
    fake.ohlc.set('XETHZUSD', rows('1000.50'));
    const venue = await openKrakenVenue({ symbols: ['BTC-USD', 'ETH-USD'], restUrl: fake.restUrl, wsUrl: fake.wsUrl });
    const t0 = performance.now();
    const [btc, eth] = await Promise.all([venue.history('BTC-USD', minute * 1000 + 1), venue.history('ETH-USD', minute * 1000 + 1)]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(KRAKEN_PUBLIC_SPACING_MS - 50);
    expect(fake.requests.get('/0/public/OHLC')).toBe(2);
    // 11 rows, the last one (the current minute) still trading.
    expect(btc.map((c) => c.time)).toEqual(Array.from({ length: 10 }, (_, i) => minute - 600 + i * 60));
    expect(btc[0]).toEqual({ time: minute - 600, open: 10_000, high: 10_010, low: 9_990, close: 10_005, volume: 10_000_000 });
    expect(eth[0]).toMatchObject({ open: 100_000, close: 100_050 });
    await venue.stop();
  });
});
