import {
  Contingency, ErrorCode, ExecType, FastBook, OrderStatus, OrderType, Side, TimeInForce, TriggerSource, TriggerType,
  type ExecutionReportMsg, type OrderConditional, type OrderIntent, type Trade,
} from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { PaperBroker } from './index';

/** Paper trading in replay runs the relay's trigger rule against the replayed prices. */

const SYM = 'BTC-USD';
const VENUE = 'sim';

function book(bids: [number, number][], asks: [number, number][]): FastBook {
  const b = new FastBook();
  for (const [p, s] of bids) b.apply(Side.Buy, p, s);
  for (const [p, s] of asks) b.apply(Side.Sell, p, s);
  return b;
}
/** Bids 100×5 / 99×10, asks 102×3 / 103×10: mid 101. */
const standard = () => book([[100, 5], [99, 10]], [[102, 3], [103, 10]]);

const cond = (over: Partial<OrderConditional>): OrderConditional => ({
  triggerType: TriggerType.Stop, triggerSource: TriggerSource.Last, triggerPrice: 0, trailOffset: 0, trailBps: 0,
  contingency: Contingency.None, takeProfitPrice: 0, stopLimitPrice: 0, ...over,
});
let cid = 0;
const intent = (o: Partial<OrderIntent>): OrderIntent => ({
  account: 'x', clientOrderId: `t${++cid}`, symbol: SYM, venue: VENUE, side: Side.Sell, orderType: OrderType.Market, timeInForce: TimeInForce.GTC,
  price: 0, qty: 2, postOnly: false, algo: 0, displayQty: 0, durationMs: 0, ...o,
});
const trade = (price: number, timeUs = 2_000): Trade => ({ tradeId: 1, price, size: 1, aggressor: Side.Sell, timeUs });
const kinds = (rs: ExecutionReportMsg[]) => rs.map((r) => [r.execType, r.status]);

describe('paper stops in replay', () => {
  it('a sell stop waits, then fires on the replayed trade that crosses it and sells into the replayed bids', () => {
    const p = new PaperBroker();
    const b = standard();
    const placed = p.place(intent({ conditional: cond({ triggerPrice: 98 }) }), b, 1_000);
    expect(kinds(placed)).toEqual([[ExecType.New, OrderStatus.PendingTrigger]]);
    expect(p.onTrade(SYM, VENUE, trade(99))).toEqual([]);
    const out = p.onTrade(SYM, VENUE, trade(98));
    expect(kinds(out)).toEqual([
      [ExecType.Triggered, OrderStatus.Triggered],
      [ExecType.Trade, OrderStatus.Filled],
    ]);
    expect(out[0]!.trigger).toMatchObject({ firedTrigger: TriggerType.Stop, firedPrice: 98 });
    expect(out[1]).toMatchObject({ lastPrice: 100, lastQty: 2 });
  });

  it('a trailing buy stop on the mark follows the replayed book down and fires on the way back up', () => {
    const p = new PaperBroker();
    const b = standard();
    const [armed] = p.place(intent({ side: Side.Buy, conditional: cond({ triggerType: TriggerType.TrailingStop, triggerSource: TriggerSource.Mark, trailOffset: 3 }) }), b, 1_000);
    expect(armed!.trigger!.triggerPrice).toBe(104); // mid 101 + 3
    const lower = book([[90, 5]], [[92, 5]]);
    const moved = p.onBook(SYM, VENUE, lower, 2_000);
    expect(kinds(moved)).toEqual([[ExecType.Status, OrderStatus.PendingTrigger]]);
    expect(moved[0]!.trigger!.triggerPrice).toBe(94);
    const up = p.onBook(SYM, VENUE, book([[94, 5]], [[95, 5]]), 3_000);
    expect(kinds(up)).toEqual([
      [ExecType.Triggered, OrderStatus.Triggered],
      [ExecType.Trade, OrderStatus.Filled],
    ]);
  });

  it('an armed paper stop cancels; OCO and brackets need the relay; bad input has the relay codes', () => {
    const p = new PaperBroker();
    const b = standard();
    const id = 'stop-1';
    p.place(intent({ clientOrderId: id, conditional: cond({ triggerPrice: 90 }) }), b, 1_000);
    const c = p.cancel(id, 2_000);
    expect(c.ok && kinds(c.value)).toEqual([[ExecType.Canceled, OrderStatus.Canceled]]);
    expect(p.onTrade(SYM, VENUE, trade(80))).toEqual([]);
    const oco = p.place(intent({ orderType: OrderType.Limit, price: 110, conditional: cond({ contingency: Contingency.OCO, triggerPrice: 90 }) }), b, 1_000);
    expect(oco[0]).toMatchObject({ status: OrderStatus.Denied, reasonCode: ErrorCode.PAPER_CONDITIONAL_UNSUPPORTED });
    const bad = p.place(intent({ conditional: cond({}) }), b, 1_000);
    expect(bad[0]).toMatchObject({ status: OrderStatus.Denied, reasonCode: ErrorCode.OMS_TRIGGER_PRICE_REQUIRED });
  });
});
