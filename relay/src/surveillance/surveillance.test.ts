import { Algo, ErrorCode, ExecType, OrderStatus, OrderType, Side, TimeInForce, type JournalRecord } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { Surveillance, type SurveillanceOptions } from './surveillance';
import type { SurveillanceAlert } from './surveillance-alert';

/** Builds journal records the way the OMS writes them, with ms clock and journal seq. */
class Tape {
  private seq = 0;
  private n = 0;
  readonly alerts: SurveillanceAlert[] = [];
  constructor(private readonly s: Surveillance) {}

  private feed(record: JournalRecord): number {
    const seq = ++this.seq;
    this.alerts.push(...this.s.observe(seq, record));
    return seq;
  }

  order(account: string, ms: number, side: Side, price: number, qty: number, symbol = 'BTC-USD'): string {
    const orderId = `o${++this.n}`;
    this.feed({
      kind: 'order-request', timeUs: ms * 1000, orderId, parentOrderId: '',
      intent: { account, clientOrderId: `c${this.n}`, symbol, venue: 'sim-a', side, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC, price, qty, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0 },
    });
    return orderId;
  }

  private report(account: string, orderId: string, ms: number, over: Record<string, unknown>): number {
    return this.feed({
      kind: 'execution', timeUs: ms * 1000,
      report: {
        type: 'executionReport', requestId: 0, orderId, clientOrderId: '', parentOrderId: '', status: OrderStatus.Accepted, execType: ExecType.New, symbol: 'BTC-USD', venue: 'sim-a',
        side: Side.Buy, orderType: OrderType.Limit, price: 0, qty: 0, filledQty: 0, leavesQty: 0, cumNotional: 0, lastPrice: 0, lastQty: 0, tradeId: 0, reasonCode: '', reason: '',
        fee: 0, liquidityMaker: false, timeUs: ms * 1000, account, algo: Algo.None, ...over,
      } as never,
    });
  }

  cancel(account: string, orderId: string, ms: number, side: Side, filledQty = 0): number {
    return this.report(account, orderId, ms, { execType: ExecType.Canceled, status: OrderStatus.Canceled, side, filledQty });
  }

  fill(account: string, orderId: string, ms: number, side: Side, price: number, qty: number, tradeId: number, over: Record<string, unknown> = {}): number {
    return this.report(account, orderId, ms, { execType: ExecType.Trade, status: OrderStatus.Filled, side, lastPrice: price, lastQty: qty, tradeId, filledQty: qty, ...over });
  }
}

const tape = (o: SurveillanceOptions = {}) => new Tape(new Surveillance(o));
const codes = (t: Tape) => t.alerts.map((a) => a.code);

/** Five ordinary small orders of `account`: the size history "large" is measured against. */
function ordinary(t: Tape, account: string, ms: number): void {
  for (let i = 0; i < 5; i++) t.order(account, ms + i, Side.Buy, 4_990_000 - i, 1);
}

describe('wash trades', () => {
  it('both sides of one venue trade by one account: proven, score 1, both fills as evidence', () => {
    const t = tape();
    const b = t.order('a', 0, Side.Buy, 5_000_000, 3);
    const s = t.order('a', 1, Side.Sell, 5_000_000, 3);
    const f1 = t.fill('a', b, 2, Side.Buy, 5_000_000, 3, 77);
    const f2 = t.fill('a', s, 2, Side.Sell, 5_000_000, 3, 77);
    expect(t.alerts).toHaveLength(1);
    expect(t.alerts[0]).toMatchObject({ code: ErrorCode.SURV_WASH_TRADE, account: 'a', score: 1, evidence: [{ seq: f1, what: 'fill' }, { seq: f2, what: 'fill' }] });
  });

  it('across linked accounts of one owner; two unrelated accounts on one trade are no wash', () => {
    const t = tape({ wash: { ownerOf: (acct) => (acct === 'a2' ? 'a' : acct) } });
    t.fill('a', 'x', 0, Side.Buy, 5_000_000, 1, 1);
    t.fill('a2', 'y', 0, Side.Sell, 5_000_000, 1, 1);
    t.fill('b', 'z', 0, Side.Buy, 5_000_000, 1, 2);
    t.fill('c', 'w', 0, Side.Sell, 5_000_000, 1, 2);
    expect(t.alerts.map((a) => [a.code, a.account, a.score])).toEqual([[ErrorCode.SURV_WASH_TRADE, 'a2', 1]]);
    expect(t.alerts[0]!.message).toContain('owner a');
  });

  it('bought and sold back at the same price within the window: likely (0.6); later, or at another price: nothing', () => {
    const t = tape();
    t.fill('a', 'x', 0, Side.Buy, 5_000_000, 1, 10);
    t.fill('a', 'y', 400, Side.Sell, 5_000_000, 1, 11);
    expect(t.alerts.map((a) => a.score)).toEqual([0.6]);
    t.fill('a', 'z', 3000, Side.Buy, 5_000_000, 1, 12);
    t.fill('a', 'v', 5000, Side.Sell, 5_000_000, 1, 13); // 2 s later: outside the 1 s window
    t.fill('a', 'u', 5100, Side.Buy, 5_000_100, 1, 14); // another price
    expect(t.alerts).toHaveLength(1);
  });

  it("a parent's roll-up of its child's fill is the same trade, not a second one", () => {
    const t = tape();
    t.fill('a', 'child', 0, Side.Buy, 5_000_000, 1, 5, { parentOrderId: 'p' });
    t.fill('a', 'p', 0, Side.Buy, 5_000_000, 1, 5);
    t.fill('a', 'q', 100, Side.Sell, 5_000_000, 1, 6);
    // One likely wash (buy then sell back), not two.
    expect(codes(t)).toEqual([ErrorCode.SURV_WASH_TRADE]);
  });
});

describe('quote stuffing', () => {
  const o = { stuffing: { maxMessages: 40, minOrderToTrade: 10, windowMs: 1000 } };

  it('a flood of orders and cancels that trades nothing: one alert per burst, first and last message as evidence', () => {
    const t = tape(o);
    for (let i = 0; i < 60; i++) {
      const id = t.order('s', i * 10, Side.Buy, 4_999_000, 1);
      t.cancel('s', id, i * 10 + 5, Side.Buy);
    }
    expect(codes(t)).toEqual([ErrorCode.SURV_QUOTE_STUFFING]);
    const a = t.alerts[0]!;
    expect(a.account).toBe('s');
    expect(a.message).toMatch(/40 orders and cancels in 1000 ms \(20 orders, 0 fills/);
    expect(a.evidence.map((e) => e.what)).toEqual(['order', 'cancel']);
    expect(a.evidence[0]!.seq).toBeLessThan(a.evidence[1]!.seq);
  });

  it('the same rate spread over time, or one that trades, is no stuffing', () => {
    const slow = tape(o);
    for (let i = 0; i < 60; i++) slow.cancel('s', slow.order('s', i * 100, Side.Buy, 4_999_000, 1), i * 100 + 50, Side.Buy);
    expect(slow.alerts).toEqual([]);
    const trading = tape(o);
    for (let i = 0; i < 60; i++) {
      const id = trading.order('m', i * 10, Side.Buy, 5_000_000, 1);
      if (i % 3 === 0) trading.fill('m', id, i * 10 + 1, Side.Buy, 5_000_000, 1, i + 1);
      else trading.cancel('m', id, i * 10 + 5, Side.Buy);
    }
    expect(trading.alerts).toEqual([]);
  });
});

describe('spoofing and layering', () => {
  it('large bids pulled unfilled, one after another, while the account sells: SURV_SPOOFING with every order, cancel and fill', () => {
    const t = tape();
    ordinary(t, 'sp', 0);
    for (let i = 0; i < 3; i++) {
      const id = t.order('sp', 1000 + i * 300, Side.Buy, 4_995_000, 100);
      t.cancel('sp', id, 1000 + i * 300 + 150, Side.Buy);
    }
    expect(t.alerts).toEqual([]);
    const sell = t.order('sp', 2000, Side.Sell, 4_999_000, 1);
    t.fill('sp', sell, 2001, Side.Sell, 4_999_000, 1, 900);
    expect(codes(t)).toEqual([ErrorCode.SURV_SPOOFING]);
    const a = t.alerts[0]!;
    expect(a.score).toBe(0.6);
    expect(a.evidence.map((e) => e.what)).toEqual(['order', 'cancel', 'order', 'cancel', 'order', 'cancel', 'fill']);
    expect(a.message).toMatch(/3 large buy orders cancelled unfilled/);
  });

  it('three large bids at three prices resting together, pulled after the account sold: SURV_LAYERING', () => {
    const t = tape();
    ordinary(t, 'ly', 0);
    const ids = [4_995_000, 4_994_000, 4_993_000].map((p, i) => t.order('ly', 1000 + i, Side.Buy, p, 80));
    t.fill('ly', t.order('ly', 1100, Side.Sell, 4_999_000, 1), 1101, Side.Sell, 4_999_000, 1, 901);
    ids.forEach((id, i) => t.cancel('ly', id, 1200 + i, Side.Buy));
    expect(codes(t)).toEqual([ErrorCode.SURV_LAYERING]);
    expect(t.alerts[0]!.message).toMatch(/3 large buy orders at 3 prices rested together/);
  });

  it('no alert for what traders do: large orders that fill, cancels after a while, small orders pulled, no trade on the other side', () => {
    const t = tape();
    ordinary(t, 'ok', 0);
    // Large orders that trade.
    for (let i = 0; i < 3; i++) {
      const id = t.order('ok', 1000 + i * 10, Side.Buy, 5_000_000, 100);
      t.fill('ok', id, 1000 + i * 10 + 1, Side.Buy, 5_000_000, 100, 100 + i);
    }
    // Large orders cancelled after minutes, not moments.
    for (let i = 0; i < 3; i++) t.cancel('ok', t.order('ok', 2000 + i, Side.Buy, 4_990_000, 100), 200_000 + i, Side.Buy);
    // Small orders pulled quickly (requoting).
    for (let i = 0; i < 10; i++) t.cancel('ok', t.order('ok', 300_000 + i * 10, Side.Buy, 4_990_000, 1), 300_000 + i * 10 + 5, Side.Buy);
    // Large bids pulled quickly, but no sell anywhere near: not spoofing.
    for (let i = 0; i < 3; i++) t.cancel('ok', t.order('ok', 400_000 + i * 300, Side.Buy, 4_990_000, 100), 400_000 + i * 300 + 100, Side.Buy);
    expect(t.alerts).toEqual([]);
  });
});
