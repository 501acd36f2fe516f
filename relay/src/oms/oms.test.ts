import { describe, expect, it } from 'vitest';
import { ErrorCode, ExecType, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg } from '@tickmesh/shared';
import { SimVenue } from '../venues/sim/sim-venue';
import { MemoryJournal, fakeRisk, intent, makeOms, settle, steppingClock } from './oms-test-kit';
import type { Oms } from './oms';

function setup(opts: { risk?: ReturnType<typeof fakeRisk> } = {}) {
  const clock = steppingClock();
  const venue = new SimVenue({ id: 'sim-a', seed: 7, nowUs: clock, takerFeeBpsX100: 500, makerFeeBpsX100: -100 });
  const journal = new MemoryJournal();
  const oms = makeOms([venue], { journal, nowUs: clock, ...(opts.risk ? { risk: opts.risk } : {}) });
  const reports: ExecutionReportMsg[] = [];
  oms.onReport((r) => reports.push(r));
  const engine = venue.market('BTC-USD')!.engine;
  return { venue, journal, oms, reports, engine };
}

const of = (reports: ExecutionReportMsg[], orderId: string) => reports.filter((r) => r.orderId === orderId);
const statuses = (reports: ExecutionReportMsg[]) => reports.map((r) => r.status);

async function place(oms: Oms, over: Parameters<typeof intent>[0]) {
  const r = await oms.newOrder(intent(over));
  if (!r.ok) throw new Error(r.reason.code);
  await settle();
  return r.value;
}

describe('Oms against the sim venue', () => {
  it('a marketable IOC fills as taker: reports, fills, position and fees agree', async () => {
    const { oms, reports, engine, journal } = setup();
    const ask = engine.bestAsk();
    const atAsk = engine.levelTotal(Side.Sell, ask);
    const o = await place(oms, { clientOrderId: 'ioc', timeInForce: TimeInForce.IOC, price: ask, qty: atAsk + 5 });
    expect(o.status).toBe(OrderStatus.Submitted);
    const rs = of(reports, o.orderId);
    expect(rs.map((r) => r.execType)).toEqual([ExecType.Status, ExecType.New, ...rs.slice(2, -1).map(() => ExecType.Trade), ExecType.Expired]);
    expect(statuses(rs).slice(0, 2)).toEqual([OrderStatus.Submitted, OrderStatus.Accepted]);
    expect(rs.at(-1)).toMatchObject({ status: OrderStatus.Expired, filledQty: atAsk, leavesQty: 0 });
    const trades = rs.filter((r) => r.execType === ExecType.Trade);
    for (const t of trades) {
      expect(t).toMatchObject({ lastPrice: ask, liquidityMaker: false, account: 'alice', parentOrderId: '', symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy });
      expect(t.tradeId).toBeGreaterThan(0);
      expect(t.fee).toBeGreaterThan(0);
    }
    expect(trades.at(-1)).toMatchObject({ status: OrderStatus.PartiallyFilled, leavesQty: 5 });

    const order = oms.order(o.orderId)!;
    expect(order).toMatchObject({ status: OrderStatus.Expired, filledQty: atAsk, cumNotional: ask * atAsk });
    expect(order.fees).toBe(trades.reduce((s, t) => s + t.fee, 0));
    const fills = oms.fills('alice');
    expect(fills.map((f) => f.fillId)).toEqual(trades.map((_, i) => `${o.orderId}-${i + 1}`));
    expect(fills.reduce((s, f) => s + f.qty, 0)).toBe(atAsk);
    const [pos] = oms.positions('alice', () => ask + 10);
    expect(pos).toMatchObject({ symbol: 'BTC-USD', qty: atAsk, openCost: ask * atAsk, realizedPnl: 0, fees: order.fees, unrealisedPnl: 10 * atAsk });
    expect(oms.orders('alice', { open: true })).toEqual([]);
    // Every report emitted is in the journal, in the same order.
    expect(journal.records('execution').map((r) => r.report)).toEqual(reports);
  });

  it('a resting GTC is maker: another account takes it, then a buy-back realises P&L', async () => {
    const { oms, reports, engine } = setup();
    const bid = engine.bestBid();
    const ask = engine.bestAsk();
    const px = ask - 1 > bid ? ask - 1 : ask;
    const s = await place(oms, { clientOrderId: 's1', side: Side.Sell, price: px, qty: 100, postOnly: true });
    expect(oms.order(s.orderId)!.status).toBe(OrderStatus.Accepted);
    expect(oms.exposure('alice', 'BTC-USD')).toMatchObject({ position: 0, openSellQty: 100, openOrders: 1, ownBestAsk: px });
    await place(oms, { account: 'bob', clientOrderId: 'b1', timeInForce: TimeInForce.IOC, price: px, qty: 30 });
    expect(oms.order(s.orderId)).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 30 });
    const makerFill = of(reports, s.orderId).find((r) => r.execType === ExecType.Trade)!;
    expect(makerFill).toMatchObject({ liquidityMaker: true, lastQty: 30, leavesQty: 70 });
    expect(makerFill.fee).toBeLessThan(0); // rebate
    expect(oms.positions('bob', () => px)[0]).toMatchObject({ qty: 30, openCost: px * 30 });
    expect(oms.positions('alice', () => px)[0]).toMatchObject({ qty: -30, openCost: -px * 30, unrealisedPnl: 0 });
    // Alice takes her order down and buys back 10 lots from the book: realised = Σ (px − fill price) × qty.
    await oms.cancel('alice', 's1');
    await settle();
    const bb = await place(oms, { clientOrderId: 'buyback', timeInForce: TimeInForce.IOC, price: engine.bestAsk() + 500, qty: 10 });
    const buyFills = oms.fills('alice').filter((f) => f.orderId === bb.orderId);
    expect(buyFills.reduce((q, f) => q + f.qty, 0)).toBe(10);
    const alice = oms.positions('alice', () => px)[0]!;
    expect(alice.qty).toBe(-20);
    expect(alice.realizedPnl).toBe(buyFills.reduce((sum, f) => sum + (px - f.price) * f.qty, 0));
    expect(alice.openCost).toBe(-px * 20);
    expect(alice.fees).toBe(oms.fills('alice').reduce((sum, f) => sum + f.fee, 0));
  });

  it('step() makes the market trade against a resting order at the top of the book', async () => {
    const { oms, venue, engine } = setup();
    const px = engine.bestBid() + 1 < engine.bestAsk() ? engine.bestBid() + 1 : engine.bestBid();
    const o = await place(oms, { clientOrderId: 'join', price: px, qty: 5 });
    for (let i = 0; i < 50 && oms.order(o.orderId)!.filledQty === 0; i++) {
      venue.step(200);
      await settle(1);
    }
    await settle();
    const fills = oms.fills('alice');
    expect(fills.length).toBeGreaterThan(0);
    expect(fills.every((f) => f.liquidityMaker && f.price === px)).toBe(true);
    const order = oms.order(o.orderId)!;
    expect(order.filledQty).toBe(fills.reduce((s, f) => s + f.qty, 0));
    expect(oms.positions('alice', () => px)[0]!.qty).toBe(order.filledQty);
  });

  it('cancel: PendingCancel then Canceled; errors are values', async () => {
    const { oms, reports, engine } = setup();
    const o = await place(oms, { clientOrderId: 'r1', price: engine.bestBid() - 100, qty: 3 });
    await place(oms, { account: 'bob', clientOrderId: 'r1', price: engine.bestBid() - 100, qty: 3 });
    const first = oms.cancel('alice', 'r1', 42);
    const second = oms.cancel('alice', 'r1'); // while the first is outstanding
    const c = await first;
    expect(c.ok && c.value.status).toBe(OrderStatus.PendingCancel);
    const again = await second;
    expect(again.ok ? '' : again.reason.code).toBe(ErrorCode.OMS_REQUEST_PENDING);
    await settle();
    const rs = of(reports, o.orderId);
    expect(rs.slice(-2).map((r) => [r.execType, r.status, r.requestId])).toEqual([
      [ExecType.PendingCancel, OrderStatus.PendingCancel, 42],
      [ExecType.Canceled, OrderStatus.Canceled, 0],
    ]);
    expect(rs.at(-1)).toMatchObject({ leavesQty: 0, reasonCode: '' });
    const code = async (p: ReturnType<Oms['cancel']>) => {
      const r = await p;
      return r.ok ? 'ok' : r.reason.code;
    };
    expect(await code(oms.cancel('alice', 'r1'))).toBe(ErrorCode.OMS_ORDER_NOT_OPEN);
    expect(await code(oms.cancel('alice', 'nope'))).toBe(ErrorCode.OMS_UNKNOWN_ORDER);
    const bobs = oms.orders('bob')[0]!;
    expect(await code(oms.cancel('alice', bobs.orderId))).toBe(ErrorCode.OMS_NOT_YOUR_ORDER);
    expect(await code(oms.cancel('bob', bobs.orderId))).toBe('ok'); // by order id
    expect(engine.orderCount).toBeGreaterThan(0);
  });

  it('replace: PendingUpdate then Replaced with the new client id; a venue refusal restores the order', async () => {
    const { oms, reports, engine } = setup();
    const px = engine.bestBid() - 100;
    const o = await place(oms, { clientOrderId: 'a', price: px, qty: 10 });
    const r = await oms.replace('alice', 'a', 'b', px - 5, 8);
    expect(r.ok && r.value.status).toBe(OrderStatus.PendingUpdate);
    await settle();
    expect(oms.order(o.orderId)).toMatchObject({ status: OrderStatus.Accepted, clientOrderId: 'b', price: px - 5, qty: 8 });
    const rs = of(reports, o.orderId).slice(-2);
    expect(rs.map((x) => [x.execType, x.status, x.clientOrderId])).toEqual([
      [ExecType.PendingReplace, OrderStatus.PendingUpdate, 'b'],
      [ExecType.Replaced, OrderStatus.Accepted, 'b'],
    ]);
    // Both ids still name the order; neither can be used again.
    expect((await oms.newOrder(intent({ clientOrderId: 'a' }))).ok).toBe(false);
    const dup = await oms.replace('alice', 'b', 'a', px, 8);
    expect(dup.ok ? '' : dup.reason.code).toBe(ErrorCode.OMS_DUPLICATE_CLIENT_ORDER_ID);

    // The venue refuses a replace to qty 0: cancel-rejected restores Accepted, the code rides on the report only.
    await oms.replace('alice', 'a', 'c', px, 0);
    await settle();
    const last = of(reports, o.orderId).slice(-2);
    expect(last.map((x) => [x.execType, x.status, x.reasonCode])).toEqual([
      [ExecType.PendingReplace, OrderStatus.PendingUpdate, ''],
      [ExecType.CancelRejected, OrderStatus.Accepted, 'VENUE_INVALID_QTY'],
    ]);
    expect(oms.order(o.orderId)).toMatchObject({ status: OrderStatus.Accepted, clientOrderId: 'b', price: px - 5, qty: 8, reasonCode: '' });

    // A replace that crosses trades at once.
    await oms.replace('alice', 'b', 'd', engine.bestAsk(), 8);
    await settle();
    expect(oms.order(o.orderId)!.filledQty).toBeGreaterThan(0);
  });

  it('replace refusals: risk (journaled), not acknowledged yet, parents', async () => {
    const { oms, engine, journal } = setup({ risk: fakeRisk({ denyReplace: 'RISK_MAX_NOTIONAL' }) });
    const px = engine.bestBid() - 100;
    const placing = oms.newOrder(intent({ clientOrderId: 'a', price: px, qty: 10 }));
    // Submitted, not yet durable nor sent to the venue.
    const early = await oms.replace('alice', 'a', 'b', px, 5);
    const r0 = await placing;
    expect(early.ok ? '' : early.reason.code).toBe(ErrorCode.OMS_REQUEST_PENDING);
    await settle();
    const denied = await oms.replace('alice', 'a', 'b', px, 5);
    expect(denied.ok ? '' : denied.reason.code).toBe('RISK_MAX_NOTIONAL');
    expect(journal.records('risk').at(-1)).toMatchObject({ accepted: false, code: 'RISK_MAX_NOTIONAL', orderId: r0.ok ? r0.value.orderId : '' });
    expect(oms.order(r0.ok ? r0.value.orderId : '')!.status).toBe(OrderStatus.Accepted);
    const parent = await oms.newOrder(intent({ clientOrderId: 'p', venue: '', price: px, qty: 2 }));
    await settle();
    const pr = await oms.replace('alice', 'p', 'p2', px, 5);
    expect(parent.ok && pr.ok ? '' : !pr.ok && pr.reason.code).toBe(ErrorCode.OMS_REPLACE_NOT_SUPPORTED);
  });

  it('cancelAll by symbol then all; killAccount and cancel-on-disconnect cancel everything', async () => {
    const { oms, venue } = setup();
    const low = (s: string) => venue.market(s)!.engine.bestBid() - 100;
    await place(oms, { clientOrderId: 'b1', price: low('BTC-USD') });
    await place(oms, { clientOrderId: 'b2', price: low('BTC-USD') });
    await place(oms, { clientOrderId: 'e1', symbol: 'ETH-USD', price: low('ETH-USD') });
    await place(oms, { account: 'bob', clientOrderId: 'x', price: low('BTC-USD') });
    expect(await oms.cancelAll('alice', 'BTC-USD')).toBe(2);
    await settle();
    expect(oms.orders('alice', { open: true }).map((o) => o.clientOrderId)).toEqual(['e1']);
    expect(await oms.cancelAll('alice')).toBe(1);
    expect(await oms.cancelAll('alice')).toBe(0); // e1 has a cancel outstanding
    await settle();
    expect(oms.orders('alice', { open: true })).toEqual([]);
    expect(await oms.killAccount('bob')).toBe(1);
    await settle();
    expect(oms.orders('bob', { open: true })).toEqual([]);
    await place(oms, { account: 'bob', clientOrderId: 'y', price: low('BTC-USD') });
    expect(await oms.cancelAccountOnDisconnect('bob')).toBe(1);
    await settle();
    expect(oms.orders('bob').map((o) => o.status)).toEqual([OrderStatus.Canceled, OrderStatus.Canceled]);
  });

  it('a duplicate client order id is refused as a value: no order, nothing journaled', async () => {
    const { oms, journal, engine } = setup();
    await place(oms, { clientOrderId: 'same', price: engine.bestBid() - 100 });
    const before = journal.entries.length;
    const r = await oms.newOrder(intent({ clientOrderId: 'same', price: engine.bestBid() - 100 }));
    expect(r.ok ? '' : r.reason.code).toBe(ErrorCode.OMS_DUPLICATE_CLIENT_ORDER_ID);
    expect(journal.entries.length).toBe(before);
    expect(oms.orders('alice')).toHaveLength(1);
    // Another account may use the same id.
    expect((await oms.newOrder(intent({ account: 'bob', clientOrderId: 'same', price: engine.bestBid() - 100 }))).ok).toBe(true);
  });

  it('unknown venue / symbol are refused as values before any order exists', async () => {
    const { oms, journal } = setup();
    const v = await oms.newOrder(intent({ venue: 'nowhere' }));
    const s = await oms.newOrder(intent({ symbol: 'DOGE-USD' }));
    expect([v.ok ? '' : v.reason.code, s.ok ? '' : s.reason.code]).toEqual([ErrorCode.OMS_UNKNOWN_VENUE, ErrorCode.OMS_UNKNOWN_SYMBOL]);
    expect(journal.entries).toHaveLength(0);
    expect(oms.orders('alice')).toEqual([]);
  });

  it('a risk denial is a normal outcome: status Denied with the code, journaled, reported, never sent', async () => {
    const { oms, journal, reports, engine } = setup({ risk: fakeRisk({ denyNew: 'RISK_MAX_NOTIONAL' }) });
    const count = engine.orderCount;
    const r = await oms.newOrder(intent({ clientOrderId: 'big', price: engine.bestAsk(), qty: 1_000 }), 7);
    expect(r.ok).toBe(true);
    const o = r.ok ? r.value : undefined!;
    expect(o).toMatchObject({ status: OrderStatus.Denied, reasonCode: 'RISK_MAX_NOTIONAL' });
    expect(journal.entries.map((e) => e.record.kind)).toEqual(['order-request', 'risk', 'execution']);
    expect(journal.records('risk')[0]).toMatchObject({ accepted: false, code: 'RISK_MAX_NOTIONAL', orderId: o.orderId, clientOrderId: 'big', account: 'alice' });
    await settle();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ execType: ExecType.Denied, status: OrderStatus.Denied, reasonCode: 'RISK_MAX_NOTIONAL', requestId: 7, leavesQty: 0 });
    // The order keeps the text with its code (GET /api/orders shows it, after a reload too).
    expect(oms.order(o.orderId)).toMatchObject({ reasonCode: 'RISK_MAX_NOTIONAL', reason: 'denied' });
    expect(engine.orderCount).toBe(count);
    // The id is spent: a retry with the same id is a duplicate, not a second denial.
    const again = await oms.newOrder(intent({ clientOrderId: 'big' }));
    expect(again.ok ? '' : again.reason.code).toBe(ErrorCode.OMS_DUPLICATE_CLIENT_ORDER_ID);
  });

  it('venue rejections are Rejected with the venue code (Denied is ours, Rejected is theirs)', async () => {
    const { oms, reports, engine } = setup();
    const o = await place(oms, { clientOrderId: 'po', price: engine.bestAsk(), postOnly: true });
    expect(oms.order(o.orderId)).toMatchObject({ status: OrderStatus.Rejected, reasonCode: 'VENUE_POST_ONLY_WOULD_TAKE' });
    expect(of(reports, o.orderId).at(-1)).toMatchObject({ execType: ExecType.Rejected, reasonCode: 'VENUE_POST_ONLY_WOULD_TAKE' });
  });

  it('market orders fill and expire like IOC', async () => {
    const { oms } = setup();
    const o = await place(oms, { clientOrderId: 'm', orderType: OrderType.Market, timeInForce: TimeInForce.IOC, price: 0, qty: 2, side: Side.Sell });
    expect(oms.order(o.orderId)).toMatchObject({ status: OrderStatus.Filled, filledQty: 2 });
    expect(oms.positions('alice', () => 0)[0]!.qty).toBe(-2);
  });
});
