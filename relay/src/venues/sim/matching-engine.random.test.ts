import { describe, expect, it } from 'vitest';
import { OrderType, Side, TimeInForce } from '@tickmesh/shared';
import { MatchingEngine } from './matching-engine';
import { Prng } from './prng';
import { RecordingListener } from './recording-listener';
import { ReferenceMatcher } from './reference-matcher';
import type { EngineResult } from './engine-result';

/** What both matchers accept; lets one random stream drive either. */
interface Matcher {
  submit(account: number, side: Side, type: OrderType, tif: TimeInForce, price: number, qty: number, postOnly?: boolean): EngineResult;
  cancel(id: number): EngineResult;
  replace(id: number, price: number, qty: number): EngineResult;
  move(id: number, price: number): EngineResult;
}

/**
 * Applies one random command. Ids are picked from [1, nextId) so unknown/filled ids are
 * exercised too; a few invalid prices/quantities are mixed in.
 */
function randomCommand(r: Prng, m: Matcher, nextId: number, mid: number): EngineResult {
  const side = r.chance(0.5) ? Side.Buy : Side.Sell;
  const account = r.range(1, 6);
  const x = r.float();
  const anyId = () => Math.max(1, nextId - r.range(1, 60));
  const px = () => (side === Side.Buy ? mid - r.range(-4, 12) : mid + r.range(-4, 12));
  const qty = () => (r.chance(0.005) ? 0 : r.range(1, 20));
  if (x < 0.4) return m.submit(account, side, OrderType.Limit, TimeInForce.GTC, r.chance(0.003) ? -1 : px(), qty(), r.chance(0.1));
  if (x < 0.48) return m.submit(account, side, OrderType.Limit, TimeInForce.IOC, px(), qty());
  if (x < 0.52) return m.submit(account, side, OrderType.Limit, TimeInForce.FOK, px(), r.range(1, 40));
  if (x < 0.55) return m.submit(account, side, OrderType.Market, TimeInForce.IOC, 0, qty());
  if (x < 0.7) return m.cancel(anyId());
  if (x < 0.85) return m.move(anyId(), px());
  return m.replace(anyId(), r.chance(0.5) ? px() : mid, r.range(1, 25));
}

function runEngine(seed: number, n: number, check?: (e: MatchingEngine, i: number) => void): { engine: MatchingEngine; codes: string[] } {
  const r = new Prng(seed);
  const e = new MatchingEngine();
  const codes: string[] = [];
  let mid = 1000;
  for (let i = 0; i < n; i++) {
    if (r.chance(0.01)) mid += r.range(-3, 3);
    codes.push(randomCommand(r, e, e.nextOrderId, mid));
    check?.(e, i);
  }
  return { engine: e, codes };
}

describe('MatchingEngine: randomized', () => {
  it('keeps every invariant over 100k random commands and replays to the same stateHash', () => {
    let checks = 0;
    const a = runEngine(12345, 100_000, (e, i) => {
      if (i % 1000 === 0) {
        e.validateInternalState();
        checks++;
      }
    });
    a.engine.validateInternalState();
    expect(checks).toBe(100);
    expect(a.engine.lastTradeId).toBeGreaterThan(10_000);
    expect(a.engine.orderCount).toBeGreaterThan(10);
    const b = runEngine(12345, 100_000);
    expect(b.engine.stateHash()).toBe(a.engine.stateHash());
    expect(b.codes).toEqual(a.codes);
    const c = runEngine(54321, 100_000);
    expect(c.engine.stateHash()).not.toBe(a.engine.stateHash());
  });

  it.each([1, 2, 3, 4, 5, 6])('matches the naive reference matcher exactly (seed %i)', (seed) => {
    const rec = new RecordingListener();
    const eng = new MatchingEngine({ listener: rec });
    const ref = new ReferenceMatcher();
    const r1 = new Prng(seed);
    const r2 = new Prng(seed);
    const seen = new Set<string>();
    let mid1 = 500;
    let mid2 = 500;
    for (let i = 0; i < 4000; i++) {
      if (r1.chance(0.01)) mid1 += r1.range(-3, 3);
      if (r2.chance(0.01)) mid2 += r2.range(-3, 3);
      const c1 = randomCommand(r1, eng, eng.nextOrderId, mid1);
      const c2 = randomCommand(r2, ref, ref.nextOrderId, mid2);
      expect(c1, `code of command ${i}`).toBe(c2);
      seen.add(c1);
      expect(rec.trades.length, `trades after command ${i}`).toBe(ref.trades.length);
    }
    expect(rec.trades.map((t) => ({ tradeId: t.tradeId, price: t.price, qty: t.qty, aggressor: t.aggressor, maker: t.maker, taker: t.taker }))).toEqual(ref.trades);
    expect(rec.trades.length).toBeGreaterThan(300);
    // The stream must actually exercise the interesting paths, or the comparison proves little.
    for (const code of ['OK', 'VENUE_UNKNOWN_ORDER', 'VENUE_POST_ONLY_WOULD_TAKE', 'VENUE_FOK_UNFILLABLE', 'VENUE_INVALID_QTY']) expect(seen).toContain(code);
    expect(rec.orders.some((e) => e.code === 'VENUE_SELF_TRADE_PREVENTED')).toBe(true);
    expect(eng.restingOrders(Side.Buy)).toEqual(ref.restingOrders(Side.Buy));
    expect(eng.restingOrders(Side.Sell)).toEqual(ref.restingOrders(Side.Sell));
    eng.validateInternalState();
  });

  it('L2 events replayed into a map reproduce the final book', () => {
    const rec = new RecordingListener();
    const e = new MatchingEngine({ listener: rec });
    const r = new Prng(99);
    for (let i = 0; i < 20_000; i++) randomCommand(r, e, e.nextOrderId, 1000);
    for (const side of [Side.Buy, Side.Sell]) {
      const m = new Map<number, number>();
      for (const l of rec.levels) if (l.side === side) (l.size === 0 ? m.delete(l.price) : m.set(l.price, l.size));
      const fromEngine: [number, number][] = [];
      e.forEachLevel(side, (p, t) => fromEngine.push([p, t]));
      expect([...m.entries()].sort((a, b) => (side === Side.Buy ? b[0] - a[0] : a[0] - b[0]))).toEqual(fromEngine);
    }
  });
});
