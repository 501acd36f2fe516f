import { randomBytes } from 'node:crypto';
import { ErrorCode, OrderType, TimeInForce } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import type { VenueExecution } from '../venue-adapter';
import { VenueCredentials } from '../live/venue-credentials';
import type { LiveVenueLog } from '../live/live-venue-config';
import { describeVenueHealth, noFeed, onFake, OrdersRig, orderRequests, reportsOf, until, type OrdersSetup } from '../live/orders-test-kit';
import { KrakenSigner } from './kraken-auth';
import { FAKE_KRAKEN_MAKER_BPS, FAKE_KRAKEN_TAKER_BPS } from './kraken-fake-orders';
import { KrakenFakeServer, type FakeKrakenPair } from './kraken-fake-server';
import { openKrakenVenue, type KrakenVenue, type KrakenVenueConfig } from './kraken-venue';

const BTC: FakeKrakenPair = {
  key: 'XXBTZUSD', altname: 'XBTUSD', wsname: 'XBT/USD', v2name: 'BTC/USD', base: 'XXBT', quote: 'ZUSD',
  pairDecimals: 1, lotDecimals: 8, tickSize: '0.1', ordermin: '0.0001', midTicks: 452_850,
  fees: [[0, FAKE_KRAKEN_TAKER_BPS / 100]], feesMaker: [[0, FAKE_KRAKEN_MAKER_BPS / 100]],
};
const KEY = 'kraken-api-key-4f9c2e71';
const SECRET = randomBytes(64).toString('base64');
/** A run of the secret: no text may ever contain it. */
const SECRET_PART = SECRET.slice(8, 40);

const rig = new OrdersRig<KrakenFakeServer, KrakenVenue>();

/** The fake (verifying KEY/SECRET), the adapter on it with `key`/`secret`, started; with the right keys, waits for the first reconciliation. */
async function started(secret: string | null = SECRET, key = KEY, over: Partial<KrakenVenueConfig> = {}): Promise<OrdersSetup<KrakenFakeServer, KrakenVenue>> {
  const fake = await KrakenFakeServer.start({ pairs: [BTC], seed: 5, heartbeatMs: 50, auth: { key: KEY, secret: SECRET } });
  const open = (f: KrakenFakeServer, log: LiveVenueLog) =>
    openKrakenVenue({
      ...onFake(f, ['BTC-USD']),
      credentials: secret === null ? undefined : new VenueCredentials(key, secret),
      log,
      ...over,
    });
  return rig.start(fake, open, secret === SECRET && key === KEY);
}

const order = orderRequests({ symbol: 'BTC-USD', price: 452_000, qty: 10_000 });
const of = reportsOf;
/** Fee in USD × 1e-8 of price (ticks of 0.1) × qty (lots of 1e-8) at `bps`, rounded half up. */
const expectedFee = (ticks: number, lots: number, bps: number) => Number((BigInt(ticks) * BigInt(lots) * BigInt(bps) + 50_000n) / 100_000n);
const bestAsks = (f: KrakenFakeServer) => [...f.trueBook('BTC/USD').asks].sort((a, b) => a[0] - b[0]);
const venueTradeIds = (f: KrakenFakeServer, cid: string) => f.orders.byClientId(cid)!.trades.map((t) => t.trade_id);

describe('kraken orders through the wire (fake Kraken Spot, API-Sign, WebSocket v2 executions)', () => {
  it('without keys: every order is refused with VENUE_NO_CREDENTIALS, nothing sent', async () => {
    const { fake, venue, reports } = await started(null);
    venue.submit(order());
    venue.cancel('o-1');
    venue.replace('o-1', 452_001, 10_000);
    await until(() => reports.length === 3, 'three reports');
    expect(reports.map((r) => [r.orderId, r.kind, r.reasonCode])).toEqual([
      ['o-1', 'rejected', ErrorCode.VENUE_NO_CREDENTIALS],
      ['o-1', 'cancel-rejected', ErrorCode.VENUE_NO_CREDENTIALS],
      ['o-1', 'cancel-rejected', ErrorCode.VENUE_NO_CREDENTIALS],
    ]);
    expect(fake.orders.calls.size).toBe(0);
    expect(venue.orderEntry.executionsSocket).toBeUndefined();
  });

  it('a crossing limit is accepted and fills level by level with exact price, qty and taker fee, each trade once', async () => {
    const { fake, venue, reports } = await started();
    const asks = bestAsks(fake);
    const qty = asks[0]![1] + asks[1]![1] + 1; // two levels and one lot of the third
    const expected = [[asks[0]![0], asks[0]![1]], [asks[1]![0], asks[1]![1]], [asks[2]![0], 1]];
    let inCall = true;
    let reentrant = false;
    venue.onExecution(() => (reentrant ||= inCall));
    venue.submit(order({ price: asks[2]![0], qty }));
    inCall = false;
    await until(() => of(reports, 'o-1', 'fill').length === 3, 'three fills');
    expect(reentrant).toBe(false);
    expect(of(reports, 'o-1')[0]!.kind).toBe('accepted');
    const fills = of(reports, 'o-1', 'fill');
    expect(fills.map((f) => [f.price, f.qty])).toEqual(expected);
    expect(fills.map((f) => f.fee)).toEqual(expected.map(([p, q]) => expectedFee(p!, q!, FAKE_KRAKEN_TAKER_BPS)));
    expect(fills.every((f) => !f.liquidityMaker)).toBe(true);
    expect(fills.map((f) => f.leavesQty)).toEqual([qty - asks[0]![1], 1, 0]);
    expect(fills.map((f) => f.tradeId)).toEqual(venueTradeIds(fake, venue.orderEntry.clientId('o-1')));
    expect(fake.orders.byClientId('tm-o-1')!.status).toBe('closed');
    expect(fake.trueBook('BTC/USD').asks.get(asks[2]![0])).toBe(asks[2]![1] - 1);
    // A reconnect reconciles the filled order: nothing booked twice.
    const done = venue.orderEntry.reconciliations;
    fake.orders.closeExecutions();
    await until(() => venue.orderEntry.reconciliations > done, 'reconciliation after reconnect');
    expect(of(reports, 'o-1', 'fill')).toHaveLength(3);
    expect(of(reports, 'o-1', 'accepted')).toHaveLength(1);
  });

  it('a resting order filled by others: maker flag and maker fee exact, leaves counted down', async () => {
    const { fake, venue, reports } = await started();
    venue.submit(order({ qty: 10_000 }));
    await until(() => of(reports, 'o-1', 'accepted').length === 1, 'accepted');
    fake.orders.fillResting('tm-o-1', 4_000);
    fake.orders.fillResting('tm-o-1');
    await until(() => of(reports, 'o-1', 'fill').length === 2, 'two maker fills');
    const fills = of(reports, 'o-1', 'fill');
    expect(fills.map((f) => [f.price, f.qty, f.leavesQty, f.liquidityMaker])).toEqual([[452_000, 4_000, 6_000, true], [452_000, 6_000, 0, true]]);
    expect(fills.map((f) => f.fee)).toEqual([expectedFee(452_000, 4_000, FAKE_KRAKEN_MAKER_BPS), expectedFee(452_000, 6_000, FAKE_KRAKEN_MAKER_BPS)]);
    expect(fills.map((f) => f.tradeId)).toEqual(venueTradeIds(fake, 'tm-o-1'));
  });

  it('cancel of a resting order: canceled at the venue and reported once; cancel of an unknown one is cancel-rejected', async () => {
    const { fake, venue, reports } = await started();
    venue.submit(order());
    await until(() => of(reports, 'o-1', 'accepted').length === 1, 'accepted');
    venue.cancel('o-1');
    venue.cancel('nope');
    await until(() => of(reports, 'o-1', 'canceled').length === 1 && of(reports, 'nope').length === 1, 'cancel reports');
    expect(fake.orders.byClientId('tm-o-1')!.status).toBe('canceled');
    expect([of(reports, 'nope')[0]!.kind, of(reports, 'nope')[0]!.reasonCode]).toEqual(['cancel-rejected', ErrorCode.VENUE_UNKNOWN_ORDER]);
    // The channel's event and the read after the cancel both see it: one report.
    await until(() => venue.orderEntry.reconciliations >= 1, 'settled');
    fake.orders.closeExecutions();
    const r = venue.orderEntry.reconciliations;
    await until(() => venue.orderEntry.reconciliations > r, 'reconciled again');
    expect(of(reports, 'o-1', 'canceled')).toHaveLength(1);
  });

  it('replace amends price and quantity in place (same txid); an amend Kraken refuses is cancel-rejected with its text', async () => {
    const { fake, venue, reports } = await started();
    venue.submit(order({ postOnly: true }));
    await until(() => of(reports, 'o-1', 'accepted').length === 1, 'accepted');
    const txid = fake.orders.byClientId('tm-o-1')!.txid;
    venue.replace('o-1', 452_010, 25_000);
    await until(() => of(reports, 'o-1', 'replaced').length === 1, 'replaced');
    const [r] = of(reports, 'o-1', 'replaced');
    expect([r!.price, r!.qty, r!.leavesQty]).toEqual([452_010, 25_000, 25_000]);
    const venueOrder = fake.orders.byClientId('tm-o-1')!;
    expect([venueOrder.txid, venueOrder.price, venueOrder.lots]).toEqual([txid, 452_010, 25_000]);
    // Post-only moved through the asks: Kraken refuses the amend; the order stays as it was.
    venue.replace('o-1', bestAsks(fake)[0]![0], 25_000);
    await until(() => of(reports, 'o-1', 'cancel-rejected').length === 1, 'amend refused');
    const [cr] = of(reports, 'o-1', 'cancel-rejected');
    expect(cr!.reasonCode).toBe(ErrorCode.VENUE_REJECTED);
    expect(cr!.reason).toBe('kraken EOrder:Post only order');
    expect(of(reports, 'o-1', 'replaced')).toHaveLength(1);
    expect(fake.orders.byClientId('tm-o-1')!.price).toBe(452_010);
  });

  it('a venue rejection is `rejected` with a stable code and Kraken\'s own error as the reason', async () => {
    const { fake, venue, reports } = await started();
    fake.orders.rejectNext('EOrder:Insufficient funds');
    venue.submit(order({ orderId: 'poor' }));
    await until(() => of(reports, 'poor').length === 1, 'rejection');
    expect(of(reports, 'poor').map((r) => [r.kind, r.reasonCode, r.reason])).toEqual([['rejected', ErrorCode.VENUE_REJECTED, 'kraken EOrder:Insufficient funds']]);
    fake.orders.rejectNext('EOrder:Rate limit exceeded');
    venue.submit(order({ orderId: 'fast' }));
    await until(() => of(reports, 'fast').length === 1, 'rate limited');
    expect(of(reports, 'fast')[0]!.reasonCode).toBe(ErrorCode.VENUE_RATE_LIMITED);
  });

  it('what Kraken Spot lacks is refused on our side and never sent; long order ids go as a 32-hex cl_ord_id and map back', async () => {
    const { fake, venue, reports } = await started();
    venue.submit(order({ orderId: 'fok', timeInForce: TimeInForce.FOK }));
    venue.submit(order({ orderId: 'day', timeInForce: TimeInForce.Day }));
    venue.submit(order({ orderId: 'po-ioc', timeInForce: TimeInForce.IOC, postOnly: true }));
    venue.submit(order({ orderId: 'mkt-po', type: OrderType.Market, timeInForce: TimeInForce.IOC, postOnly: true }));
    await until(() => reports.length === 4, 'four refusals');
    expect(reports.map((r) => [r.orderId, r.kind, r.reasonCode])).toEqual([
      ['fok', 'rejected', ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE],
      ['day', 'rejected', ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE],
      ['po-ioc', 'rejected', ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE],
      ['mkt-po', 'rejected', ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE],
    ]);
    expect(fake.orders.received).toBe(0);
    const longId = 'o-123456789012345';
    const cid = venue.orderEntry.clientId(longId);
    expect(cid).toMatch(/^[0-9a-f]{32}$/);
    expect(venue.orderEntry.orderIdOf(cid)).toBe(longId);
    venue.submit(order({ orderId: longId }));
    await until(() => of(reports, longId, 'accepted').length === 1, 'long id accepted');
    expect(fake.orders.byClientId(cid)).toBeDefined();
  });

  it('the fake checks API-Sign and the nonce: a replayed nonce is EAPI:Invalid nonce, a changed body EAPI:Invalid signature', async () => {
    const { fake } = await started(null);
    const signer = KrakenSigner.from(new VenueCredentials(KEY, SECRET))!;
    const post = async (body: string, headers: Record<string, string>) => (await (await fetch(`${fake.restUrl}/0/private/OpenOrders`, { method: 'POST', headers, body })).json()) as { error: string[] };
    const req = signer.request('/0/private/OpenOrders', {});
    expect((await post(req.body, req.headers)).error).toEqual([]);
    expect((await post(req.body, req.headers)).error).toEqual(['EAPI:Invalid nonce']);
    const next = signer.request('/0/private/OpenOrders', {});
    expect((await post(next.body.replace('}', ',"trades":true}'), next.headers)).error).toEqual(['EAPI:Invalid signature']);
    expect((await post(next.body, { ...next.headers, 'API-Key': 'someone-else' })).error).toEqual(['EAPI:Invalid key']);
    expect((await post(next.body, next.headers)).error).toEqual([]);
    expect([fake.orders.badNonces, fake.orders.unauthorized]).toEqual([1, 2]);
    const printed = [String(signer), JSON.stringify({ signer }), `${signer}`].join(' ');
    expect(printed).not.toContain(KEY);
    expect(printed).not.toContain(SECRET_PART);
  });

  it('keys the venue does not accept: rejected with Kraken\'s EAPI text, no subscription, and neither key nor secret in any text', async () => {
    const other = randomBytes(64).toString('base64');
    const { fake, venue, reports, logs } = await started(other);
    venue.submit(order());
    await until(() => of(reports, 'o-1').length === 1, 'rejection');
    expect([of(reports, 'o-1')[0]!.kind, of(reports, 'o-1')[0]!.reasonCode, of(reports, 'o-1')[0]!.reason]).toEqual(['rejected', ErrorCode.VENUE_REJECTED, 'kraken EAPI:Invalid signature']);
    await until(() => logs.some((l) => l.includes('EAPI:Invalid signature') && l.includes('token')), 'token refusal logged');
    expect(fake.orders.subscribedWith).toHaveLength(0);
    const text = JSON.stringify(reports) + logs.join('\n');
    expect(text).not.toContain(other.slice(8, 40));
    expect(text).not.toContain(KEY);
  });

  it('a secret that is not base64: VENUE_NO_CREDENTIALS, never sent, the secret in no text', async () => {
    const { fake, venue, reports, logs } = await started('not base64 s3cr3t!');
    venue.submit(order());
    await until(() => reports.length === 1, 'refusal');
    expect([reports[0]!.kind, reports[0]!.reasonCode]).toEqual(['rejected', ErrorCode.VENUE_NO_CREDENTIALS]);
    expect(fake.orders.calls.size).toBe(0);
    expect(JSON.stringify(reports) + logs.join('\n')).not.toContain('s3cr3t');
  });

  it('an AddOrder whose answer is lost is settled by reconciliation at once (no reconnect), exactly once', async () => {
    const { fake, venue, reports } = await started();
    const socket = venue.orderEntry.executionsSocket!;
    const connects = socket.connects;
    const before = venue.orderEntry.reconciliations;
    const asks = bestAsks(fake);
    // The channel says nothing and the answer never comes: only reconciliation can know.
    fake.orders.muteExecutions(true);
    fake.orders.dropNextAnswer('AddOrder');
    venue.submit(order({ price: asks[1]![0], qty: asks[0]![1] + 1 }));
    await until(() => of(reports, 'o-1', 'fill').length === 2, 'fills found by reconciliation');
    expect(venue.orderEntry.reconciliations).toBeGreaterThan(before);
    expect(socket.connects).toBe(connects);
    expect(of(reports, 'o-1').map((r) => r.kind)).toEqual(['accepted', 'fill', 'fill']);
    expect(of(reports, 'o-1', 'fill').map((f) => [f.price, f.qty, f.fee])).toEqual([
      [asks[0]![0], asks[0]![1], expectedFee(asks[0]![0], asks[0]![1], FAKE_KRAKEN_TAKER_BPS)],
      [asks[1]![0], 1, expectedFee(asks[1]![0], 1, FAKE_KRAKEN_TAKER_BPS)],
    ]);
    expect(of(reports, 'o-1', 'fill').map((f) => f.tradeId)).toEqual(venueTradeIds(fake, 'tm-o-1'));
    // The channel back and another reconciliation: nothing twice.
    fake.orders.muteExecutions(false);
    const again = venue.orderEntry.reconciliations;
    fake.orders.closeExecutions();
    await until(() => venue.orderEntry.reconciliations > again, 'reconciliation after reconnect');
    expect(of(reports, 'o-1').map((r) => r.kind)).toEqual(['accepted', 'fill', 'fill']);
  });

  it('the executions socket cut in the middle of a sweep: after the reconnect (new token) reconciliation books the missing fills, none twice', async () => {
    const { fake, venue, reports } = await started();
    const tokens = venue.orderEntry.tokensFetched;
    const asks = bestAsks(fake);
    const qty = asks[0]![1] + asks[1]![1] + asks[2]![1];
    fake.orders.closeExecutionsAfter(2); // `new` and the first trade get through
    venue.submit(order({ price: asks[2]![0], qty }));
    await until(() => of(reports, 'o-1', 'fill').length === 3, 'all three fills');
    expect(of(reports, 'o-1', 'fill').map((f) => [f.price, f.qty])).toEqual(asks.slice(0, 3).map(([p, q]) => [p, q]));
    expect(of(reports, 'o-1', 'fill').map((f) => f.tradeId)).toEqual(venueTradeIds(fake, 'tm-o-1'));
    expect(venue.orderEntry.tokensFetched).toBeGreaterThan(tokens);
    const used = fake.orders.subscribedWith;
    expect(used.length).toBeGreaterThanOrEqual(2);
    expect(new Set(used).size).toBe(used.length); // a fresh token for every connection
    const again = venue.orderEntry.reconciliations;
    fake.orders.closeExecutions();
    await until(() => venue.orderEntry.reconciliations > again, 'another reconciliation');
    expect(of(reports, 'o-1', 'fill')).toHaveLength(3);
  });

  it('a fill while the executions channel is down is booked once after the reconnect; the next one arrives live', async () => {
    const { fake, venue, reports } = await started();
    venue.submit(order({ qty: 10_000 }));
    await until(() => of(reports, 'o-1', 'accepted').length === 1, 'accepted');
    const missed = fake.orders.fillWhileDisconnected('tm-o-1', 4_000);
    await until(() => of(reports, 'o-1', 'fill').length === 1, 'the missed fill');
    const [f] = of(reports, 'o-1', 'fill');
    expect([f!.price, f!.qty, f!.leavesQty, f!.liquidityMaker, f!.tradeId, f!.fee]).toEqual([452_000, 4_000, 6_000, true, missed.trade_id, expectedFee(452_000, 4_000, FAKE_KRAKEN_MAKER_BPS)]);
    // Booked by the reconciliation that followed the new subscription: the channel is back.
    expect(venue.orderEntry.executionsSocket!.isOpen).toBe(true);
    fake.orders.fillResting('tm-o-1');
    await until(() => of(reports, 'o-1', 'fill').length === 2, 'second fill');
    expect(of(reports, 'o-1', 'fill').map((r) => [r.qty, r.leavesQty])).toEqual([[4_000, 6_000], [6_000, 0]]);
  });

  it('at a reconnect: an order the venue does not know is closed with VENUE_ORDER_NOT_FOUND, an open order Tickmesh never sent raises VENUE_UNKNOWN_ORDER', async () => {
    const { fake, venue, reports, logs } = await started();
    venue.submit(order());
    await until(() => of(reports, 'o-1', 'accepted').length === 1, 'accepted');
    fake.orders.forget('tm-o-1');
    fake.orders.addForeign('someone-else-7', 'BTC/USD', 440_000, 5_000);
    fake.orders.closeExecutions();
    await until(() => of(reports, 'o-1', 'canceled').length === 1 && venue.orderEntry.unknownOrders.includes('someone-else-7'), 'closed and alerted');
    expect(of(reports, 'o-1', 'canceled')[0]!.reasonCode).toBe(ErrorCode.VENUE_ORDER_NOT_FOUND);
    expect(logs.some((l) => l.startsWith('error') && l.includes(ErrorCode.VENUE_UNKNOWN_ORDER) && l.includes('someone-else-7'))).toBe(true);
  });

  it('IOC, market and post-only: an IOC fills what crosses and the rest is canceled; a market buy takes the best ask; a crossing post-only is canceled by Kraken', async () => {
    const { fake, venue, reports } = await started();
    const best = bestAsks(fake)[0]!;
    venue.submit(order({ orderId: 'ioc', timeInForce: TimeInForce.IOC, price: best[0], qty: best[1] + 5 }));
    await until(() => of(reports, 'ioc', 'canceled').length === 1, 'IOC rest canceled');
    expect(of(reports, 'ioc', 'fill').map((f) => [f.price, f.qty, f.leavesQty])).toEqual([[best[0], best[1], 5]]);
    const next = bestAsks(fake)[0]!;
    venue.submit(order({ orderId: 'mkt', type: OrderType.Market, timeInForce: TimeInForce.IOC, price: 0, qty: 1_000 }));
    await until(() => of(reports, 'mkt', 'fill').length === 1, 'market fill');
    expect(of(reports, 'mkt', 'fill').map((f) => [f.price, f.qty, f.leavesQty])).toEqual([[next[0], 1_000, 0]]);
    venue.submit(order({ orderId: 'po', postOnly: true, price: next[0] + 10 }));
    await until(() => of(reports, 'po', 'canceled').length === 1, 'post-only canceled');
    expect(of(reports, 'po', 'canceled')[0]!.reason).toBe('kraken Post only order');
    expect(of(reports, 'po', 'fill')).toHaveLength(0);
  });

  it('after a restart, resume() books the fill made while the relay was down once, and not the one booked before', async () => {
    const first = await started();
    first.venue.submit(order({ qty: 10_000 }));
    await until(() => of(first.reports, 'o-1', 'accepted').length === 1, 'accepted');
    const f1 = first.fake.orders.fillResting('tm-o-1', 3_000);
    await until(() => of(first.reports, 'o-1', 'fill').length === 1, 'first fill');
    await first.venue.stop();
    const f2 = first.fake.orders.fillResting('tm-o-1', 2_000); // nobody connected
    // A new process on the same venue account and journal.
    const { venue: v, reports } = await rig.restart(
      (f) => openKrakenVenue({ ...onFake(f, ['BTC-USD']), credentials: new VenueCredentials(KEY, SECRET) }),
      [{ ...order({ qty: 10_000 }), filledQty: 3_000, tradeIds: [f1.trade_id], accepted: true }],
    );
    await until(() => v.orderEntry.reconciliations >= 1 && of(reports, 'o-1', 'fill').length === 1, 'the missed fill');
    expect(of(reports, 'o-1', 'fill').map((f) => [f.tradeId, f.qty, f.leavesQty])).toEqual([[f2.trade_id, 2_000, 5_000]]);
    expect(of(reports, 'o-1', 'accepted')).toHaveLength(0);
  });

  it('a cancel right after a restart is held until the order is reconciled, then sent: the fill made while down first, then canceled at the venue, reported once', async () => {
    const first = await started();
    first.venue.submit(order({ qty: 10_000 }));
    await until(() => of(first.reports, 'o-1', 'accepted').length === 1, 'accepted');
    await first.venue.stop();
    const missed = first.fake.orders.fillResting('tm-o-1', 2_000); // nobody connected
    const v = (rig.venue = await openKrakenVenue({ ...onFake(first.fake, ['BTC-USD']), credentials: new VenueCredentials(KEY, SECRET) }));
    const reports: VenueExecution[] = [];
    v.onExecution((r) => reports.push(r));
    v.resume([{ ...order({ qty: 10_000 }), filledQty: 0, tradeIds: [], accepted: true }]);
    v.cancel('o-1');
    await v.start(() => noFeed);
    await until(() => of(reports, 'o-1').some((r) => r.kind === 'canceled' || r.kind === 'cancel-rejected'), 'an answer to the cancel');
    expect(of(reports, 'o-1').map((r) => [r.kind, r.tradeId, r.reasonCode])).toEqual([['fill', missed.trade_id, ''], ['canceled', 0, '']]);
    expect(first.fake.orders.byClientId('tm-o-1')!.status).toBe('canceled');
    const n = v.orderEntry.reconciliations;
    first.fake.orders.closeExecutions();
    await until(() => v.orderEntry.reconciliations > n, 'another reconciliation');
    expect(of(reports, 'o-1', 'canceled')).toHaveLength(1);
  });

  it('an amend right after a restart is held until the order is reconciled, then sent', async () => {
    const first = await started();
    first.venue.submit(order({ qty: 10_000 }));
    await until(() => of(first.reports, 'o-1', 'accepted').length === 1, 'accepted');
    await first.venue.stop();
    const v = (rig.venue = await openKrakenVenue({ ...onFake(first.fake, ['BTC-USD']), credentials: new VenueCredentials(KEY, SECRET) }));
    const reports: VenueExecution[] = [];
    v.onExecution((r) => reports.push(r));
    v.resume([{ ...order({ qty: 10_000 }), filledQty: 0, tradeIds: [], accepted: true }]);
    v.replace('o-1', 451_990, 20_000);
    await v.start(() => noFeed);
    await until(() => of(reports, 'o-1').some((r) => r.kind === 'replaced' || r.kind === 'cancel-rejected'), 'an answer to the amend');
    expect(of(reports, 'o-1').map((r) => [r.kind, r.price, r.qty])).toEqual([['replaced', 451_990, 20_000]]);
    expect([first.fake.orders.byClientId('tm-o-1')!.price, first.fake.orders.byClientId('tm-o-1')!.lots]).toEqual([451_990, 20_000]);
  });
});

describeVenueHealth('kraken', {
  started: (secret) => started(secret),
  orderSocket: 'executions socket',
  dropMarketSockets: (f) => f.dropSockets(),
  dropOrderSocket: (f) => f.orders.closeExecutions(),
  rateLimitNextRest: (f) => f.restFault(429, 0, 1),
  order,
});

describe('kraken adapter health: the in-body rate limit', () => {
  it("Kraken's EGeneral:Too many requests in a 200 answer is counted like a 429", async () => {
    const { fake, venue, reports } = await started();
    expect(venue.health().rateLimited).toBe(0);
    fake.restBodyRateLimit(1);
    venue.submit(order({ orderId: 'body' }));
    await until(() => of(reports, 'body').length === 1, 'the order answered');
    expect(of(reports, 'body')[0]!.reasonCode).toBe(ErrorCode.VENUE_RATE_LIMITED);
    expect(venue.health().rateLimited).toBe(1);
  });
});

