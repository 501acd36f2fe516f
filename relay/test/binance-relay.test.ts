import { Algo, BookStream, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type ServerMsg } from '@tickmesh/shared';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthService } from '../src/server/auth/index';
import { defaultRelayOptions } from '../src/server/options';
import { Relay } from '../src/server/relay-server';
import { BinanceFakeServer } from '../src/venues/binance/index';
import { openBinanceVenue } from '../src/venues/binance/binance-venue';
import { VenueCredentials } from '../src/venues/live/venue-credentials';
import { metricSample as sample, ProtoClient, startRelay, tokenOf, until } from './harness';

/**
 * The Binance adapter as the relay runs it, against the fake Binance: the books clients get
 * equal the fake's true book at quiet points, a lost stream shows STALE to clients (never a
 * stale book as live) and recovers, and an order goes OMS -> risk -> Binance and fills.
 */
let fake: BinanceFakeServer;
let relay: Relay;

beforeAll(async () => {
  fake = await BinanceFakeServer.start({
    symbols: [{ symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01', stepSize: '0.00001', midTicks: 6_500_000 }],
    apiKey: 'k',
    apiSecret: 's',
  });
  const venue = await openBinanceVenue({
    symbols: ['BTC-USDT'],
    restUrl: fake.restUrl,
    wsUrl: fake.wsUrl,
    wsApiUrl: `${fake.wsUrl}/ws-api/v3`,
    credentials: new VenueCredentials('k', 's'),
    silenceMs: 500,
    backoff: { baseMs: 20, maxMs: 200 },
  });
  relay = await startRelay([venue], { flushMs: 5 });
});

afterAll(async () => {
  await relay?.stop();
  await fake?.stop();
});

function clientBook(msgs: readonly ServerMsg[], streamId: number): BookStream {
  const s = new BookStream(streamId);
  for (const m of msgs) {
    if ((m.type === 'bookSnapshot' || m.type === 'bookBatch') && m.streamId === streamId) {
      if (m.type === 'bookSnapshot') s.applySnapshot(m);
      else s.applyBatch(m);
    }
  }
  return s;
}

const levels = (m: Map<number, number>, desc: boolean) => {
  const e = [...m].sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]));
  return { price: e.map((x) => x[0]), size: e.map((x) => x[1]) };
};

describe('Binance through the relay (fake venue)', () => {
  it('serves the true book, shows a lost stream as STALE, and recovers to the true book', async () => {
    const c = await ProtoClient.connect(relay.url, {}, tokenOf(relay.url, 'viewer'));
    c.send({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['BTC-USDT'] });
    const welcome = await c.next((m) => m.type === 'welcome');
    if (welcome.type !== 'welcome') throw new Error('no welcome');
    const inst = welcome.instruments.find((i) => i.venue === 'binance' && i.symbol === 'BTC-USDT')!;
    expect(inst).toMatchObject({ tickSize: '0.01', lotSize: '0.00001' });
    const equalsTrue = () => {
      const b = clientBook(c.received, inst.streamId);
      const t = fake.trueBook('BTCUSDT');
      return b.status === 'live' && JSON.stringify([b.book.levels(Side.Buy), b.book.levels(Side.Sell)]) === JSON.stringify([levels(t.bids, true), levels(t.asks, false)]);
    };
    for (let round = 0; round < 3; round++) {
      fake.pump(40);
      await until(equalsTrue, 10_000, `client book equal to the true book (round ${round})`);
    }
    fake.stall();
    await until(() => clientBook(c.received, inst.streamId).status === 'stale', 10_000, 'STALE shown to the client on a silent feed');
    fake.pump(5); // while stalled: never sent
    fake.resume();
    // The market moves on until the new stream has synced, then goes quiet: the book must equal the truth.
    await until(() => (clientBook(c.received, inst.streamId).status === 'live' ? true : (fake.pump(1), false)), 10_000, 'live again after the stall');
    await until(equalsTrue, 10_000, 'equal to the true book again after the stall');
    c.ws.close();
  });

  it('an order goes through the OMS and risk to the fake Binance and fills', async () => {
    const t = fake.trueBook('BTCUSDT');
    const ask = Math.min(...t.asks.keys());
    t.asks.set(ask, 200);
    const c = await ProtoClient.connect(relay.url, {}, tokenOf(relay.url, 'trader'));
    c.send({
      type: 'newOrder', requestId: 7, clientOrderId: 'bn-1', symbol: 'BTC-USDT', venue: 'binance', side: Side.Buy, orderType: OrderType.Limit,
      timeInForce: TimeInForce.IOC, price: ask, qty: 200, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
    });
    const done = (await c.next((m) => m.type === 'executionReport' && m.clientOrderId === 'bn-1' && [OrderStatus.Filled, OrderStatus.Rejected, OrderStatus.Denied].includes(m.status), 10_000)) as ExecutionReportMsg;
    expect([done.status, done.reasonCode]).toEqual([OrderStatus.Filled, '']);
    expect(done.filledQty).toBe(200);
    expect(done.cumNotional).toBe(ask * 200);
    const fake_ = [...fake.orders.values()].find((o) => o.info.clientOrderId === `tm-${done.orderId}`);
    expect(fake_?.info.status).toBe('FILLED');
    c.ws.close();
  });
});

describe("Binance's health on the relay's /metrics (fake venue)", () => {
  it('shows both sockets up, counts connects, a reconnect, a 429 and reconciliations', async () => {
    const scrape = async () => (await fetch(`${relay.url}/metrics`)).text();
    const of = (text: string, name: string) => sample(text, name, { venue: 'binance' });
    let text = await scrape();
    expect(of(text, 'tickmesh_venue_connected')).toBe(1);
    expect(of(text, 'tickmesh_venue_orders_connected')).toBe(1);
    expect(of(text, 'tickmesh_venue_reconciliations_total')).toBeGreaterThanOrEqual(1);
    const connects = of(text, 'tickmesh_venue_connects_total')!;
    const limited = of(text, 'tickmesh_venue_rate_limited_total')!;
    expect(connects).toBeGreaterThanOrEqual(2); // the market stream and the order session
    // The market stream drops; the resync's depth snapshot is answered 429.
    fake.answerRest(429, 0, 1);
    fake.dropSockets();
    // At least: a slow machine's watchdog may add a reconnect of its own.
    const seen = () => of(text, 'tickmesh_venue_connects_total')! >= connects + 1 && of(text, 'tickmesh_venue_connected') === 1 && of(text, 'tickmesh_venue_rate_limited_total')! >= limited + 1;
    for (const start = Date.now(); !seen(); text = await scrape()) {
      if (Date.now() - start > 10_000) throw new Error(`timed out waiting for a reconnect and the 429 on /metrics:\n${text.split('\n').filter((l) => l.includes('venue="binance"') && !l.includes('symbol')).join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(of(text, 'tickmesh_venue_orders_connected')).toBe(1);
  });
});

describe('Binance orders across a relay restart (fake venue)', () => {
  it('an order open at the restart is resumed, a fill made while the relay was down is booked once, and the order can still be canceled', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-binance-restart-'));
    const config = {
      symbols: ['BTC-USDT'], restUrl: fake.restUrl, wsUrl: fake.wsUrl, wsApiUrl: `${fake.wsUrl}/ws-api/v3`,
      credentials: new VenueCredentials('k', 's'), silenceMs: 500, backoff: { baseMs: 20, maxMs: 200 }, startTimeoutMs: 200,
      // This data directory's prefix: the relay of the tests above trades on the same fake account.
      clientIdPrefix: 'tmr1-',
    };
    const first = await startRelay([await openBinanceVenue(config)], { dataDir, flushMs: 5 });
    const c = await ProtoClient.connect(first.url, {}, tokenOf(first.url, 'trader'));
    const bid = Math.max(...fake.trueBook('BTCUSDT').bids.keys());
    c.send({
      type: 'newOrder', requestId: 1, clientOrderId: 'rest-1', symbol: 'BTC-USDT', venue: 'binance', side: Side.Buy, orderType: OrderType.Limit,
      timeInForce: TimeInForce.GTC, price: bid - 500, qty: 300, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
    });
    const accepted = (await c.next((m) => m.type === 'executionReport' && m.clientOrderId === 'rest-1' && m.status === OrderStatus.Accepted, 10_000)) as ExecutionReportMsg;
    c.ws.close();
    await first.stop();

    // While the relay is down the venue fills part of the order.
    fake.fillResting(`tmr1-${accepted.orderId}`, '0.00100');

    const { auth } = await AuthService.open(dataDir);
    const second = new Relay({ ...defaultRelayOptions, port: 0, logLevel: 'silent', compression: false, dataDir, flushMs: 5 }, { venues: [await openBinanceVenue(config)], auth, defaultMetrics: false });
    await second.start();
    try {
      const oms = second.trading.oms;
      await until(() => oms.order(accepted.orderId)?.filledQty === 100, 15_000, 'the fill made while down, booked after the restart');
      expect(oms.order(accepted.orderId)!.status).toBe(OrderStatus.PartiallyFilled);
      // Another session drop reconciles again: still one fill.
      const session = (second.trading as unknown as { oms: { venues: Map<string, { orders: { reconciliations: number; reconciling: boolean } }> } }).oms.venues.get('binance')!.orders;
      // The restart's reconciliation may still be finishing (the fill is booked before it
      // counts): a count taken then would be passed by that pass, not by one after the drop.
      await until(() => !session.reconciling, 15_000, 'the restart reconciliation done');
      const before = session.reconciliations;
      fake.dropSessions();
      await until(() => session.reconciliations > before, 15_000, 'a second reconciliation');
      expect(oms.order(accepted.orderId)!.filledQty).toBe(100);
      expect(oms.fills(accepted.account).filter((f) => f.orderId === accepted.orderId)).toHaveLength(1);
      const canceled = await oms.cancel(accepted.account, 'rest-1');
      expect(canceled.ok).toBe(true);
      await until(() => oms.order(accepted.orderId)?.status === OrderStatus.Canceled, 10_000, 'canceled at the venue');
      expect(fake.orders.get(`tmr1-${accepted.orderId}`)!.info.status).toBe('CANCELED');
    } finally {
      await second.stop();
    }
  });
});
