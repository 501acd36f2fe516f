import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrderType, Side, TimeInForce } from '@tickmesh/shared';
import { defaultRelayOptions } from '../../server/options';
import { BinanceFakeServer } from '../binance/binance-fake-server';
import { until } from '../live/orders-test-kit';
import type { VenueExecution } from '../venue-adapter';
import { CcxtBinanceFront } from './ccxt-fake-server';
import { silentLog, type VenueStartError } from '../live/live-venue-config';
import { openVenues } from '../open-venues';
import { ccxtExchangeOf, ccxtSymbolsFor, readCcxtConfig, VENUE_CCXT_CONFIG_INVALID } from './ccxt-options';

describe('ccxt options', () => {
  it('ccxt:<id> venue ids, and --ccxt-symbols per exchange (qualified entries its own, plain ones every venue)', () => {
    expect(ccxtExchangeOf('ccxt:okx')).toBe('okx');
    expect(ccxtExchangeOf('binance')).toBeUndefined();
    expect(ccxtExchangeOf('ccxt:OKX')).toBeUndefined();
    const entries = ['okx:BTC-USDT', 'ETH-USDT', 'bybit:SOL-USDT', 'okx:ETH-USDT'];
    expect(ccxtSymbolsFor('okx', entries)).toEqual(['BTC-USDT', 'ETH-USDT']);
    expect(ccxtSymbolsFor('bybit', entries)).toEqual(['ETH-USDT', 'SOL-USDT']);
    expect(ccxtSymbolsFor('kucoin', ['okx:BTC-USDT'])).toEqual([]);
  });

  it('--ccxt-config: none is no overrides; not JSON or not an object per exchange is refused with a code', async () => {
    expect(await readCcxtConfig('')).toEqual({});
    const dir = await mkdtemp(join(tmpdir(), 'tickmesh-ccxt-config-'));
    const code = (p: string) => readCcxtConfig(p).then(() => 'read', (e: VenueStartError) => e.code);
    await writeFile(join(dir, 'bad.json'), '{"okx": ');
    await writeFile(join(dir, 'list.json'), '{"okx": [1]}');
    await writeFile(join(dir, 'good.json'), '{"okx": {"timeout": 9000}}');
    expect(await code(join(dir, 'bad.json'))).toBe(VENUE_CCXT_CONFIG_INVALID);
    expect(await code(join(dir, 'list.json'))).toBe(VENUE_CCXT_CONFIG_INVALID);
    expect(await code(join(dir, 'missing.json'))).toBe(VENUE_CCXT_CONFIG_INVALID);
    expect(await readCcxtConfig(join(dir, 'good.json'))).toEqual({ okx: { timeout: 9000 } });
  });

  it('openVenues: a ccxt venue without symbols, or with a key file readable by others, stops the start with a code', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tickmesh-ccxt-open-'));
    const code = (over: Partial<typeof defaultRelayOptions>) => openVenues({ ...defaultRelayOptions, dataDir, ...over }, {}, silentLog).then(() => 'opened', (e: VenueStartError) => e.code);
    expect(await code({ venues: ['ccxt:okx'], ccxtSymbols: ['bybit:BTC-USDT'] })).toBe('VENUE_UNLISTED_SYMBOL');
    const keys = join(dataDir, 'ccxt_okx-keys.json');
    await writeFile(keys, JSON.stringify({ key: 'k', secret: 's' }));
    await chmod(keys, 0o644);
    expect(await code({ venues: ['ccxt:okx'] })).toBe('VENUE_KEY_FILE_MODE');
  });

  it('openVenues: keys from <data-dir>/ccxt_<exchange>-keys.json (0600), urls from --ccxt-config: orders go out', async () => {
    const BTC = { symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01', stepSize: '0.00001', midTicks: 6_500_000 };
    const fake = await BinanceFakeServer.start({ symbols: [BTC], apiKey: 'file-key', apiSecret: 'file-secret' });
    const front = await CcxtBinanceFront.start(fake, [BTC], { apiKey: 'file-key', apiSecret: 'file-secret' });
    const dataDir = await mkdtemp(join(tmpdir(), 'tickmesh-ccxt-keyfile-'));
    const keys = join(dataDir, 'ccxt_binance-keys.json');
    await writeFile(keys, JSON.stringify({ key: 'file-key', secret: 'file-secret' }), { mode: 0o600 });
    await writeFile(join(dataDir, 'ccxt.json'), JSON.stringify({ binance: front.ccxtConfig() }));
    const [venue] = await openVenues({ ...defaultRelayOptions, dataDir, venues: ['ccxt:binance'], ccxtSymbols: ['BTC-USDT'], ccxtConfig: join(dataDir, 'ccxt.json'), ccxtPollMs: 100 }, {}, silentLog);
    const pumping = setInterval(() => fake.pump(1), 10); // a moving market: the book goes live, start() returns
    try {
      await venue!.start(() => ({ level() {}, trade() {}, clear() {}, state() {} }));
      const reports: VenueExecution[] = [];
      venue!.onExecution((r) => reports.push(r));
      venue!.submit({ orderId: 'kf-1', account: 'trader', symbol: 'BTC-USDT', side: Side.Buy, type: OrderType.Limit, timeInForce: TimeInForce.GTC, price: 6_000_000, qty: 100, postOnly: false });
      await until(() => reports.some((r) => r.kind === 'accepted'), 'accepted with the key file');
      expect([...fake.orders.keys()].some((cid) => cid.endsWith('-kf-1'))).toBe(true);
    } finally {
      clearInterval(pumping);
      await venue?.stop();
      await front.stop();
      await fake.stop();
    }
  });
});
