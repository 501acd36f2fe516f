import { describe, expect, it } from 'vitest';
import { Algo, OrderStatus, OrderType, TimeInForce } from '@tickmesh/shared';
import { AlgoRunner } from './algo-runner';
import { FakeAlgoContext } from './fake-algo-context';
import { algoParent } from './algo-test-parent';
import type { AlgoRunnerOptions } from './algo-options';
import type { Order } from '@tickmesh/shared';

function start(parent: Partial<Order>, options: AlgoRunnerOptions = {}) {
  const ctx = new FakeAlgoContext();
  ctx.now = 1_000_000;
  const handle = new AlgoRunner(options).start(algoParent({ algo: Algo.TWAP, ...parent }), ctx);
  ctx.handle = handle;
  return { ctx, handle };
}

/** Plays a venue that fills every child completely, synchronously. */
function fillAll(ctx: FakeAlgoContext): void {
  ctx.onSend = (c) => ctx.report(c.qty, OrderStatus.Filled);
}

const rel = (ctx: FakeAlgoContext) => ctx.sent.map((c) => [c.atMs - 1_000_000, c.qty]);

describe('TwapAlgo', () => {
  it('sends nothing until its first timer runs', () => {
    const { ctx } = start({ qty: 100 });
    expect(ctx.sent).toEqual([]);
  });

  it('slices 100 lots into 10 IOC children 6 s apart over 60 s', () => {
    const { ctx, handle } = start({ qty: 100, durationMs: 60_000, price: 10_050 });
    fillAll(ctx);
    ctx.advance(60_000);
    expect(rel(ctx)).toEqual([0, 6, 12, 18, 24, 30, 36, 42, 48, 54].map((s) => [s * 1000, 10]));
    expect(ctx.sent[0]).toMatchObject({ venue: '', price: 10_050, orderType: OrderType.Limit, timeInForce: TimeInForce.IOC });
    expect(ctx.dones).toEqual([{ status: OrderStatus.Filled, reasonCode: '', filledQty: 100 }]);
    expect(handle.filledQty).toBe(100);
    expect(ctx.pendingTimers).toBe(0);
  });

  it('tells the OMS when each next slice is due and when the horizon closes; none after the last', () => {
    const { ctx } = start({ qty: 40, durationMs: 0 }, { slices: 4 });
    ctx.onSend = (c) => ctx.report(c.qty - 1, OrderStatus.Canceled);
    ctx.advance(60_000);
    const rel0 = ctx.schedules.map((s) => [s.atMs - 1_000_000, s.nextSliceMs && s.nextSliceMs - 1_000_000, s.endsMs - 1_000_000]);
    // Each slice announces the next (the default 60 s horizon); the last slice has none; at the horizon, none.
    expect(rel0).toEqual([
      [0, 15_000, 60_000],
      [15_000, 30_000, 60_000],
      [30_000, 45_000, 60_000],
      [45_000, 0, 60_000],
      [60_000, 0, 60_000],
    ]);
  });

  it('announces nothing once filled: the parent is done', () => {
    const { ctx } = start({ qty: 10, durationMs: 10_000 }, { slices: 1 });
    fillAll(ctx);
    ctx.advance(10_000);
    expect(ctx.dones.map((d) => d.status)).toEqual([OrderStatus.Filled]);
    expect(ctx.schedules).toEqual([]);
  });

  it('gives the last slice the remainder of the even split', () => {
    const { ctx } = start({ qty: 107 });
    fillAll(ctx);
    ctx.advance(60_000);
    expect(ctx.sent.map((c) => c.qty)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 17]);
  });

  it('uses the default 60 s horizon when durationMs is 0 and the slices option', () => {
    const { ctx } = start({ qty: 40, durationMs: 0 }, { slices: 4 });
    fillAll(ctx);
    ctx.advance(60_000);
    expect(rel(ctx)).toEqual([
      [0, 10],
      [15_000, 10],
      [30_000, 10],
      [45_000, 10],
    ]);
  });

  it('keeps slices at least 1 s apart and never plans more slices than lots', () => {
    const short = start({ qty: 100, durationMs: 3_500 });
    fillAll(short.ctx);
    short.ctx.advance(3_500);
    expect(rel(short.ctx)).toEqual([
      [0, 33],
      [1_166, 33],
      [2_332, 34],
    ]);
    const small = start({ qty: 3, durationMs: 60_000 });
    fillAll(small.ctx);
    small.ctx.advance(60_000);
    expect(rel(small.ctx)).toEqual([
      [0, 1],
      [20_000, 1],
      [40_000, 1],
    ]);
  });

  it('rolls unfilled lots of a slice into the next one', () => {
    const { ctx } = start({ qty: 100 });
    // The venue fills 4 of each child and cancels the rest.
    ctx.onSend = (c) => ctx.report(Math.min(4, c.qty), OrderStatus.Canceled);
    ctx.advance(18_000);
    // Schedule 10, 20, 30, 40 cumulative; filled 0, 4, 8, 12 before each slice.
    expect(ctx.sent.map((c) => c.qty)).toEqual([10, 16, 22, 28]);
  });

  it('sends market children for a market parent', () => {
    const { ctx } = start({ qty: 10, orderType: OrderType.Market, price: 0 }, { slices: 2 });
    ctx.advance(0);
    expect(ctx.sent[0]).toMatchObject({ price: 0, qty: 5, orderType: OrderType.Market, timeInForce: TimeInForce.IOC });
  });

  it('skips a slice while a child is still working and catches up afterwards', () => {
    const { ctx, handle } = start({ qty: 100 });
    ctx.advance(0);
    ctx.advance(6_000); // child 0 still in flight: slice 1 is skipped
    expect(ctx.sent.map((c) => c.qty)).toEqual([10]);
    handle.onChildFill(10);
    handle.onChildDone('x', OrderStatus.Filled);
    ctx.advance(6_000);
    expect(ctx.sent.map((c) => c.qty)).toEqual([10, 20]);
  });

  it('expires at the horizon with the remainder unfilled, never over-filling', () => {
    const { ctx, handle } = start({ qty: 100 });
    ctx.onSend = (c) => ctx.report(c.qty - 5, OrderStatus.Canceled);
    ctx.advance(59_999);
    expect(ctx.dones).toEqual([]);
    ctx.advance(1);
    expect(ctx.dones).toEqual([{ status: OrderStatus.Expired, reasonCode: 'OMS_ALGO_HORIZON_ENDED', filledQty: handle.filledQty }]);
    expect(handle.filledQty).toBeLessThan(100);
    expect(handle.sentQty - 5 * ctx.sent.length).toBe(handle.filledQty);
    ctx.advance(60_000);
    expect(ctx.sent.length).toBe(10);
  });

  it('waits for an in-flight child at the horizon, then cancels it after the grace period', () => {
    const { ctx } = start({ qty: 10, durationMs: 10_000 }, { slices: 1, horizonGraceMs: 2_000 });
    ctx.advance(10_000);
    expect(ctx.dones).toEqual([]);
    ctx.advance(2_000);
    expect(ctx.cancelCalls).toBe(1);
    expect(ctx.dones.map((d) => d.reasonCode)).toEqual(['OMS_ALGO_HORIZON_ENDED']);
  });

  it('expires as soon as the in-flight child ends after the horizon', () => {
    const { ctx, handle } = start({ qty: 10, durationMs: 10_000 }, { slices: 1 });
    ctx.advance(10_500);
    handle.onChildFill(3);
    handle.onChildDone('x', OrderStatus.Canceled);
    expect(ctx.dones).toEqual([{ status: OrderStatus.Expired, reasonCode: 'OMS_ALGO_HORIZON_ENDED', filledQty: 3 }]);
    expect(ctx.cancelCalls).toBe(0);
  });

  it('cancel stops every further slice and cancels the working child', () => {
    const { ctx, handle } = start({ qty: 100 });
    ctx.advance(6_000);
    expect(ctx.sent.length).toBe(1);
    handle.cancel();
    expect(ctx.cancelCalls).toBe(1);
    expect(ctx.dones).toEqual([{ status: OrderStatus.Canceled, reasonCode: 'OMS_ALGO_CANCELED', filledQty: 0 }]);
    expect(ctx.pendingTimers).toBe(0);
    ctx.advance(120_000);
    handle.cancel();
    expect(ctx.sent.length).toBe(1);
    expect(ctx.dones.length).toBe(1);
  });
});
