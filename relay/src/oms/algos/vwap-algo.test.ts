import { describe, expect, it } from 'vitest';
import { Algo, OrderStatus, TimeInForce, type Order } from '@tickmesh/shared';
import { AlgoRunner } from './algo-runner';
import type { AlgoRunnerOptions } from './algo-options';
import { FakeAlgoContext } from './fake-algo-context';
import { algoParent } from './algo-test-parent';

function start(parent: Partial<Order>, options: AlgoRunnerOptions = {}, volumeAtStart = 5_000) {
  const ctx = new FakeAlgoContext();
  ctx.volume = volumeAtStart;
  const handle = new AlgoRunner(options).start(algoParent({ algo: Algo.VWAP, ...parent }), ctx);
  ctx.handle = handle;
  ctx.onSend = (c) => ctx.report(c.qty, OrderStatus.Filled);
  return { ctx, handle };
}

/** Advances interval by interval, adding the scripted market volume traded in each one. */
function play(ctx: FakeAlgoContext, intervalMs: number, perInterval: number[]): void {
  for (const v of perInterval) {
    ctx.volume += v;
    ctx.advance(intervalMs);
  }
}

describe('VwapAlgo', () => {
  it('tells the OMS when each next interval is due (the last one at the horizon) and when the horizon closes', () => {
    const { ctx } = start({ qty: 1_000, durationMs: 30_000 }, { slices: 3 });
    play(ctx, 10_000, [100, 100, 100]);
    expect(ctx.schedules.map((s) => [s.atMs, s.nextSliceMs, s.endsMs])).toEqual([
      [0, 10_000, 30_000],
      [10_000, 20_000, 30_000],
      [20_000, 30_000, 30_000],
      [30_000, 0, 30_000],
    ]);
  });

  it('sizes each child at 10 % of the volume traded in the interval before it', () => {
    const { ctx } = start({ qty: 1_000, durationMs: 60_000 });
    play(ctx, 6_000, [100, 250, 30, 0, 70, 1_000, 400, 90, 60, 500]);
    // The silent interval sends nothing; the 10th child is sent by the horizon itself.
    expect(ctx.sent.map((c) => [c.atMs, c.qty])).toEqual([
      [6_000, 10],
      [12_000, 25],
      [18_000, 3],
      [30_000, 7],
      [36_000, 100],
      [42_000, 40],
      [48_000, 9],
      [54_000, 6],
      [60_000, 50],
    ]);
    expect(ctx.sent[0]).toMatchObject({ venue: '', price: 10_000, timeInForce: TimeInForce.IOC });
    expect(ctx.dones).toEqual([{ status: OrderStatus.Expired, reasonCode: 'OMS_ALGO_HORIZON_ENDED', filledQty: 250 }]);
  });

  it('follows the participation rate option and sends at least 1 lot', () => {
    const { ctx } = start({ qty: 1_000, durationMs: 4_000 }, { participationRate: 0.25, slices: 4 });
    play(ctx, 1_000, [3, 40, 8, 100]);
    expect(ctx.sent.map((c) => c.qty)).toEqual([1, 10, 2, 25]);
  });

  it('caps the child at the remaining quantity and reports Filled', () => {
    const { ctx } = start({ qty: 30, durationMs: 60_000 });
    play(ctx, 6_000, [200, 200]);
    expect(ctx.sent.map((c) => c.qty)).toEqual([20, 10]);
    expect(ctx.dones).toEqual([{ status: OrderStatus.Filled, reasonCode: '', filledQty: 30 }]);
    ctx.volume += 1_000;
    ctx.advance(60_000);
    expect(ctx.sent.length).toBe(2);
  });

  it('counts the volume of a skipped interval (child still working) towards the next child', () => {
    const { ctx, handle } = start({ qty: 1_000, durationMs: 60_000 });
    ctx.onSend = undefined;
    play(ctx, 6_000, [100, 300]);
    expect(ctx.sent.map((c) => c.qty)).toEqual([10]);
    handle.onChildFill(10);
    handle.onChildDone('x', OrderStatus.Filled);
    play(ctx, 6_000, [100]);
    expect(ctx.sent.map((c) => c.qty)).toEqual([10, 40]);
  });

  it('cancel stops participation', () => {
    const { ctx, handle } = start({ qty: 1_000, durationMs: 60_000 });
    play(ctx, 6_000, [100]);
    handle.cancel();
    play(ctx, 6_000, [100, 100, 100]);
    expect(ctx.sent.length).toBe(1);
    expect(ctx.dones.map((d) => d.reasonCode)).toEqual(['OMS_ALGO_CANCELED']);
    expect(ctx.pendingTimers).toBe(0);
  });
});
