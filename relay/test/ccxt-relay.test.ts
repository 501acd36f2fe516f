import { Algo, BookStream, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type ServerMsg } from '@tickmesh/shared';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCli, usage } from '../src/server/cli';
import type { Relay } from '../src/server/relay-server';
import { BinanceFakeServer } from '../src/venues/binance/index';
import { CcxtBinanceFront } from '../src/venues/ccxt/index';
import { openVenues } from '../src/venues/open-venues';
import { ProtoClient, startRelay, tokenOf, until } from './harness';

/**
 * `--venues ccxt:binance` as the relay runs it: the options parsed from argv, keys from
 * CCXT_BINANCE_API_KEY/_SECRET, ccxt's urls from a `--ccxt-config` file pointing at the Binance
 * fake (through CcxtBinanceFront), opened by openVenues, served by a relay to a protobuf client.
 */
const KEY = 'ccxt-relay-key';
const SECRET = 'ccxt-relay-secret-abcdef';
const BTC = { symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01', stepSize: '0.00001', midTicks: 6_500_000 };
let fake: BinanceFakeServer;
let front: CcxtBinanceFront;
let relay: Relay;
const logs: string[] = [];

beforeAll(async () => {
  fake = await BinanceFakeServer.start({ symbols: [BTC], apiKey: KEY, apiSecret: SECRET });
  front = await CcxtBinanceFront.start(fake, [BTC], { apiKey: KEY, apiSecret: SECRET });
  const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-ccxt-relay-'));
  const configFile = join(dataDir, 'ccxt.json');
  writeFileSync(configFile, JSON.stringify({ binance: front.ccxtConfig() }));
  const parsed = parseCli(['--venues', 'ccxt:binance', '--ccxt-symbols', 'binance:BTC-USDT', '--ccxt-config', configFile, '--ccxt-poll-ms', '100', '--data-dir', dataDir], {
    CCXT_BINANCE_API_KEY: KEY,
    CCXT_BINANCE_API_SECRET: SECRET,
  });
  if (parsed.kind !== 'run') throw new Error(`options: ${JSON.stringify(parsed)}`);
  const at = (level: string) => (obj: object, msg: string) => void logs.push(`${level} ${JSON.stringify(obj)} ${msg}`);
  const venues = await openVenues(parsed.options, { CCXT_BINANCE_API_KEY: KEY, CCXT_BINANCE_API_SECRET: SECRET }, { info: at('info'), warn: at('warn'), error: at('error') });
  relay = await startRelay(venues, { dataDir, flushMs: 5 });
});

afterAll(async () => {
  await relay?.stop();
  await front?.stop();
  await fake?.stop();
});

function clientBook(msgs: readonly ServerMsg[], streamId: number): BookStream {
  const s = new BookStream(streamId);
  for (const m of msgs) {
    if (m.type === 'bookSnapshot' && m.streamId === streamId) s.applySnapshot(m);
    else if (m.type === 'bookBatch' && m.streamId === streamId) s.applyBatch(m);
  }
  return s;
}

const levels = (m: Map<number, number>, desc: boolean) => {
  const e = [...m].sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]));
  return { price: e.map((x) => x[0]), size: e.map((x) => x[1]) };
};

describe('ccxt:binance through the relay (Binance fake)', () => {
  it('is in --help, and the options name it', () => {
    const text = usage();
    expect(text).toContain('ccxt:<exchange>');
    expect(text).toContain('--ccxt-symbols');
    expect(parseCli(['--venues', 'ccxt:Bad!'], {}).kind).toBe('error');
    expect(parseCli(['--ccxt-symbols', 'okx:btc-usdt'], {}).kind).toBe('error');
  });

  it('serves the true book, shows a silent stream as STALE to the client, and recovers', async () => {
    const c = await ProtoClient.connect(relay.url, {}, tokenOf(relay.url, 'viewer'));
    c.send({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['BTC-USDT'] });
    const welcome = await c.next((m) => m.type === 'welcome');
    if (welcome.type !== 'welcome') throw new Error('no welcome');
    const inst = welcome.instruments.find((i) => i.venue === 'ccxt:binance' && i.symbol === 'BTC-USDT')!;
    expect(inst).toMatchObject({ tickSize: '0.01', lotSize: '0.00001' });
    const equalsTrue = () => {
      const b = clientBook(c.received, inst.streamId);
      const t = fake.trueBook('BTCUSDT');
      return b.status === 'live' && JSON.stringify([b.book.levels(Side.Buy), b.book.levels(Side.Sell)]) === JSON.stringify([levels(t.bids, true), levels(t.asks, false)]);
    };
    for (let round = 0; round < 3; round++) {
      fake.pump(30);
      await until(() => (clientBook(c.received, inst.streamId).status === 'live' ? true : (fake.pump(1), false)), 10_000, `live (round ${round})`);
      await until(equalsTrue, 10_000, `client book equal to the true book at a quiet point (round ${round})`);
    }
    fake.dropSockets();
    await until(() => clientBook(c.received, inst.streamId).status === 'stale', 10_000, 'STALE shown to the client on a lost stream');
    await until(() => (clientBook(c.received, inst.streamId).status === 'live' ? true : (fake.pump(1), false)), 10_000, 'live again');
    await until(equalsTrue, 10_000, 'equal to the true book again');
    c.ws.close();
  });

  it('an order goes through the OMS and risk to ccxt, fills at the fake, and the report maps back by our client order id', async () => {
    const t = fake.trueBook('BTCUSDT');
    const ask = Math.min(...t.asks.keys());
    t.asks.set(ask, 200);
    const c = await ProtoClient.connect(relay.url, {}, tokenOf(relay.url, 'trader'));
    c.send({
      type: 'newOrder', requestId: 7, clientOrderId: 'cx-1', symbol: 'BTC-USDT', venue: 'ccxt:binance', side: Side.Buy, orderType: OrderType.Limit,
      timeInForce: TimeInForce.IOC, price: ask, qty: 200, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
    });
    const done = (await c.next((m) => m.type === 'executionReport' && m.clientOrderId === 'cx-1' && [OrderStatus.Filled, OrderStatus.Rejected, OrderStatus.Denied].includes(m.status), 10_000)) as ExecutionReportMsg;
    expect([done.status, done.reasonCode]).toEqual([OrderStatus.Filled, '']);
    expect(done.filledQty).toBe(200);
    const atVenue = [...fake.orders.values()].find((o) => o.info.clientOrderId.endsWith(`-${done.orderId}`));
    expect(atVenue?.info.status).toBe('FILLED');
    expect(logs.join('\n')).not.toContain(SECRET);
    c.ws.close();
  });
});
