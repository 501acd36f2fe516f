import { afterEach, describe, expect, it } from 'vitest';
import { unitStep } from '../live/exact-units';
import { BinanceFakeServer } from './binance-fake-server';
import { parseKlines } from './binance-klines';
import { openBinanceVenue } from './binance-venue';

const market = { price: unitStep('0.01')!, size: unitStep('0.00001')! };
const MIN = 60_000;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % MIN);
/** A Binance kline row as the exchange prints it (8 decimals everywhere). */
const row = (openMs: number, o: string, h: string, l: string, c: string, v: string) => [openMs, o, h, l, c, v, openMs + MIN - 1, '0', 10, '0', '0', '0'];

describe('parseKlines', () => {
  it('turns rows into exact ticks and lots, leaves out the minute still trading and anything off the grid', () => {
    const rows = [
      row(T0, '65000.01000000', '65010.00000000', '64990.50000000', '65005.00000000', '1.23456000'),
      row(T0 + MIN, '65005.00000000', '65005.00000000', '65000.00000000', '65000.00000000', '0.00001000'),
      row(T0 + 2 * MIN, '65000.00500000', '65001.00000000', '65000.00000000', '65001.00000000', '1.00000000'), // half a tick
      row(T0 + 3 * MIN, '65000.00000000', '65001.00000000', '65000.00000000', '65001.00000000', '0.000001'), // a tenth of a lot
      ['garbage'],
      row(T0 + 4 * MIN, '65000.00000000', '65001.00000000', '65000.00000000', '65001.00000000', '2.00000000'), // still trading at beforeMs
    ];
    expect(parseKlines(rows, market, T0 + 4 * MIN + 30_000)).toEqual([
      { time: T0 / 1000, open: 6_500_001, high: 6_501_000, low: 6_499_050, close: 6_500_500, volume: 123_456 },
      { time: T0 / 1000 + 60, open: 6_500_500, high: 6_500_500, low: 6_500_000, close: 6_500_000, volume: 1 },
    ]);
    expect(parseKlines({ code: -1 }, market, T0)).toEqual([]);
  });
});

describe('BinanceVenue.history against the fake Binance', () => {
  let fake: BinanceFakeServer | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });

  it('asks /api/v3/klines once for the 1000 minutes before now and returns them as candles', async () => {
    fake = await BinanceFakeServer.start({ symbols: [{ symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01', stepSize: '0.00001', midTicks: 6_500_000 }] });
    const nowMs = Math.floor(Date.now() / MIN) * MIN + 12_345;
    const start = nowMs - 12_345 - 1_200 * MIN;
    const rows: unknown[][] = [];
    for (let m = 0; m <= 1_200; m++) rows.push(row(start + m * MIN, '65000.00000000', '65001.00000000', '64999.00000000', `${65000 + (m % 2)}.00000000`, '0.50000000'));
    fake.klines.set('BTCUSDT', rows);
    const venue = await openBinanceVenue({ symbols: ['BTC-USDT'], restUrl: fake.restUrl, wsUrl: fake.wsUrl });
    const h = await venue.history('BTC-USDT', nowMs);
    expect(fake.requests.get('/api/v3/klines')).toBe(1);
    expect(h.length).toBe(1_000);
    // The minute still trading (the last row) is not history; the newest kept is the one before it.
    expect(h[h.length - 1]!.time).toBe((nowMs - 12_345) / 1000 - 60);
    expect(h[0]!.time).toBe(h[h.length - 1]!.time - 999 * 60);
    expect(h[h.length - 1]).toMatchObject({ open: 6_500_000, high: 6_500_100, low: 6_499_900, volume: 50_000 });
    expect(await venue.history('ETH-USDT', nowMs)).toEqual([]);
    await venue.stop();
  });
});
