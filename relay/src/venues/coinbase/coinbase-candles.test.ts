import { afterEach, describe, expect, it } from 'vitest';
import { unitStep } from '../live/exact-units';
import { CoinbaseFakeServer, type FakeCoinbaseProduct } from './coinbase-fake-server';
import { parseCoinbaseCandles } from './coinbase-candles';
import { openCoinbaseVenue } from './coinbase-venue';

const PRODUCTS: FakeCoinbaseProduct[] = [
  { productId: 'BTC-USD', base: 'BTC', quote: 'USD', quoteIncrement: '0.01', baseIncrement: '0.00000001', baseMinSize: '0.00000001', baseMaxSize: '3400', midTicks: 5_000_000 },
];
const market = { price: unitStep('0.01')!, size: unitStep('0.00000001')! };
const T0 = 1_800_000_000 - (1_800_000_000 % 60);
const c = (t: number, open: string, high: string, low: string, close: string, volume: string) => ({ start: String(t), low, high, open, close, volume });

describe('parseCoinbaseCandles', () => {
  it('turns the newest-first answer into exact candles oldest first, without the minute still trading or anything off the grid', () => {
    const body = {
      candles: [
        c(T0 + 180, '1', '1', '1', '1', '1'), // still trading at beforeMs
        c(T0 + 120, '50000.005', '50001', '50000', '50001', '1'), // half a tick
        c(T0 + 60, '50001.00', '50002.50', '50000.00', '50002.00', '0.00000001'),
        c(T0, '50000.00', '50001.00', '49999.99', '50001.00', '1.5'),
      ],
    };
    expect(parseCoinbaseCandles(body, market, (T0 + 180) * 1000 + 1)).toEqual([
      { time: T0, open: 5_000_000, high: 5_000_100, low: 4_999_999, close: 5_000_100, volume: 150_000_000 },
      { time: T0 + 60, open: 5_000_100, high: 5_000_250, low: 5_000_000, close: 5_000_200, volume: 1 },
    ]);
    expect(parseCoinbaseCandles({ error: 'x' }, market, T0 * 1000)).toEqual([]);
  });
});

describe('CoinbaseVenue.history against the fake Coinbase', () => {
  let fake: CoinbaseFakeServer | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });

  it('asks the public candles endpoint once for the 350 minutes before now', async () => {
    fake = await CoinbaseFakeServer.start({ products: PRODUCTS });
    const minute = Math.floor(Date.now() / 60_000) * 60;
    fake.candles.set('BTC-USD', Array.from({ length: 400 }, (_, i) => c(minute - 399 * 60 + i * 60, '50000.00', '50001.00', '49999.00', '50000.50', '0.1')));
    const venue = await openCoinbaseVenue({ symbols: ['BTC-USD'], restUrl: fake.restUrl, wsUrl: fake.wsUrl });
    const h = await venue.history('BTC-USD', minute * 1000 + 1);
    expect(fake.requests.get('/api/v3/brokerage/market/products/BTC-USD/candles')).toBe(1);
    // 350 asked; the fake's newest row is the minute still trading.
    expect(h.length).toBe(350);
    expect(h[h.length - 1]!.time).toBe(minute - 60);
    expect(h[0]).toEqual({ time: minute - 350 * 60, open: 5_000_000, high: 5_000_100, low: 4_999_900, close: 5_000_050, volume: 10_000_000 });
    await venue.stop();
  });
});
