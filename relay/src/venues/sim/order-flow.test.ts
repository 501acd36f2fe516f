import { afterEach, describe, expect, it, vi } from 'vitest';
import { Side } from '@tickmesh/shared';
import { MatchingEngine } from './matching-engine';
import { OrderFlowGenerator } from './order-flow';
import { RecordingListener } from './recording-listener';

const BTC = { startPrice: 5_000_000, baseQty: 500 };

function make(seed: number, listener?: RecordingListener): { e: MatchingEngine; g: OrderFlowGenerator } {
  const e = new MatchingEngine(listener ? { listener } : {});
  return { e, g: new OrderFlowGenerator(e, { seed, ...BTC }) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('OrderFlowGenerator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = make(5);
    const b = make(5);
    const c = make(6);
    for (const x of [a, b, c]) {
      x.g.prime();
      x.g.step(5000);
    }
    expect(a.e.stateHash()).toBe(b.e.stateHash());
    expect(a.e.lastTradeId).toBe(b.e.lastTradeId);
    expect(a.g.fairPrice).toBe(b.g.fairPrice);
    expect(c.e.stateHash()).not.toBe(a.e.stateHash());
  });

  it('keeps a realistic book: deep, tight, varied sizes, trading, valid', () => {
    const rec = new RecordingListener();
    const { e, g } = make(11, rec);
    g.prime();
    const spreads: number[] = [];
    let minDepth = Infinity;
    for (let i = 0; i < 100; i++) {
      g.step(200);
      e.validateInternalState();
      spreads.push(e.bestAsk() - e.bestBid());
      minDepth = Math.min(minDepth, e.depth(Side.Buy), e.depth(Side.Sell));
    }
    spreads.sort((x, y) => x - y);
    const grid = 10; // max(1, round(5e6 × 2e-6))
    expect(minDepth).toBeGreaterThanOrEqual(20);
    expect(spreads[50]!).toBeLessThanOrEqual(4 * grid);
    expect(spreads[0]!).toBeGreaterThan(0);
    // The market follows its fair price.
    expect(Math.abs((e.bestBid() + e.bestAsk()) / 2 - g.fairPrice)).toBeLessThan(30 * grid);
    const sizes = new Set<number>();
    e.forEachLevel(Side.Buy, (_p, t) => sizes.add(t), 20);
    expect(sizes.size).toBeGreaterThan(15);
    expect(e.lastTradeId).toBeGreaterThan(1000);
    const aggressors = new Set(rec.trades.map((t) => t.aggressor));
    expect(aggressors).toEqual(new Set([Side.Buy, Side.Sell]));
    // The only refusals the generator expects: post-only quotes the market moved through.
    expect(rec.orders.filter((o) => o.kind === 'rejected' && o.code !== 'VENUE_POST_ONLY_WOULD_TAKE' && o.code !== 'VENUE_NO_LIQUIDITY')).toEqual([]);
  });

  it('has bursts of activity', () => {
    const { g } = make(3);
    g.prime();
    let bursts = 0;
    let was = false;
    for (let i = 0; i < 20_000; i++) {
      g.step(1);
      if (g.bursting && !was) bursts++;
      was = g.bursting;
    }
    expect(bursts).toBeGreaterThan(3);
  });

  it('start(rate) runs about `rate` actions per second on a timer; stop() ends it', () => {
    vi.useFakeTimers();
    const { g } = make(1);
    g.start(200);
    vi.advanceTimersByTime(2000);
    const n = g.actionCount;
    expect(n).toBeGreaterThan(300);
    expect(n).toBeLessThan(2000);
    g.stop();
    vi.advanceTimersByTime(2000);
    expect(g.actionCount).toBe(n);
    expect(vi.getTimerCount()).toBe(0);
  });
});
