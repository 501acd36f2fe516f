import { Algo, ErrorCode, ExecType, OrderStatus, OrderType, Side, TimeInForce } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { MomentumIgnitionDetector, type MomentumIgnitionOptions } from './momentum-ignition-detector';
import { Surveillance } from './surveillance';
import type { SurveillanceAlert } from './surveillance-alert';
import type { TradingEvent } from './trading-event';

type Fill = Extract<TradingEvent, { kind: 'fill' }>;

/** Fills of one account in BTC-USD at sim-a, with ms times and journal seqs counted up. */
class Fills {
  private seq = 0;
  readonly alerts: SurveillanceAlert[] = [];
  constructor(private readonly d = new MomentumIgnitionDetector()) {}

  fill(ms: number, side: Side, price: number, qty: number, maker = false, over: Partial<Fill> = {}): number {
    const seq = ++this.seq;
    this.alerts.push(...this.d.onFill({
      kind: 'fill', seq, timeUs: ms * 1000, account: 'mi', orderId: `o${seq}`, symbol: 'BTC-USD', venue: 'sim-a', side, price, qty, tradeId: seq, maker, ...over,
    }));
    return seq;
  }
}

const fills = (o?: MomentumIgnitionOptions) => new Fills(new MomentumIgnitionDetector(o));

/** Three taker buys 0 → 20 bps up (5,000,000 → 5,010,000 ticks) within 600 ms. */
function ignite(f: Fills, at = 0, side: Side = Side.Buy): number[] {
  const dir = side === Side.Buy ? 1 : -1;
  return [0, 5_000, 10_000].map((d, i) => f.fill(at + i * 300, side, 5_000_000 + dir * d, 2));
}

describe('momentum ignition', () => {
  it('a quick run of taker buys that lifts the price, then resting sells filled above its average: fires with the run and the exit as evidence', () => {
    const f = fills();
    const run = ignite(f);
    expect(f.alerts).toEqual([]);
    const exit = f.fill(2_000, Side.Sell, 5_012_000, 6, true);
    expect(f.alerts.map((a) => [a.code, a.account, a.symbol])).toEqual([[ErrorCode.SURV_MOMENTUM_IGNITION, 'mi', 'BTC-USD']]);
    const a = f.alerts[0]!;
    // Passive exit (+0.2) of the whole run's quantity (+0.2).
    expect(a.score).toBe(1);
    expect(a.evidence.map((e) => e.seq)).toEqual([...run, exit]);
    expect(a.evidence.every((e) => e.what === 'fill')).toBe(true);
  });

  it('the mirror image (taker sells pushing down, bought back below) fires too; an aggressive partial exit scores lower', () => {
    const f = fills();
    ignite(f, 0, Side.Sell);
    f.fill(1_500, Side.Buy, 4_990_000, 3, false);
    expect(f.alerts.map((a) => [a.code, a.score])).toEqual([[ErrorCode.SURV_MOMENTUM_IGNITION, 0.6]]);
  });

  it('no alert for a run that is held, one that does not move the price, a loss-making unwind, a late unwind or maker buys', () => {
    // Held: the run is never unwound.
    const held = fills();
    ignite(held);
    held.fill(3_000, Side.Buy, 5_011_000, 1);
    expect(held.alerts).toEqual([]);

    // A large order worked in pieces at one price (a TWAP): no move, no ignition.
    const flat = fills();
    for (let i = 0; i < 6; i++) flat.fill(i * 200, Side.Buy, 5_000_000, 2);
    flat.fill(2_000, Side.Sell, 5_000_100, 12, true);
    expect(flat.alerts).toEqual([]);

    // Stopped out: sold below what the run paid.
    const loss = fills();
    ignite(loss);
    loss.fill(2_000, Side.Sell, 5_001_000, 6);
    expect(loss.alerts).toEqual([]);

    // Unwound at a profit, but 60 s later: outside the 30 s exit window.
    const late = fills();
    ignite(late);
    late.fill(60_600, Side.Sell, 5_012_000, 6, true);
    expect(late.alerts).toEqual([]);

    // The same prices as resting (maker) buys: nobody was taken out, nothing ignited.
    const passive = fills();
    [0, 5_000, 10_000].forEach((d, i) => passive.fill(i * 300, Side.Buy, 5_000_000 + d, 2, true));
    passive.fill(2_000, Side.Sell, 5_012_000, 6, true);
    expect(passive.alerts).toEqual([]);

    // Too small an exit (1 of 6 lots, under half), and a run spread over 10 s instead of 5.
    const small = fills();
    ignite(small);
    small.fill(2_000, Side.Sell, 5_012_000, 1, true);
    expect(small.alerts).toEqual([]);
    const slow = fills();
    [0, 5_000, 10_000].forEach((d, i) => slow.fill(i * 4_000, Side.Buy, 5_000_000 + d, 2));
    slow.fill(9_000, Side.Sell, 5_012_000, 6, true);
    expect(slow.alerts).toEqual([]);
  });

  it('each venue is its own book: the run at sim-a and the exit at sim-b are not one pattern', () => {
    const f = fills();
    ignite(f);
    f.fill(2_000, Side.Sell, 5_012_000, 6, true, { venue: 'sim-b' });
    expect(f.alerts).toEqual([]);
  });

  it('through Surveillance over journal records: the report liquidityMaker flag decides what is aggressive', () => {
    const s = new Surveillance();
    let seq = 0;
    const out: SurveillanceAlert[] = [];
    const fill = (ms: number, side: Side, price: number, qty: number, maker: boolean) => out.push(...s.observe(++seq, {
      kind: 'execution', timeUs: ms * 1000,
      report: {
        type: 'executionReport', requestId: 0, orderId: `o${seq}`, clientOrderId: '', parentOrderId: '', status: OrderStatus.Filled, execType: ExecType.Trade, symbol: 'BTC-USD', venue: 'sim-a',
        side, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC, price, qty, filledQty: qty, leavesQty: 0, cumNotional: 0, lastPrice: price, lastQty: qty, tradeId: seq, reasonCode: '', reason: '',
        fee: 0, liquidityMaker: maker, timeUs: ms * 1000, account: 'mi', algo: Algo.None,
      },
    }));
    [0, 5_000, 10_000].forEach((d, i) => fill(i * 300, Side.Buy, 5_000_000 + d, 2, false));
    fill(2_000, Side.Sell, 5_012_000, 6, true);
    expect(out.map((a) => a.code)).toEqual([ErrorCode.SURV_MOMENTUM_IGNITION]);
    expect(out[0]!.evidence.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });
});
