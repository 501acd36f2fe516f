import { describe, expect, it } from 'vitest';
import { Algo, FastBook, OrderStatus, OrderType, Side, TimeInForce, type Order } from '@tickmesh/shared';
import { testInstrument } from '../../../../shared/src/model/instrument-fixtures';
import { SmartOrderRouter } from '../sor';
import { AlgoRunner } from './algo-runner';
import { FakeAlgoContext } from './fake-algo-context';
import { algoParent } from './algo-test-parent';

/** Two venues: a shows 4 lots at 100, b 6 lots at 100; b pays the better maker rebate. */
function sor(): SmartOrderRouter {
  const a = new FastBook();
  a.apply(Side.Sell, 100, 4);
  a.apply(Side.Buy, 95, 10);
  const b = new FastBook();
  b.apply(Side.Sell, 100, 6);
  b.apply(Side.Buy, 94, 10);
  const quotes = [
    { venue: 'a', instrument: testInstrument({ venue: 'a' }), book: a },
    { venue: 'b', instrument: testInstrument({ venue: 'b', makerFeeBpsX100: -100 }), book: b },
  ];
  return new SmartOrderRouter({ quotes: () => quotes });
}

function start(parent: Partial<Order>) {
  const ctx = new FakeAlgoContext();
  const handle = new AlgoRunner({}, sor()).start(algoParent(parent), ctx);
  ctx.handle = handle;
  let doneCalls = 0;
  ctx.done = () => void doneCalls++;
  return { ctx, handle, doneCalls: () => doneCalls };
}

describe('algos with a router', () => {
  it('splits a TWAP slice into venue legs and waits for every leg before the next slice', () => {
    const { ctx, handle } = start({ algo: Algo.TWAP, qty: 100, price: 100, durationMs: 20_000 });
    ctx.advance(0);
    expect(ctx.sent.map((c) => [c.venue, c.price, c.qty, c.timeInForce])).toEqual([
      ['a', 100, 4, TimeInForce.IOC],
      ['b', 100, 6, TimeInForce.IOC],
    ]);
    handle.onChildFill(4);
    handle.onChildDone('a-1', OrderStatus.Filled);
    ctx.advance(2_000); // leg b still working: the slice is skipped
    expect(ctx.sent.length).toBe(2);
    handle.onChildDone('b-1', OrderStatus.Canceled);
    expect(handle.childWorking).toBe(false);
    ctx.advance(2_000);
    // Schedule 30 by slice 2, 4 filled: the next clip asks 26, more than both venues show.
    expect(ctx.sent.slice(2).map((c) => [c.venue, c.qty])).toEqual([
      ['a', 4],
      ['b', 6],
    ]);
  });

  it('skips a slice the router cannot place and never sends venue ""', () => {
    const { ctx, doneCalls } = start({ algo: Algo.TWAP, qty: 20, price: 99, durationMs: 20_000 });
    ctx.advance(20_000);
    expect(ctx.sent).toEqual([]);
    expect(ctx.dones.map((d) => [d.status, d.reasonCode])).toEqual([[OrderStatus.Expired, 'OMS_ALGO_HORIZON_ENDED']]);
    expect(doneCalls()).toBe(1);
  });

  it('rests iceberg clips at the cheapest maker venue and refills there', () => {
    const { ctx, handle } = start({ algo: Algo.Iceberg, qty: 25, displayQty: 10, price: 96, orderType: OrderType.Limit });
    ctx.advance(0);
    expect(ctx.sent.map((c) => [c.venue, c.price, c.qty, c.timeInForce])).toEqual([['b', 96, 10, TimeInForce.GTC]]);
    ctx.report(10, OrderStatus.Filled);
    ctx.report(10, OrderStatus.Filled);
    expect(ctx.sent.map((c) => c.qty)).toEqual([10, 10, 5]);
    ctx.report(5, OrderStatus.Filled);
    expect(handle.result).toEqual({ status: OrderStatus.Filled, reasonCode: '', filledQty: 25 });
  });

  it('does not call ctx.done() when the OMS cancels the parent', () => {
    const { ctx, handle, doneCalls } = start({ algo: Algo.Iceberg, qty: 25, displayQty: 10, price: 96 });
    ctx.advance(0);
    handle.cancel();
    expect(doneCalls()).toBe(0);
    expect(ctx.cancelCalls).toBe(1);
    expect(ctx.dones.map((d) => d.reasonCode)).toEqual(['OMS_ALGO_CANCELED']);
  });
});
