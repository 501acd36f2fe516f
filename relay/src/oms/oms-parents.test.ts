import { describe, expect, it } from 'vitest';
import { Algo, ErrorCode, ExecType, OrderStatus, OrderType, Side, TimeInForce, ok, type ExecutionReportMsg } from '@tickmesh/shared';
import { SimVenue } from '../venues/sim/sim-venue';
import { AlgoRunner } from './algos/algo-runner';
import type { OmsAlgos, OmsRouter } from './oms-ports';
import { ManualTimers, MemoryJournal, failingRouter, intent, makeOms, settle, slicingAlgos, splitRouter, steppingClock } from './oms-test-kit';

function setup(over: { router?: OmsRouter; algos?: OmsAlgos } = {}) {
  const timers = new ManualTimers();
  // Time moves with the manual timers (and a µs per call, so no two reports share a time).
  const step = steppingClock();
  const clock = () => step() + timers.now * 1000;
  const a = new SimVenue({ id: 'sim-a', seed: 11, nowUs: clock });
  const b = new SimVenue({ id: 'sim-b', seed: 12, nowUs: clock, priceOffsetBps: 2 });
  const journal = new MemoryJournal();
  const oms = makeOms([a, b], {
    journal,
    nowUs: clock,
    setTimer: timers.set,
    router: over.router ?? splitRouter(['sim-a', 'sim-b']),
    marketVolume: (s) => (s === 'BTC-USD' ? 1234 : 0),
    ...(over.algos ? { algos: over.algos } : {}),
  });
  const reports: ExecutionReportMsg[] = [];
  oms.onReport((r) => reports.push(r));
  const ea = a.market('BTC-USD')!.engine;
  const eb = b.market('BTC-USD')!.engine;
  return { a, b, ea, eb, oms, reports, timers, journal };
}

const of = (reports: ExecutionReportMsg[], orderId: string) => reports.filter((r) => r.orderId === orderId);

describe('Oms smart-routed parents', () => {
  it('children per plan, reported under the parent; the parent aggregates their fills', async () => {
    const { oms, reports, ea, eb } = setup();
    const px = Math.max(ea.bestAsk(), eb.bestAsk()) + 2_000;
    const r = await oms.newOrder(intent({ clientOrderId: 'sor', venue: '', timeInForce: TimeInForce.IOC, price: px, qty: 10 }));
    const parent = r.ok ? r.value : undefined!;
    await settle();
    const children = oms.orders('alice').filter((o) => o.parentOrderId === parent.orderId);
    expect(children.map((c) => [c.venue, c.qty, c.clientOrderId])).toEqual([
      ['sim-a', 5, 'sor.1'],
      ['sim-b', 5, 'sor.2'],
    ]);
    expect(children.every((c) => c.status === OrderStatus.Filled)).toBe(true);
    const p = oms.order(parent.orderId)!;
    expect(p).toMatchObject({ status: OrderStatus.Filled, filledQty: 10, venue: '' });
    expect(p.cumNotional).toBe(children.reduce((s, c) => s + c.cumNotional, 0));
    expect(p.fees).toBe(children.reduce((s, c) => s + c.fees, 0));
    const pr = of(reports, parent.orderId);
    expect(pr[0]).toMatchObject({ execType: ExecType.Status, status: OrderStatus.Submitted });
    expect(pr[1]).toMatchObject({ execType: ExecType.New, status: OrderStatus.Accepted });
    expect(pr.at(-1)).toMatchObject({ execType: ExecType.Trade, status: OrderStatus.Filled, leavesQty: 0 });
    for (const c of children) expect(of(reports, c.orderId).every((x) => x.parentOrderId === parent.orderId)).toBe(true);
    // Fills are booked once, on the children; the position nets both venues.
    const fills = oms.fills('alice');
    expect(fills.reduce((s, f) => s + f.qty, 0)).toBe(10);
    expect(new Set(fills.map((f) => f.venue))).toEqual(new Set(['sim-a', 'sim-b']));
    expect(fills.every((f) => f.parentOrderId === parent.orderId)).toBe(true);
    expect(oms.positions('alice', () => px)[0]).toMatchObject({ qty: 10, openCost: p.cumNotional });
  });

  it('cancel of a resting parent cancels its children, then the parent', async () => {
    const { oms, reports, ea, eb } = setup();
    const px = Math.min(ea.bestBid(), eb.bestBid()) - 500;
    const r = await oms.newOrder(intent({ clientOrderId: 'rest', venue: '', price: px, qty: 7 }));
    const pid = r.ok ? r.value.orderId : '';
    await settle();
    expect(oms.order(pid)!.status).toBe(OrderStatus.Accepted);
    expect(oms.exposure('alice', 'BTC-USD')).toMatchObject({ openOrders: 2, openBuyQty: 7, ownBestBid: px }); // children only
    const c = await oms.cancel('alice', 'rest');
    expect(c.ok && c.value.status).toBe(OrderStatus.PendingCancel);
    await settle();
    expect(oms.orders('alice').map((o) => o.status)).toEqual([OrderStatus.Canceled, OrderStatus.Canceled, OrderStatus.Canceled]);
    expect(of(reports, pid).map((x) => x.status).slice(-2)).toEqual([OrderStatus.PendingCancel, OrderStatus.Canceled]);
    expect(oms.orders('alice', { open: true })).toEqual([]);
  });

  it('router failure denies the parent with the router code; bad plans are refused', async () => {
    const denied = setup({ router: failingRouter('OMS_NO_LIQUIDITY') });
    const r = await denied.oms.newOrder(intent({ venue: '', qty: 3 }));
    expect(r.ok && [r.value.status, r.value.reasonCode]).toEqual([OrderStatus.Denied, 'OMS_NO_LIQUIDITY']);

    const over = setup({ router: { route: () => ok([{ venue: 'sim-a', price: 1, qty: 4 }]) } });
    const o = await over.oms.newOrder(intent({ venue: '', qty: 3 }));
    expect(o.ok && [o.value.status, o.value.reasonCode]).toEqual([OrderStatus.Denied, ErrorCode.OMS_CHILD_EXCEEDS_PARENT]);

    const empty = setup({ router: { route: () => ok([]) } });
    const e = await empty.oms.newOrder(intent({ venue: '', qty: 3 }));
    expect(e.ok && e.value.reasonCode).toBe(ErrorCode.OMS_NO_ROUTE);
  });

  it('a parent whose children were all refused is Rejected with the first child code', async () => {
    const { oms, ea } = setup({ router: { route: () => ok([{ venue: 'nowhere', price: 1, qty: 1 }, { venue: 'sim-a', price: ea.bestAsk(), qty: 1 }]) } });
    const r = await oms.newOrder(intent({ venue: '', qty: 2, postOnly: true }));
    await settle();
    const pid = r.ok ? r.value.orderId : '';
    const kids = oms.orders('alice').filter((o) => o.parentOrderId === pid);
    expect(kids.map((k) => [k.status, k.reasonCode])).toEqual([
      [OrderStatus.Denied, ErrorCode.OMS_UNKNOWN_VENUE],
      [OrderStatus.Rejected, 'VENUE_POST_ONLY_WOULD_TAKE'],
    ]);
    expect(oms.order(pid)).toMatchObject({ status: OrderStatus.Rejected, reasonCode: ErrorCode.OMS_UNKNOWN_VENUE });
  });
});

describe('Oms algo parents', () => {
  it('the algo slices over time through its context; the parent aggregates and ends Filled', async () => {
    const algos = slicingAlgos('sim-a', 2, 1_000);
    const { oms, timers, ea, reports } = setup({ algos });
    const r = await oms.newOrder(intent({ clientOrderId: 'twap', venue: '', algo: Algo.TWAP, price: ea.bestAsk() + 2_000, qty: 6, durationMs: 3_000 }));
    const pid = r.ok ? r.value.orderId : '';
    expect(r.ok && r.value.status).toBe(OrderStatus.Accepted);
    expect(algos.log.started[0]).toMatchObject({ orderId: pid, qty: 6, algo: Algo.TWAP });
    expect(algos.log.contexts[0]!.marketVolume('BTC-USD')).toBe(1234);
    await settle();
    expect(oms.order(pid)).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 2 });
    timers.advance(1_000);
    await settle();
    timers.advance(1_000);
    await settle();
    expect(oms.order(pid)).toMatchObject({ status: OrderStatus.Filled, filledQty: 6 });
    expect(algos.log.fills).toEqual([2, 2, 2]);
    expect(algos.log.done.map(([, s]) => s)).toEqual([OrderStatus.Filled, OrderStatus.Filled, OrderStatus.Filled]);
    const kids = oms.orders('alice').filter((o) => o.parentOrderId === pid);
    expect(kids.map((k) => [k.orderType, k.timeInForce, k.qty, k.algo])).toEqual(Array(3).fill([OrderType.Limit, TimeInForce.IOC, 2, Algo.None]));
    expect(of(reports, pid).every((x) => x.algo === Algo.TWAP)).toBe(true);
    // Each report says its own order's time in force: the GTC parent's, the IOC slices'.
    expect(of(reports, pid).every((x) => x.timeInForce === TimeInForce.GTC)).toBe(true);
    for (const k of kids) expect(of(reports, k.orderId).map((x) => x.timeInForce)).toEqual(of(reports, k.orderId).map(() => TimeInForce.IOC));
    expect(timers.pending).toBe(0);
  });

  it("a TWAP parent's reports carry its clock: each next slice as it is scheduled, none after the last, and the horizon's end", async () => {
    const { oms, timers, ea, reports } = setup({ algos: new AlgoRunner({ slices: 3, minIntervalMs: 100 }) });
    // Bids far below the market: every IOC slice expires unfilled, so the parent works to its horizon.
    const r = await oms.newOrder(intent({ clientOrderId: 'clock', venue: '', algo: Algo.TWAP, price: ea.bestBid() - 5_000, qty: 6, durationMs: 3_000 }));
    const pid = r.ok ? r.value.orderId : '';
    const clocks = () => of(reports, pid).filter((x) => x.execType === ExecType.Status && x.schedule !== undefined).map((x) => x.schedule!);
    timers.advance(0);
    await settle();
    const [first] = clocks();
    expect(first!.endsUs - first!.nextSliceUs).toBe(2_000_000);
    expect(oms.order(pid)!.schedule).toEqual(first);
    timers.advance(1_000);
    await settle();
    timers.advance(1_000);
    await settle();
    expect(clocks().map((c) => [c.nextSliceUs && c.nextSliceUs - first!.nextSliceUs, c.endsUs - first!.endsUs])).toEqual([
      [0, 0],
      [1_000_000, 0],
      [0, 0],
    ]);
    timers.advance(1_000);
    await settle();
    expect(oms.order(pid)).toMatchObject({ status: OrderStatus.Expired, reasonCode: ErrorCode.OMS_ALGO_HORIZON_ENDED });
    // Ended: nothing more is announced after the horizon's own "none to come".
    expect(clocks().at(-1)!.nextSliceUs).toBe(0);
  });

  it('an algo that ends short: the parent ends Expired once its last child expired', async () => {
    const algos = slicingAlgos('sim-a', 3, 500);
    const { oms, timers, ea } = setup({ algos });
    const r = await oms.newOrder(intent({ venue: '', algo: Algo.TWAP, price: ea.bestBid() - 300, qty: 6 }));
    const pid = r.ok ? r.value.orderId : '';
    await settle();
    timers.advance(500);
    await settle();
    expect(oms.order(pid)).toMatchObject({ status: OrderStatus.Expired, filledQty: 0 });
    expect(algos.log.done.map(([, s]) => s)).toEqual([OrderStatus.Expired, OrderStatus.Expired]);
  });

  it('cancel stops the algo, clears its timers and ends the parent Canceled', async () => {
    const algos = slicingAlgos('sim-a', 1, 1_000);
    const { oms, timers, ea } = setup({ algos });
    const r = await oms.newOrder(intent({ clientOrderId: 'slow', venue: '', algo: Algo.TWAP, price: ea.bestAsk() + 2_000, qty: 5 }));
    const pid = r.ok ? r.value.orderId : '';
    await settle();
    expect(timers.pending).toBe(1);
    const c = await oms.cancel('alice', 'slow');
    expect(c.ok && c.value.status).toBe(OrderStatus.Canceled); // no open child: ends at once
    expect(algos.log.canceled).toBe(1);
    expect(timers.pending).toBe(0);
    expect(oms.order(pid)).toMatchObject({ status: OrderStatus.Canceled, filledQty: 1 });
    // A late sendChild from the stopped algo is denied, never sent.
    algos.log.contexts[0]!.sendChild({ venue: 'sim-a', price: ea.bestAsk(), qty: 1, orderType: OrderType.Limit, timeInForce: TimeInForce.IOC });
    await settle();
    const late = oms.orders('alice').at(-1)!;
    expect([late.status, late.reasonCode]).toEqual([OrderStatus.Denied, ErrorCode.OMS_ORDER_NOT_OPEN]);
  });

  it('children may never commit more than the parent qty', async () => {
    const greedy: OmsAlgos = {
      start(parent, ctx) {
        ctx.sendChild({ venue: 'sim-a', price: 1, qty: parent.qty, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC });
        ctx.sendChild({ venue: 'sim-a', price: 1, qty: 1, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC });
        return { onChildFill() {}, onChildDone: (id, s) => done.push([id, s]), cancel() {} };
      },
    };
    const done: [string, number][] = [];
    const { oms } = setup({ algos: greedy });
    const r = await oms.newOrder(intent({ venue: '', algo: Algo.Iceberg, price: 1, qty: 4, displayQty: 1 }));
    await settle();
    const kids = oms.orders('alice').filter((o) => r.ok && o.parentOrderId === r.value.orderId);
    expect(kids.map((k) => [k.qty, k.status, k.reasonCode])).toEqual([
      [4, OrderStatus.Accepted, ''],
      [1, OrderStatus.Denied, ErrorCode.OMS_CHILD_EXCEEDS_PARENT],
    ]);
    expect(done).toEqual([[kids[1]!.orderId, OrderStatus.Denied]]);
  });

  it('an algo that refuses its parameters denies the parent before risk; start() is never called', async () => {
    const started: string[] = [];
    const picky: OmsAlgos = {
      validate: (i) => (i.durationMs > 0 ? ok(true) : { ok: false, reason: { code: ErrorCode.OMS_ALGO_INVALID_PARAMS, message: '' } }),
      start(parent) {
        started.push(parent.orderId);
        return { onChildFill() {}, onChildDone() {}, cancel() {} };
      },
    };
    const { oms, journal } = setup({ algos: picky });
    const r = await oms.newOrder(intent({ venue: '', algo: Algo.TWAP, durationMs: 0, qty: 4 }));
    expect(r.ok && [r.value.status, r.value.reasonCode]).toEqual([OrderStatus.Denied, ErrorCode.OMS_ALGO_INVALID_PARAMS]);
    expect(started).toEqual([]);
    expect(journal.records('risk')).toEqual([]);
  });

  it('the algo outcome given through onDone sets the parent final status and code', async () => {
    const horizon: OmsAlgos = {
      start(_parent, ctx) {
        ctx.setTimer(1_000, () => {
          ctx.done?.();
          ctx.onDone?.({ status: OrderStatus.Expired, reasonCode: ErrorCode.OMS_ALGO_HORIZON_ENDED, filledQty: 0 });
        });
        return { onChildFill() {}, onChildDone() {}, cancel() {} };
      },
    };
    const { oms, timers, reports } = setup({ algos: horizon });
    const r = await oms.newOrder(intent({ venue: '', algo: Algo.TWAP, durationMs: 1_000, qty: 4 }));
    const pid = r.ok ? r.value.orderId : '';
    timers.advance(1_000);
    await settle();
    expect(oms.order(pid)).toMatchObject({ status: OrderStatus.Expired, reasonCode: ErrorCode.OMS_ALGO_HORIZON_ENDED });
    expect(of(reports, pid).at(-1)).toMatchObject({ execType: ExecType.Expired, reasonCode: ErrorCode.OMS_ALGO_HORIZON_ENDED });
  });
});

describe('Oms routing details', () => {
  it('plan children may carry their own order type and time in force', async () => {
    const { oms, ea } = setup({
      router: { route: (i) => ok([{ venue: 'sim-a', price: ea.bestBid() - 300, qty: i.qty, orderType: OrderType.Limit, timeInForce: TimeInForce.IOC }]) },
    });
    const r = await oms.newOrder(intent({ venue: '', qty: 2, timeInForce: TimeInForce.GTC }));
    await settle();
    const pid = r.ok ? r.value.orderId : '';
    const kid = oms.orders('alice').find((o) => o.parentOrderId === pid)!;
    expect([kid.timeInForce, kid.status]).toEqual([TimeInForce.IOC, OrderStatus.Expired]);
    expect(oms.order(pid)!.status).toBe(OrderStatus.Expired);
  });

  it('an execution for an order the OMS does not know is journaled as an alert, not applied', async () => {
    const { oms, a, ea, journal } = setup();
    a.submit({ orderId: 'stray', account: 'x', symbol: 'BTC-USD', side: Side.Buy, type: OrderType.Limit, timeInForce: TimeInForce.GTC, price: ea.bestBid() - 100, qty: 1, postOnly: false });
    await settle();
    expect(journal.records('alert').map((r) => r.code)).toEqual([ErrorCode.OMS_UNKNOWN_ORDER]);
    expect(oms.orders('x')).toEqual([]);
  });
});
