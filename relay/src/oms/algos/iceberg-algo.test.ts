import { describe, expect, it } from 'vitest';
import { Algo, OrderStatus, OrderType, TimeInForce, type Order } from '@tickmesh/shared';
import { AlgoRunner } from './algo-runner';
import { FakeAlgoContext } from './fake-algo-context';
import { algoParent } from './algo-test-parent';

function start(parent: Partial<Order>) {
  const ctx = new FakeAlgoContext();
  const handle = new AlgoRunner().start(
    algoParent({ algo: Algo.Iceberg, qty: 100, displayQty: 30, price: 9_990, timeInForce: TimeInForce.GTC, ...parent }),
    ctx,
  );
  ctx.handle = handle;
  return { ctx, handle };
}

describe('IcebergAlgo', () => {
  it('rests one GTC child of displayQty at the limit on the parent venue', () => {
    const { ctx } = start({ venue: 'sim-a' });
    ctx.advance(0);
    expect(ctx.sent).toEqual([
      { venue: 'sim-a', price: 9_990, qty: 30, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC, atMs: 0 },
    ]);
  });

  it('refills only when a child is completely filled, and the total never exceeds the parent qty', () => {
    const { ctx, handle } = start({});
    ctx.advance(0);
    handle.onChildFill(10);
    handle.onChildDone('c0', OrderStatus.PartiallyFilled); // not terminal: no refill
    expect(ctx.sent.length).toBe(1);
    handle.onChildFill(20);
    handle.onChildDone('c0', OrderStatus.Filled);
    expect(ctx.sent.map((c) => c.qty)).toEqual([30, 30]);
    ctx.report(30, OrderStatus.Filled);
    ctx.report(30, OrderStatus.Filled);
    expect(ctx.sent.map((c) => c.qty)).toEqual([30, 30, 30, 10]);
    ctx.report(10, OrderStatus.Filled);
    expect(ctx.sent.reduce((s, c) => s + c.qty, 0)).toBe(100);
    expect(ctx.dones).toEqual([{ status: OrderStatus.Filled, reasonCode: '', filledQty: 100 }]);
  });

  it('handles venues filling synchronously inside sendChild without deep recursion', () => {
    const { ctx, handle } = start({ qty: 50_000, displayQty: 1 });
    ctx.onSend = (c) => ctx.report(c.qty, OrderStatus.Filled);
    ctx.advance(0);
    expect(ctx.sent.length).toBe(50_000);
    expect(handle.filledQty).toBe(50_000);
    expect(ctx.dones.map((d) => d.status)).toEqual([OrderStatus.Filled]);
  });

  it('shows all of a parent smaller than displayQty at once', () => {
    const { ctx } = start({ qty: 12, displayQty: 30 });
    ctx.advance(0);
    expect(ctx.sent.map((c) => c.qty)).toEqual([12]);
  });

  it('cancel cancels the resting child and sends nothing more', () => {
    const { ctx, handle } = start({});
    ctx.advance(0);
    handle.onChildFill(5);
    handle.cancel();
    expect(ctx.cancelCalls).toBe(1);
    expect(ctx.dones).toEqual([{ status: OrderStatus.Canceled, reasonCode: 'OMS_ALGO_CANCELED', filledQty: 5 }]);
    handle.onChildFill(25);
    handle.onChildDone('c0', OrderStatus.Filled);
    expect(ctx.sent.length).toBe(1);
    expect(ctx.dones.length).toBe(1);
  });

  it('ends when a child ends other than filled instead of refilling', () => {
    const rejected = start({});
    rejected.ctx.advance(0);
    rejected.handle.onChildDone('c0', OrderStatus.Rejected);
    expect(rejected.ctx.sent.length).toBe(1);
    expect(rejected.ctx.dones).toEqual([{ status: OrderStatus.Canceled, reasonCode: 'OMS_ALGO_CHILD_ENDED', filledQty: 0 }]);

    const expired = start({ timeInForce: TimeInForce.Day });
    expired.ctx.advance(0);
    expect(expired.ctx.sent[0]!.timeInForce).toBe(TimeInForce.Day);
    expired.handle.onChildDone('c0', OrderStatus.Expired);
    expect(expired.ctx.dones.map((d) => [d.status, d.reasonCode])).toEqual([[OrderStatus.Expired, 'OMS_ALGO_CHILD_ENDED']]);
  });

  it('resumes a recovered parent from its filled quantity', () => {
    const { ctx } = start({ qty: 100, filledQty: 90 });
    ctx.advance(0);
    expect(ctx.sent.map((c) => c.qty)).toEqual([10]);
  });
});
