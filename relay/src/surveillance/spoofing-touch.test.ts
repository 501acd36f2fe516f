import { Algo, ErrorCode, ExecType, OrderStatus, OrderType, Side, TimeInForce, type JournalRecord, type OrderTouch } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { evidenceText } from './live/alert-desk';
import { Surveillance, type SurveillanceOptions } from './surveillance';
import type { SurveillanceAlert } from './surveillance-alert';
import { touchDistanceBps } from './touch-distance';

// "Large orders away from the touch": the spoofing and layering rules measure each order from
// the touch its order-request record carries (what the OMS saw when it took the order). The
// same flashes at the touch are a market maker requoting; 50 bps behind it they are spoofing.

const BID = 5_000_000; // 50,000.00 in 0.01 ticks
const ASK = 5_000_100;
const TOUCH: OrderTouch = { bid: BID, ask: ASK };
const behindBid = (bps: number) => Math.round(BID * (1 - bps / 10_000));

/** Journal records as the OMS writes them (order-requests with or without the touch), through Surveillance. */
class Tape {
  private seq = 0;
  private n = 0;
  readonly alerts: SurveillanceAlert[] = [];
  constructor(private readonly s: Surveillance) {}

  private feed(record: JournalRecord): void {
    this.alerts.push(...this.s.observe(++this.seq, record));
  }

  order(ms: number, side: Side, price: number, qty: number, touch: OrderTouch | null = TOUCH): string {
    const orderId = `o${++this.n}`;
    const intent = { account: 'sp', clientOrderId: `c${this.n}`, symbol: 'BTC-USD', venue: 'sim-a', side, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC, price, qty, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0 };
    this.feed(touch === null ? { kind: 'order-request', timeUs: ms * 1000, orderId, parentOrderId: '', intent } : { kind: 'order-request', timeUs: ms * 1000, orderId, parentOrderId: '', intent, touch });
    return orderId;
  }

  private report(orderId: string, ms: number, over: Record<string, unknown>): void {
    this.feed({
      kind: 'execution', timeUs: ms * 1000,
      report: {
        type: 'executionReport', requestId: 0, orderId, clientOrderId: '', parentOrderId: '', status: OrderStatus.Accepted, execType: ExecType.New, symbol: 'BTC-USD', venue: 'sim-a',
        side: Side.Buy, orderType: OrderType.Limit, price: 0, qty: 0, filledQty: 0, leavesQty: 0, cumNotional: 0, lastPrice: 0, lastQty: 0, tradeId: 0, reasonCode: '', reason: '',
        fee: 0, liquidityMaker: false, timeUs: ms * 1000, account: 'sp', algo: Algo.None, ...over,
      } as never,
    });
  }

  cancel(orderId: string, ms: number, side: Side): void {
    this.report(orderId, ms, { execType: ExecType.Canceled, status: OrderStatus.Canceled, side });
  }

  fill(orderId: string, ms: number, side: Side, price: number, tradeId: number): void {
    this.report(orderId, ms, { execType: ExecType.Trade, status: OrderStatus.Filled, side, lastPrice: price, lastQty: 1, tradeId, filledQty: 1 });
  }

  /** Five small resting bids: the size history "large" is measured against. */
  ordinary(): void {
    for (let i = 0; i < 5; i++) this.order(i, Side.Buy, BID - 10 - i, 1);
  }

  /** Three 100-lot bids at `price` (touch null: records without one), each pulled 150 ms after it was placed, then a sell that trades. */
  flashes(price: number, touch: OrderTouch | null = TOUCH): void {
    for (let i = 0; i < 3; i++) {
      const id = this.order(1000 + i * 300, Side.Buy, price, 100, touch);
      this.cancel(id, 1000 + i * 300 + 150, Side.Buy);
    }
    this.fill(this.order(2000, Side.Sell, BID, 1), 2001, Side.Sell, BID, 900);
  }

  /** Three 80-lot bids at `prices` resting together, a sell that trades while they rest, then all pulled. */
  layers(prices: number[]): void {
    const ids = prices.map((p, i) => this.order(1000 + i, Side.Buy, p, 80));
    this.fill(this.order(1100, Side.Sell, BID, 1), 1101, Side.Sell, BID, 901);
    ids.forEach((id, i) => this.cancel(id, 1200 + i, Side.Buy));
  }
}

const tape = (o: SurveillanceOptions = {}) => {
  const t = new Tape(new Surveillance(o));
  t.ordinary();
  return t;
};

describe('spoofing and layering measure distance from the touch', () => {
  it('large bids at the touch, pulled fast while the account sells, are market making: no alert', () => {
    const t = tape();
    t.flashes(BID);
    expect(t.alerts).toEqual([]);
  });

  it('the same pattern 50 bps behind the best bid is SURV_SPOOFING, the distance in the sentence and on each order of the evidence', () => {
    const t = tape();
    t.flashes(behindBid(50));
    expect(t.alerts.map((a) => a.code)).toEqual([ErrorCode.SURV_SPOOFING]);
    const a = t.alerts[0]!;
    expect(a.message).toContain('50 bps behind the best bid');
    const orders = a.evidence.filter((e) => e.what === 'order');
    expect(orders.map((e) => e.touchBps)).toEqual([50, 50, 50]);
    // Cancels and fills carry no distance; the journal's text of an order names it.
    expect(a.evidence.filter((e) => e.what !== 'order').every((e) => e.touchBps === undefined)).toBe(true);
    expect(evidenceText(orders[0]!)).toBe(`#${orders[0]!.seq} order ${orders[0]!.orderId} (50 bps from the touch)`);
  });

  it('a bid inside the spread (above the best bid) is not away either', () => {
    const t = tape();
    t.flashes(BID + 50);
    expect(t.alerts).toEqual([]);
  });

  it('the threshold is an option: 50 bps away is not enough for minTouchBps 60, and 2 bps is below the default 3', () => {
    const strict = tape({ spoofing: { minTouchBps: 60 } });
    strict.flashes(behindBid(50));
    expect(strict.alerts).toEqual([]);
    const near = tape();
    near.flashes(behindBid(2));
    expect(near.alerts).toEqual([]);
  });

  it('layering: three large bids resting together at the touch and inside it are not layering; at 20-40 bps behind it they are', () => {
    const atTouch = tape();
    atTouch.layers([BID, BID + 10, BID + 20]);
    expect(atTouch.alerts).toEqual([]);
    const away = tape();
    away.layers([behindBid(20), behindBid(30), behindBid(40)]);
    expect(away.alerts.map((a) => a.code)).toEqual([ErrorCode.SURV_LAYERING]);
    expect(away.alerts[0]!.message).toContain('20-40 bps behind the best bid');
    expect(away.alerts[0]!.evidence.filter((e) => e.what === 'order').map((e) => e.touchBps)).toEqual([20, 30, 40]);
  });

  it('a journal written before the touch was recorded: judged on size and timing as before, and the alert says the distance is unknown', () => {
    const t = tape();
    t.flashes(BID, null);
    expect(t.alerts.map((a) => a.code)).toEqual([ErrorCode.SURV_SPOOFING]);
    const a = t.alerts[0]!;
    expect(a.message).toContain('distance from the touch not recorded');
    const orders = a.evidence.filter((e) => e.what === 'order');
    expect(orders.map((e) => e.touchBps)).toEqual([null, null, null]);
    expect(evidenceText(orders[0]!)).toContain('(touch not recorded)');
  });
});

describe('touchDistanceBps', () => {
  it('is measured from the order side’s own touch: positive behind it, 0 or less at or inside it', () => {
    expect(touchDistanceBps(Side.Buy, behindBid(50), TOUCH)).toBeCloseTo(50, 6);
    expect(touchDistanceBps(Side.Sell, Math.round(ASK * 1.005), TOUCH)).toBeCloseTo(50, 2);
    expect(touchDistanceBps(Side.Buy, BID, TOUCH)).toBe(0);
    expect(touchDistanceBps(Side.Sell, ASK - 10, TOUCH)).toBeLessThan(0);
    // A market order takes the touch; on an empty side the order is the touch.
    expect(touchDistanceBps(Side.Buy, 0, TOUCH)).toBe(0);
    expect(touchDistanceBps(Side.Buy, behindBid(50), { bid: 0, ask: ASK })).toBe(0);
  });
});
