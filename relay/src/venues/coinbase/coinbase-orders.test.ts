import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { ErrorCode, OrderType, TimeInForce } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import type { VenueExecution } from '../venue-adapter';
import { VenueCredentials } from '../live/venue-credentials';
import type { LiveVenueLog } from '../live/live-venue-config';
import { describeVenueHealth, noFeed, onFake, OrdersRig, orderRequests, reportsOf, until, type OrdersSetup } from '../live/orders-test-kit';
import { cdpEd25519Secret, FAKE_TAKER_BPS } from './coinbase-fake-orders';
import { CoinbaseFakeServer, type FakeCoinbaseProduct } from './coinbase-fake-server';
import { openCoinbaseVenue, type CoinbaseVenue, type CoinbaseVenueConfig } from './coinbase-venue';

const PRODUCTS: FakeCoinbaseProduct[] = [
  { productId: 'BTC-USD', base: 'BTC', quote: 'USD', quoteIncrement: '0.01', baseIncrement: '0.00000001', baseMinSize: '0.00000001', baseMaxSize: '3400', midTicks: 5_000_000 },
];
const KEY_NAME = 'organizations/org-1/apiKeys/key-1';
const pair = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const KEYS = pair();
const SECRET = KEYS.privateKey.export({ type: 'sec1', format: 'pem' }).toString();
/** A line of the secret's base64 body: no text may ever contain it. */
const SECRET_PART = SECRET.split('\n')[1]!;
/** A CDP Ed25519 key (the default kind since 2025): its secret is base64, not PEM. */
const ED_KEYS = generateKeyPairSync('ed25519');
const ED_SECRET = cdpEd25519Secret(ED_KEYS.privateKey);

const rig = new OrdersRig<CoinbaseFakeServer, CoinbaseVenue>();

/** The fake (verifying with `publicKey`), the adapter on it with `secret`, started; with the matching secret, waits for the first reconciliation. */
async function started(secret: string | null = SECRET, over: Partial<CoinbaseVenueConfig> = {}, publicKey: KeyObject = KEYS.publicKey): Promise<OrdersSetup<CoinbaseFakeServer, CoinbaseVenue>> {
  const fake = await CoinbaseFakeServer.start({ products: PRODUCTS, seed: 3, heartbeatMs: 50, auth: { keyName: KEY_NAME, publicKey } });
  const open = (f: CoinbaseFakeServer, log: LiveVenueLog) =>
    openCoinbaseVenue({
      ...onFake(f, ['BTC-USD']),
      credentials: secret === null ? undefined : new VenueCredentials(KEY_NAME, secret),
      log,
      ...over,
    });
  const matching = (secret === SECRET && publicKey === KEYS.publicKey) || (secret === ED_SECRET && publicKey === ED_KEYS.publicKey);
  return rig.start(fake, open, matching);
}

const order = orderRequests({ symbol: 'BTC-USD', price: 4_999_950, qty: 10 });
const of = reportsOf;

/** Fee in quote × 1e-8 of price (ticks of 0.01) × qty (lots of 1e-8) at `bps`, rounded half up. */
const expectedFee = (ticks: number, lots: number, bps: number) => Number((BigInt(ticks) * BigInt(lots) * BigInt(bps) + 500_000n) / 1_000_000n);

describe('coinbase orders through the wire (fake Advanced Trade, ES256 and EdDSA JWTs)', () => {
  it('without keys: refused with VENUE_NO_CREDENTIALS, nothing sent', async () => {
    const { fake, venue, reports } = await started(null);
    venue.submit(order());
    venue.cancel('o-1');
    await until(() => reports.length === 2, 'two reports');
    expect(reports.map((r) => [r.orderId, r.kind, r.reasonCode])).toEqual([
      ['o-1', 'rejected', ErrorCode.VENUE_NO_CREDENTIALS],
      ['o-1', 'cancel-rejected', ErrorCode.VENUE_NO_CREDENTIALS],
    ]);
    expect(fake.orders.received).toBe(0);
  });

  it('a crossing limit is accepted and fills level by level with exact price, qty and taker fee, each trade once', async () => {
    const { fake, venue, reports } = await started();
    const asks = [...fake.trueBook('BTC-USD').asks].sort((a, b) => a[0] - b[0]);
    const limit = asks[2]![0];
    const qty = asks[0]![1] + asks[1]![1] + 1; // two levels and one lot of the third
    const expected = [
      [asks[0]![0], asks[0]![1]],
      [asks[1]![0], asks[1]![1]],
      [asks[2]![0], 1],
    ];
    venue.submit(order({ price: limit, qty }));
    await until(() => of(reports, 'o-1', 'fill').length === 3, 'three fills');
    expect(of(reports, 'o-1')[0]!.kind).toBe('accepted');
    const fills = of(reports, 'o-1', 'fill');
    expect(fills.map((f) => [f.price, f.qty])).toEqual(expected);
    expect(fills.map((f) => f.fee)).toEqual(expected.map(([p, q]) => expectedFee(p!, q!, FAKE_TAKER_BPS)));
    expect(fills.every((f) => !f.liquidityMaker)).toBe(true);
    expect(fills.at(-1)!.leavesQty).toBe(0);
    const venueOrder = fake.orders.byClientId('tm-o-1')!;
    expect(fills.map((f) => f.tradeId)).toEqual(venueOrder.fills.map((f) => Number(f.trade_id)));
    expect(venueOrder.status).toBe('FILLED');
    expect(fake.trueBook('BTC-USD').asks.get(asks[2]![0])).toBe(asks[2]![1] - 1);
    // A reconnect reconciles the filled order: nothing booked twice.
    const done = venue.orderEntry.reconciliations;
    fake.dropUserSockets();
    await until(() => venue.orderEntry.reconciliations > done, 'reconciliation after reconnect');
    expect(of(reports, 'o-1', 'fill')).toHaveLength(3);
  });

  it('a venue rejection is `rejected` with VENUE_REJECTED and the venue code in the reason', async () => {
    const { fake, venue, reports } = await started();
    fake.orders.rejectNext('INSUFFICIENT_FUND', 'Insufficient balance in source account');
    venue.submit(order());
    await until(() => of(reports, 'o-1').length === 1, 'rejection');
    const [r] = of(reports, 'o-1');
    expect([r!.kind, r!.reasonCode]).toEqual(['rejected', ErrorCode.VENUE_REJECTED]);
    expect(r!.reason).toContain('INSUFFICIENT_FUND');
  });

  it('what Coinbase lacks is refused on our side and never sent', async () => {
    const { fake, venue, reports } = await started();
    venue.submit(order({ orderId: 'day', timeInForce: TimeInForce.Day }));
    venue.submit(order({ orderId: 'po-ioc', timeInForce: TimeInForce.IOC, postOnly: true }));
    venue.submit(order({ orderId: 'po-fok', timeInForce: TimeInForce.FOK, postOnly: true }));
    venue.submit(order({ orderId: 'mkt-po', type: OrderType.Market, timeInForce: TimeInForce.IOC, postOnly: true }));
    venue.replace('day', 1, 1);
    await until(() => reports.length === 5, 'five refusals');
    expect(reports.map((r) => [r.orderId, r.kind, r.reasonCode])).toEqual([
      ['day', 'rejected', ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE],
      ['po-ioc', 'rejected', ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE],
      ['po-fok', 'rejected', ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE],
      ['mkt-po', 'rejected', ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE],
      ['day', 'cancel-rejected', ErrorCode.VENUE_UNSUPPORTED_REPLACE],
    ]);
    expect(fake.orders.received).toBe(0);
  });

  it('a key the venue does not accept: rejected (401 kept in the reason), and the secret is in no text', async () => {
    const other = pair().privateKey.export({ type: 'sec1', format: 'pem' }).toString();
    const { fake, venue, reports, logs } = await started(other);
    venue.submit(order());
    await until(() => of(reports, 'o-1').length === 1, 'rejection');
    const [r] = of(reports, 'o-1');
    expect([r!.kind, r!.reasonCode]).toEqual(['rejected', ErrorCode.VENUE_REJECTED]);
    expect(r!.reason).toContain('401');
    expect(fake.orders.unauthorized).toBeGreaterThan(0);
    expect(fake.userSubscriptions).toBe(0);
    const text = JSON.stringify(reports) + logs.join('\n');
    expect(text).not.toContain(other.split('\n')[1]!);
    expect(text).not.toContain('PRIVATE KEY');
  });

  it('a secret that is no EC key: VENUE_NO_CREDENTIALS, never sent, the secret in no text', async () => {
    const { fake, venue, reports, logs } = await started('not-a-key-s3cr3t-value');
    venue.submit(order());
    await until(() => reports.length === 1, 'refusal');
    expect([reports[0]!.kind, reports[0]!.reasonCode]).toEqual(['rejected', ErrorCode.VENUE_NO_CREDENTIALS]);
    expect(fake.orders.received).toBe(0);
    expect(JSON.stringify(reports) + logs.join('\n')).not.toContain('s3cr3t');
  });

  it('an Ed25519 key: EdDSA JWTs on every request and the user channel; an order fills, a resting one cancels; the secret in no text', async () => {
    const { fake, venue, reports, logs } = await started(ED_SECRET, {}, ED_KEYS.publicKey);
    expect(venue.orderEntry.signer!.algorithm).toBe('EdDSA');
    expect(fake.userSubscriptions).toBeGreaterThan(0);
    const best = [...fake.trueBook('BTC-USD').asks].sort((a, b) => a[0] - b[0])[0]!;
    venue.submit(order({ orderId: 'take', price: best[0], qty: 1 }));
    venue.submit(order({ orderId: 'rest' }));
    await until(() => of(reports, 'take', 'fill').length === 1 && of(reports, 'rest', 'accepted').length === 1, 'a fill and a resting order');
    expect(of(reports, 'take', 'fill').map((f) => [f.price, f.qty, f.leavesQty])).toEqual([[best[0], 1, 0]]);
    venue.cancel('rest');
    await until(() => of(reports, 'rest', 'canceled').length === 1, 'canceled');
    expect(fake.orders.byClientId('tm-rest')!.status).toBe('CANCELLED');
    expect([fake.orders.unauthorized, [...fake.orders.algorithmsSeen]]).toEqual([0, ['EdDSA']]);
    const text = JSON.stringify(reports) + logs.join('\n') + String(venue.orderEntry.signer) + JSON.stringify({ signer: venue.orderEntry.signer });
    expect(text).not.toContain(ED_SECRET.slice(8, 40));
  });

  it.each([
    ['of 48 bytes', randomBytes(48).toString('base64')],
    ["whose public half is not its seed's", Buffer.concat([Buffer.from(ED_SECRET, 'base64').subarray(0, 32), generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)]).toString('base64')],
  ])('an Ed25519 secret %s is refused at start with VENUE_NO_CREDENTIALS: no user channel, nothing sent, the secret in no text', async (_what, secret) => {
    const { fake, venue, reports, logs } = await started(secret, {}, ED_KEYS.publicKey);
    expect(logs.some((l) => l.startsWith('error') && l.includes(ErrorCode.VENUE_NO_CREDENTIALS))).toBe(true);
    expect(venue.orderEntry.userSocket).toBeUndefined();
    venue.submit(order());
    await until(() => reports.length === 1, 'refusal');
    expect([reports[0]!.kind, reports[0]!.reasonCode]).toEqual(['rejected', ErrorCode.VENUE_NO_CREDENTIALS]);
    expect([fake.orders.received, fake.orders.unauthorized]).toEqual([0, 0]);
    expect(JSON.stringify(reports) + logs.join('\n')).not.toContain(secret.slice(8, 40));
  });

  it('a fill while the user channel is down is booked once after the reconnect, not again after another', async () => {
    const { fake, venue, reports } = await started();
    venue.submit(order({ qty: 10 }));
    await until(() => of(reports, 'o-1', 'accepted').length === 1, 'accepted');
    const before = venue.orderEntry.reconciliations;
    fake.fillWhileDisconnected('tm-o-1', 4);
    await until(() => of(reports, 'o-1', 'fill').length === 1, 'the missed fill');
    await until(() => venue.orderEntry.reconciliations > before, 'reconciliation');
    const [f] = of(reports, 'o-1', 'fill');
    expect([f!.price, f!.qty, f!.leavesQty, f!.liquidityMaker]).toEqual([4_999_950, 4, 6, true]);
    expect(f!.tradeId).toBe(Number(fake.orders.byClientId('tm-o-1')!.fills[0]!.trade_id));
    const again = venue.orderEntry.reconciliations;
    fake.dropUserSockets();
    await until(() => venue.orderEntry.reconciliations > again, 'second reconciliation');
    expect(of(reports, 'o-1', 'fill')).toHaveLength(1);
    // The rest fills live, over the user channel: one more fill, the order done.
    fake.orders.fillResting('tm-o-1');
    await until(() => of(reports, 'o-1', 'fill').length === 2, 'second fill');
    expect(of(reports, 'o-1', 'fill').map((r) => [r.qty, r.leavesQty])).toEqual([[4, 6], [6, 0]]);
  });

  it('an order the venue does not know is closed with VENUE_ORDER_NOT_FOUND at the reconnect', async () => {
    const { fake, venue, reports } = await started();
    venue.submit(order());
    await until(() => of(reports, 'o-1', 'accepted').length === 1, 'accepted');
    fake.orders.forget('tm-o-1');
    fake.dropUserSockets();
    await until(() => of(reports, 'o-1', 'canceled').length === 1, 'closed');
    expect(of(reports, 'o-1', 'canceled')[0]!.reasonCode).toBe(ErrorCode.VENUE_ORDER_NOT_FOUND);
  });

  it('an open order Tickmesh never sent raises the operator alert VENUE_UNKNOWN_ORDER', async () => {
    const { fake, venue, logs } = await started();
    fake.orders.addForeign('someone-else-7', 'BTC-USD', 4_000_000, 5);
    fake.dropUserSockets();
    await until(() => venue.orderEntry.unknownOrders.includes('someone-else-7'), 'alert');
    expect(logs.some((l) => l.startsWith('error') && l.includes(ErrorCode.VENUE_UNKNOWN_ORDER) && l.includes('someone-else-7'))).toBe(true);
  });

  it('cancel of a resting order: canceled at the venue and reported; cancel of an unknown one is cancel-rejected', async () => {
    const { fake, venue, reports } = await started();
    venue.submit(order());
    await until(() => of(reports, 'o-1', 'accepted').length === 1, 'accepted');
    venue.cancel('o-1');
    venue.cancel('nope');
    await until(() => of(reports, 'o-1', 'canceled').length === 1 && of(reports, 'nope').length === 1, 'cancel reports');
    expect(fake.orders.byClientId('tm-o-1')!.status).toBe('CANCELLED');
    expect(of(reports, 'nope')[0]!.kind).toBe('cancel-rejected');
    expect(of(reports, 'o-1', 'canceled')).toHaveLength(1);
  });

  it('a 429 rejects the order with VENUE_RATE_LIMITED and holds the next one without sending it', async () => {
    const { fake, venue, reports } = await started();
    fake.answerRest(429, 2);
    venue.submit(order({ orderId: 'a' }));
    await until(() => of(reports, 'a').length === 1, 'first');
    const sent = fake.requests.get('/api/v3/brokerage/orders') ?? 0;
    venue.submit(order({ orderId: 'b' }));
    await until(() => of(reports, 'b').length === 1, 'second');
    expect([of(reports, 'a')[0]!.reasonCode, of(reports, 'b')[0]!.reasonCode]).toEqual([ErrorCode.VENUE_RATE_LIMITED, ErrorCode.VENUE_RATE_LIMITED]);
    expect(fake.requests.get('/api/v3/brokerage/orders') ?? 0).toBe(sent);
    expect(fake.orders.received).toBe(0);
  });

  it('market and IOC orders: a market buy takes the best asks; an IOC limit fills what crosses and the rest expires as canceled', async () => {
    const { fake, venue, reports } = await started();
    const asks = [...fake.trueBook('BTC-USD').asks].sort((a, b) => a[0] - b[0]);
    venue.submit(order({ orderId: 'm', type: OrderType.Market, timeInForce: TimeInForce.IOC, price: 0, qty: asks[0]![1] + 1 }));
    await until(() => of(reports, 'm', 'fill').length === 2, 'market fills');
    expect(of(reports, 'm', 'fill').map((f) => [f.price, f.qty])).toEqual([[asks[0]![0], asks[0]![1]], [asks[1]![0], 1]]);
    const best = [...fake.trueBook('BTC-USD').asks].sort((a, b) => a[0] - b[0])[0]!;
    venue.submit(order({ orderId: 'ioc', timeInForce: TimeInForce.IOC, price: best[0], qty: best[1] + 5 }));
    await until(() => of(reports, 'ioc', 'canceled').length === 1, 'IOC rest canceled');
    expect(of(reports, 'ioc', 'fill').map((f) => [f.price, f.qty, f.leavesQty])).toEqual([[best[0], best[1], 5]]);
  });

  it('after a restart, resume() books the fill made while the relay was down once, and not the one booked before', async () => {
    const first = await started();
    first.venue.submit(order({ qty: 10 }));
    await until(() => of(first.reports, 'o-1', 'accepted').length === 1, 'accepted');
    const f1 = first.fake.orders.fillResting('tm-o-1', 3);
    await until(() => of(first.reports, 'o-1', 'fill').length === 1, 'first fill');
    await first.venue.stop();
    const f2 = first.fake.orders.fillResting('tm-o-1', 2); // nobody connected
    // A new process on the same venue account and journal.
    const { venue: v, reports } = await rig.restart(
      (f) => openCoinbaseVenue({ ...onFake(f, ['BTC-USD']), credentials: new VenueCredentials(KEY_NAME, SECRET) }),
      [{ ...order({ qty: 10 }), filledQty: 3, tradeIds: [Number(f1.trade_id)], accepted: true }],
    );
    await until(() => v.orderEntry.reconciliations >= 1 && of(reports, 'o-1', 'fill').length === 1, 'the missed fill');
    expect(of(reports, 'o-1', 'fill').map((f) => [f.tradeId, f.qty, f.leavesQty])).toEqual([[Number(f2.trade_id), 2, 5]]);
    expect(of(reports, 'o-1', 'accepted')).toHaveLength(0);
  });

  it('a cancel right after a restart is held until the order is reconciled (no Coinbase order id before), then sent: canceled at the venue, reported once', async () => {
    const first = await started();
    first.venue.submit(order());
    await until(() => of(first.reports, 'o-1', 'accepted').length === 1, 'accepted');
    await first.venue.stop();
    // A new process: the OMS hands the order back and cancels it before anything is known of it at the venue.
    const v = (rig.venue = await openCoinbaseVenue({ ...onFake(first.fake, ['BTC-USD']), credentials: new VenueCredentials(KEY_NAME, SECRET) }));
    const reports: VenueExecution[] = [];
    v.onExecution((r) => reports.push(r));
    v.resume([{ ...order(), filledQty: 0, tradeIds: [], accepted: true }]);
    v.cancel('o-1');
    await v.start(() => noFeed);
    await until(() => of(reports, 'o-1').some((r) => r.kind === 'canceled' || r.kind === 'cancel-rejected'), 'an answer to the cancel');
    expect(of(reports, 'o-1').map((r) => [r.kind, r.reasonCode])).toEqual([['canceled', '']]);
    expect(first.fake.orders.byClientId('tm-o-1')!.status).toBe('CANCELLED');
    const n = v.orderEntry.reconciliations;
    first.fake.dropUserSockets();
    await until(() => v.orderEntry.reconciliations > n, 'another reconciliation');
    expect(of(reports, 'o-1', 'canceled')).toHaveLength(1);
  });
});

describeVenueHealth('coinbase', {
  started: (secret) => started(secret),
  orderSocket: 'user channel',
  dropMarketSockets: (f) => f.dropSockets(),
  dropOrderSocket: (f) => f.dropUserSockets(),
  rateLimitNextRest: (f) => f.answerRest(429, 0, 1),
  order,
});

