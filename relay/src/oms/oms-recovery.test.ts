import { describe, expect, it } from 'vitest';
import { Algo, ErrorCode, ExecType, OrderStatus, Side, TimeInForce, type ExecutionReportMsg, type Order } from '@tickmesh/shared';
import { SimVenue } from '../venues/sim/sim-venue';
import { ManualTimers, MemoryJournal, fakeRisk, intent, makeOms, settle, slicingAlgos, steppingClock } from './oms-test-kit';
import type { Oms } from './oms';

function venues(clock: () => number) {
  return [new SimVenue({ id: 'sim-a', seed: 21, nowUs: clock }), new SimVenue({ id: 'sim-b', seed: 22, nowUs: clock, priceOffsetBps: 2 })];
}

/** A live session touching every path: fills, resting, cancel, replace, denial, SOR and algo parents. */
async function liveSession() {
  const clock = steppingClock();
  const [a, b] = venues(clock);
  const journal = new MemoryJournal();
  const timers = new ManualTimers();
  const denyBig = fakeRisk();
  const oms = makeOms([a!, b!], {
    journal,
    nowUs: clock,
    setTimer: timers.set,
    algos: slicingAlgos('sim-b', 2, 100),
    risk: { checkNew: (i) => (i.qty > 1_000 ? { ok: false, reason: { code: 'RISK_MAX_QTY', message: 'qty above 1,000 lots' } } : denyBig.checkNew(i)), checkReplace: denyBig.checkReplace },
  });
  const ea = a!.market('BTC-USD')!.engine;
  const ee = a!.market('ETH-USD')!.engine;
  const go = async (p: Promise<unknown>) => {
    await p;
    await settle();
  };
  await go(oms.newOrder(intent({ clientOrderId: 'ioc', timeInForce: TimeInForce.IOC, price: ea.bestAsk() + 300, qty: 40 })));
  await go(oms.newOrder(intent({ clientOrderId: 'sell-eth', symbol: 'ETH-USD', side: Side.Sell, timeInForce: TimeInForce.IOC, price: ee.bestBid() - 300, qty: 25 })));
  await go(oms.newOrder(intent({ clientOrderId: 'rest', price: ea.bestBid() - 200, qty: 9 })));
  await go(oms.newOrder(intent({ clientOrderId: 'gone', price: ea.bestBid() - 200, qty: 9 })));
  await go(oms.cancel('alice', 'gone'));
  await go(oms.newOrder(intent({ clientOrderId: 'move', side: Side.Sell, price: ea.bestAsk() + 200, qty: 6 })));
  await go(oms.replace('alice', 'move', 'moved', ea.bestAsk() + 150, 4));
  await go(oms.newOrder(intent({ clientOrderId: 'huge', qty: 5_000 })));
  await go(oms.newOrder(intent({ clientOrderId: 'sor', venue: '', timeInForce: TimeInForce.IOC, price: ea.bestAsk() + 3_000, qty: 8 })));
  await go(oms.newOrder(intent({ clientOrderId: 'sor-rest', venue: '', price: ea.bestBid() - 400, qty: 4 })));
  await go(oms.newOrder(intent({ clientOrderId: 'twap', venue: '', algo: Algo.TWAP, side: Side.Sell, price: 1, qty: 6 })));
  timers.advance(100);
  await settle();
  await go(oms.newOrder(intent({ account: 'bob', clientOrderId: 'ioc', side: Side.Sell, timeInForce: TimeInForce.IOC, price: ea.bestBid() - 100, qty: 12 })));
  // Make the market trade through the resting orders for a while.
  for (let i = 0; i < 5; i++) {
    a!.step(300);
    b!.step(300);
    await settle(1);
  }
  await settle();
  return { oms, journal, timers };
}

function snapshotOf(oms: Oms, accounts: string[]) {
  return Object.fromEntries(
    accounts.map((acc) => [acc, { orders: oms.orders(acc), fills: oms.fills(acc), positions: oms.positions(acc, () => 5_000_000) }]),
  );
}

describe('Oms.recover', () => {
  it('rebuilds the same orders, fills and positions from the journal; open orders are lost with the venue session, algo parents interrupted', async () => {
    const live = await liveSession();
    const before = snapshotOf(live.oms, ['alice', 'bob']);
    expect(before.alice!.fills.length).toBeGreaterThan(3);
    expect(before.alice!.orders.some((o) => o.status === OrderStatus.Denied)).toBe(true);
    // Denials keep their text, and (compared whole below) keep it after the restart.
    expect(before.alice!.orders.filter((o) => o.status === OrderStatus.Denied).every((o) => o.reason !== '')).toBe(true);
    const open = new Set(live.oms.orders('alice', { open: true }).map((o) => o.orderId));
    expect(open.size).toBeGreaterThan(0);
    // Algo parents are not restarted: they end with their own code, the rest with the session.
    const algoParents = new Set(live.oms.orders('alice', { open: true }).filter((o) => o.algo !== Algo.None).map((o) => o.orderId));
    expect(algoParents.size).toBe(1);
    const codeAfterRestart = (id: string) => (algoParents.has(id) ? ErrorCode.OMS_ALGO_INTERRUPTED : ErrorCode.OMS_VENUE_SESSION_LOST);

    const clock = steppingClock();
    const journal = new MemoryJournal();
    const oms = makeOms(venues(clock), { journal, nowUs: clock });
    const emitted: ExecutionReportMsg[] = [];
    oms.onReport((r) => emitted.push(r));
    const summary = await oms.recover(live.journal.entries);
    await settle();
    const after = snapshotOf(oms, ['alice', 'bob']);

    expect(summary).toMatchObject({ orders: before.alice!.orders.length + before.bob!.orders.length, lost: open.size - algoParents.size, interrupted: algoParents.size });
    expect(summary.fills).toBe(before.alice!.fills.length + before.bob!.fills.length);
    for (const acc of ['alice', 'bob']) {
      expect(after[acc]!.fills).toEqual(before[acc]!.fills);
      expect(after[acc]!.positions).toEqual(before[acc]!.positions);
      const expected = before[acc]!.orders.map((o: Order) =>
        open.has(o.orderId) ? { ...o, status: OrderStatus.Canceled, reasonCode: codeAfterRestart(o.orderId), updatedUs: expect.any(Number) } : o,
      );
      expect(after[acc]!.orders).toEqual(expected);
    }
    // Only the lost-session cancels were journaled and emitted; nothing replayed was.
    expect(journal.entries.map((e) => e.record.kind)).toEqual([...open].map(() => 'execution'));
    expect(emitted.map((r) => [r.orderId, r.execType, r.reasonCode]).sort()).toEqual(
      [...open].map((id) => [id, ExecType.Canceled, codeAfterRestart(id)]).sort(),
    );
    expect(oms.orders('alice', { open: true })).toEqual([]);
    expect(oms.exposure('alice', 'BTC-USD')).toMatchObject({ openOrders: 0, position: before.alice!.positions.find((p: { symbol: string }) => p.symbol === 'BTC-USD')!.qty });
  });

  it('after recovery used client ids are refused (also replaced ones) and order ids continue', async () => {
    const live = await liveSession();
    const clock = steppingClock();
    const oms = makeOms(venues(clock), { nowUs: clock });
    await oms.recover(live.journal.entries);
    for (const id of ['ioc', 'huge', 'move', 'moved', 'sor', 'twap']) {
      const r = await oms.newOrder(intent({ clientOrderId: id }));
      expect(r.ok ? '' : r.reason.code).toBe(ErrorCode.OMS_DUPLICATE_CLIENT_ORDER_ID);
    }
    const maxLive = Math.max(...live.oms.orders('alice').concat(live.oms.orders('bob')).map((o) => Number(o.orderId.slice(2))));
    const fresh = await oms.newOrder(intent({ clientOrderId: 'new', price: 1 }));
    expect(fresh.ok && Number(fresh.value.orderId.slice(2))).toBe(maxLive + 1);
    // bob's 'ioc' is bob's: alice's 'ioc' being used does not block bob's 'other'.
    expect((await oms.newOrder(intent({ account: 'bob', clientOrderId: 'other', price: 1 }))).ok).toBe(true);
  });

  it('recover() refuses to run once orders exist', async () => {
    const clock = steppingClock();
    const oms = makeOms(venues(clock), { nowUs: clock });
    await oms.newOrder(intent({ price: 1 }));
    await expect(oms.recover([])).rejects.toThrow();
  });
});
