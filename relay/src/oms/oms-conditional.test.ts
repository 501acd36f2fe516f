import { describe, expect, it } from 'vitest';
import {
  Contingency, ErrorCode, ExecType, OrderStatus, OrderType, Side, TimeInForce, TriggerSource, TriggerType, accountExposure, tallyNotional,
  type ExecutionReportMsg, type OrderIntent,
} from '@tickmesh/shared';
import { RiskEngine } from '../risk/risk-engine';
import { SimVenue } from '../venues/sim/sim-venue';
import { conditional, intent, makeOms, MemoryJournal, settle, steppingClock, take } from './oms-test-kit';
import type { Oms } from './oms';

/**
 * Conditional orders through the real OMS, the real risk engine and a real sim venue; only
 * the market prices are pushed by the test (as server/trigger-prices.ts does from the md
 * service), so every trigger is deterministic.
 */


let takerSeq = 0;

function setup() {
  const clock = steppingClock();
  const sim = new SimVenue({ id: 'sim-a', seed: 21, nowUs: clock });
  const engine = sim.market('BTC-USD')!.engine;
  const journal = new MemoryJournal();
  const inst = sim.instruments().find((i) => i.symbol === 'BTC-USD')!;
  let oms: Oms | undefined;
  const risk = new RiskEngine({}, {
    instrument: (s) => sim.instruments().find((i) => i.symbol === s),
    referencePrice: () => Math.round((engine.bestBid() + engine.bestAsk()) / 2),
    exposure: (account, symbol) => accountExposure(symbol, ['BTC-USD'], (s) => oms!.exposure(account, s), tallyNotional(() => inst)),
    nowMs: () => Math.floor(clock() / 1000),
  });
  const prices = new Map<TriggerSource, number>();
  oms = makeOms([sim], { journal, nowUs: clock, risk, marketPrice: (_s, _v, src) => prices.get(src) ?? Number.NaN });
  const reports: ExecutionReportMsg[] = [];
  oms.onReport((r) => reports.push(r));
  /** A new market price, as the md service's trades (Last) or book mids (Mark) push it. */
  const price = async (px: number, source: TriggerSource = TriggerSource.Last) => {
    prices.set(source, px);
    oms!.onMarketPrice('BTC-USD', 'sim-a', source, px);
    // One venue here: the cross-venue mid is this venue's.
    if (source === TriggerSource.Mark) oms!.onMarketPrice('BTC-USD', '', source, px);
    await settle();
  };
  const place = async (over: Partial<OrderIntent>) => {
    const r = await oms!.newOrder(intent({ clientOrderId: `c${++takerSeq}`, ...over }));
    if (!r.ok) throw new Error(r.reason.code);
    await settle();
    return oms!.order(r.value.orderId)!;
  };
  const children = (orderId: string) => oms!.orders('alice').filter((o) => o.parentOrderId === orderId);
  const of = (orderId: string) => reports.filter((r) => r.orderId === orderId);
  return { sim, engine, journal, risk, oms, reports, price, place, children, of, clock };
}

describe('stop, take-profit and trailing orders', () => {
  it('a stop-market sell is armed at the relay (nothing at the venue), fires when the last trade crosses, and fills', async () => {
    const w = setup();
    const bid = w.engine.bestBid();
    const o = await w.place({ side: Side.Sell, orderType: OrderType.Market, price: 0, qty: 3, conditional: conditional({ triggerPrice: bid - 100 }) });
    expect(o.status).toBe(OrderStatus.PendingTrigger);
    expect(o.trigger).toMatchObject({ triggerType: TriggerType.Stop, triggerPrice: bid - 100, firedTrigger: TriggerType.None });
    expect(w.children(o.orderId)).toEqual([]);
    await w.price(bid - 99); // above the level: still armed
    expect(w.oms.order(o.orderId)!.status).toBe(OrderStatus.PendingTrigger);
    await w.price(bid - 100);
    const [child] = w.children(o.orderId);
    expect(child).toMatchObject({ side: Side.Sell, orderType: OrderType.Market, timeInForce: TimeInForce.IOC, qty: 3, status: OrderStatus.Filled });
    const p = w.oms.order(o.orderId)!;
    expect(p).toMatchObject({ status: OrderStatus.Filled, filledQty: 3 });
    const fired = w.of(o.orderId).find((r) => r.execType === ExecType.Triggered)!;
    expect(fired.status).toBe(OrderStatus.Triggered);
    expect(fired.trigger).toMatchObject({ firedTrigger: TriggerType.Stop, firedPrice: bid - 100, triggerPrice: bid - 100 });
    // The released child was risk-checked again, and the decision journaled.
    expect(w.journal.records('risk').filter((r) => r.orderId === child!.orderId).map((r) => r.accepted)).toEqual([true]);
    expect(w.oms.positions('alice', () => 0)[0]!.qty).toBe(-3);
  });

  it('a stop-limit buy fires at or above its level and sends its limit', async () => {
    const w = setup();
    const ask = w.engine.bestAsk();
    const o = await w.place({ side: Side.Buy, price: ask + 50, qty: 2, conditional: conditional({ triggerPrice: ask + 10 }) });
    await w.price(ask + 9);
    expect(w.children(o.orderId)).toHaveLength(0);
    await w.price(ask + 12);
    expect(w.children(o.orderId)).toMatchObject([{ side: Side.Buy, orderType: OrderType.Limit, price: ask + 50, timeInForce: TimeInForce.GTC }]);
    expect(w.oms.order(o.orderId)!.trigger!.firedPrice).toBe(ask + 12);
  });

  it('a take-profit sell fires on a rise to its level, never on a fall', async () => {
    const w = setup();
    const bid = w.engine.bestBid();
    const o = await w.place({ side: Side.Sell, orderType: OrderType.Market, price: 0, qty: 1, conditional: conditional({ triggerType: TriggerType.TakeProfit, triggerPrice: bid + 500 }) });
    await w.price(bid - 5_000);
    expect(w.oms.order(o.orderId)!.status).toBe(OrderStatus.PendingTrigger);
    await w.price(bid + 500);
    expect(w.oms.order(o.orderId)!.trigger).toMatchObject({ firedTrigger: TriggerType.TakeProfit, firedPrice: bid + 500 });
    expect(w.oms.order(o.orderId)!.status).toBe(OrderStatus.Filled);
  });

  it('a trailing sell stop follows the high by its offset, journals each tightening, never loosens, fires on the pullback', async () => {
    const w = setup();
    const bid = w.engine.bestBid();
    await w.price(bid);
    const o = await w.place({ side: Side.Sell, orderType: OrderType.Market, price: 0, qty: 1, conditional: conditional({ triggerType: TriggerType.TrailingStop, trailOffset: 200 }) });
    expect(w.oms.order(o.orderId)!.trigger!.triggerPrice).toBe(bid - 200); // one trail behind the price it armed on
    await w.price(bid + 300);
    expect(w.oms.order(o.orderId)!.trigger!.triggerPrice).toBe(bid + 100);
    await w.price(bid + 150); // a dip that does not reach the level: the level stays
    expect(w.oms.order(o.orderId)!.trigger!.triggerPrice).toBe(bid + 100);
    const levels = w.journal.records('execution').filter((r) => r.report.orderId === o.orderId && r.report.execType === ExecType.Status).map((r) => r.report.trigger!.triggerPrice);
    expect(levels).toContain(bid + 100);
    await w.price(bid + 100);
    expect(w.oms.order(o.orderId)!.trigger).toMatchObject({ firedTrigger: TriggerType.TrailingStop, firedPrice: bid + 100 });
  });

  it('a trailing buy stop by bps trails the low on the mark price; last trades do not move it', async () => {
    const w = setup();
    await w.price(10_000, TriggerSource.Mark);
    const o = await w.place({ side: Side.Buy, orderType: OrderType.Market, price: 0, qty: 1, conditional: conditional({ triggerType: TriggerType.TrailingStop, triggerSource: TriggerSource.Mark, trailBps: 100 }) });
    expect(w.oms.order(o.orderId)!.trigger!.triggerPrice).toBe(10_100);
    await w.price(20_000, TriggerSource.Last); // another source: ignored
    expect(w.oms.order(o.orderId)!.status).toBe(OrderStatus.PendingTrigger);
    await w.price(9_000, TriggerSource.Mark);
    expect(w.oms.order(o.orderId)!.trigger!.triggerPrice).toBe(9_090);
    await w.price(9_090, TriggerSource.Mark);
    expect(w.oms.order(o.orderId)!.status).not.toBe(OrderStatus.PendingTrigger);
    expect(w.oms.order(o.orderId)!.trigger!.firedPrice).toBe(9_090);
  });

  it('a trigger into a halted market is Denied with the risk code, and nothing is sent', async () => {
    const w = setup();
    const bid = w.engine.bestBid();
    const o = await w.place({ side: Side.Sell, orderType: OrderType.Market, price: 0, qty: 1, conditional: conditional({ triggerPrice: bid - 10 }) });
    w.risk.setTradingState({ symbol: 'BTC-USD' }, 'halted', 'ops');
    await w.price(bid - 20);
    const p = w.oms.order(o.orderId)!;
    expect(p).toMatchObject({ status: OrderStatus.Denied, reasonCode: ErrorCode.RISK_TRADING_HALTED });
    expect(w.children(o.orderId)).toMatchObject([{ status: OrderStatus.Denied, reasonCode: ErrorCode.RISK_TRADING_HALTED }]);
    expect(w.of(o.orderId).map((r) => r.status)).toEqual([OrderStatus.Submitted, OrderStatus.PendingTrigger, OrderStatus.Triggered, OrderStatus.Denied]);
    expect(w.oms.fills('alice')).toEqual([]);
  });

  it('a cancel of an armed stop ends it at once and it never fires', async () => {
    const w = setup();
    const bid = w.engine.bestBid();
    const o = await w.place({ side: Side.Sell, orderType: OrderType.Market, price: 0, qty: 1, conditional: conditional({ triggerPrice: bid - 10 }) });
    const c = await w.oms.cancel('alice', o.clientOrderId);
    expect(c.ok).toBe(true);
    await settle();
    expect(w.oms.order(o.orderId)!.status).toBe(OrderStatus.Canceled);
    await w.price(bid - 50);
    expect(w.children(o.orderId)).toEqual([]);
  });

  it.each([
    ['a stop with no trigger price', { orderType: OrderType.Market, price: 0, conditional: conditional() }, ErrorCode.OMS_TRIGGER_PRICE_REQUIRED],
    ['a trailing stop with both offset and bps', { orderType: OrderType.Market, price: 0, conditional: conditional({ triggerType: TriggerType.TrailingStop, trailOffset: 5, trailBps: 5 }) }, ErrorCode.OMS_TRAIL_INVALID],
    ['a sell OCO whose stop is above its limit', { side: Side.Sell, price: 100, conditional: conditional({ contingency: Contingency.OCO, triggerPrice: 200 }) }, ErrorCode.OMS_TRIGGER_PRICE_INVALID],
    ['a bracket without take-profit', { price: 100, conditional: conditional({ contingency: Contingency.Bracket, triggerPrice: 90 }) }, ErrorCode.OMS_TRIGGER_PRICE_REQUIRED],
  ] as const)('bad input is Denied with a stable code: %s', async (_name, over, code) => {
    const w = setup();
    const o = await w.place(over as Partial<OrderIntent>);
    expect(o).toMatchObject({ status: OrderStatus.Denied, reasonCode: code });
  });
});

describe('OCO', () => {
  it('the stop fires: the resting limit leg is canceled first, then the stop goes out for the whole qty', async () => {
    const w = setup();
    const bid = w.engine.bestBid();
    const ask = w.engine.bestAsk();
    const o = await w.place({ side: Side.Sell, price: ask + 1_000, qty: 4, conditional: conditional({ contingency: Contingency.OCO, triggerPrice: bid - 100 }) });
    expect(o.status).toBe(OrderStatus.PendingTrigger);
    const [limit] = w.children(o.orderId);
    expect(limit).toMatchObject({ side: Side.Sell, price: ask + 1_000, qty: 4, status: OrderStatus.Accepted });
    await w.price(bid - 100);
    const kids = w.children(o.orderId);
    expect(kids.map((k) => [k.orderType, k.status])).toEqual([
      [OrderType.Limit, OrderStatus.Canceled],
      [OrderType.Market, OrderStatus.Filled],
    ]);
    expect(w.oms.order(o.orderId)).toMatchObject({ status: OrderStatus.Filled, filledQty: 4 });
    expect(w.oms.order(o.orderId)!.trigger!.firedTrigger).toBe(TriggerType.Stop);
  });

  it('the limit leg fills: the stop is disarmed and a later cross does nothing', async () => {
    const w = setup();
    const bid = w.engine.bestBid();
    const ask = w.engine.bestAsk();
    expect(ask - bid).toBeGreaterThan(1);
    // The limit leg inside the spread: the best ask, first to trade.
    const o = await w.place({ side: Side.Sell, price: ask - 1, qty: 2, conditional: conditional({ contingency: Contingency.OCO, triggerPrice: bid - 100 }) });
    take(w.sim, Side.Buy, ask - 1, 2);
    await settle();
    expect(w.oms.order(o.orderId)).toMatchObject({ status: OrderStatus.Filled, filledQty: 2 });
    await w.price(bid - 500);
    expect(w.children(o.orderId)).toHaveLength(1);
    expect(w.oms.order(o.orderId)!.trigger!.firedTrigger).toBe(TriggerType.None);
  });

  it('a part-filled limit leg leaves the stop armed for the rest only', async () => {
    const w = setup();
    const bid = w.engine.bestBid();
    const ask = w.engine.bestAsk();
    const o = await w.place({ side: Side.Sell, price: ask - 1, qty: 5, conditional: conditional({ contingency: Contingency.OCO, triggerPrice: bid - 100 }) });
    take(w.sim, Side.Buy, ask - 1, 2);
    await settle();
    expect(w.oms.order(o.orderId)!.status).toBe(OrderStatus.PartiallyFilled);
    await w.price(bid - 100);
    const stop = w.children(o.orderId)[1]!;
    expect(stop).toMatchObject({ qty: 3, orderType: OrderType.Market });
    expect(w.oms.order(o.orderId)).toMatchObject({ status: OrderStatus.Filled, filledQty: 5 });
  });
});

describe('bracket', () => {
  async function filledBracket(w: ReturnType<typeof setup>) {
    const ask = w.engine.bestAsk();
    expect(ask - w.engine.bestBid()).toBeGreaterThan(1);
    // A market entry; the take-profit inside the spread (the best ask once it rests), first to trade.
    const o = await w.place({
      side: Side.Buy, orderType: OrderType.Market, price: 0, qty: 3,
      conditional: conditional({ contingency: Contingency.Bracket, takeProfitPrice: ask - 1, triggerPrice: ask - 2_000 }),
    });
    return { o, ask };
  }

  it('the exits appear only once the entry filled, sized to it; the stop-loss fires and cancels the take-profit', async () => {
    const w = setup();
    const { o, ask } = await filledBracket(w);
    const p = w.oms.order(o.orderId)!;
    expect(p).toMatchObject({ status: OrderStatus.PendingTrigger, filledQty: 3 });
    const [entry, tp] = w.children(o.orderId);
    expect(entry).toMatchObject({ side: Side.Buy, status: OrderStatus.Filled });
    expect(tp).toMatchObject({ side: Side.Sell, orderType: OrderType.Limit, price: ask - 1, qty: 3, status: OrderStatus.Accepted });
    expect(w.oms.positions('alice', () => 0)[0]!.qty).toBe(3);
    await w.price(ask - 2_000);
    const kids = w.children(o.orderId);
    expect(kids.map((k) => [k.side, k.orderType, k.status])).toEqual([
      [Side.Buy, OrderType.Market, OrderStatus.Filled],
      [Side.Sell, OrderType.Limit, OrderStatus.Canceled],
      [Side.Sell, OrderType.Market, OrderStatus.Filled],
    ]);
    expect(w.oms.order(o.orderId)!.status).toBe(OrderStatus.Filled);
    expect(w.oms.positions('alice', () => 0)[0]!.qty).toBe(0);
  });

  it('the take-profit fills: the stop-loss is disarmed', async () => {
    const w = setup();
    const { o, ask } = await filledBracket(w);
    const tp = w.children(o.orderId)[1]!;
    take(w.sim, Side.Buy, tp.price, 3);
    await settle();
    expect(w.oms.order(tp.orderId)!.status).toBe(OrderStatus.Filled);
    expect(w.oms.order(o.orderId)!.status).toBe(OrderStatus.Filled);
    await w.price(ask - 10_000);
    expect(w.children(o.orderId)).toHaveLength(2);
    expect(w.oms.positions('alice', () => 0)[0]!.qty).toBe(0);
  });

  /** A buy bracket whose limit entry rests alone at the best bid and whose take-profit would rest alone at the best ask. */
  async function restingBracket(w: ReturnType<typeof setup>, qty: number) {
    const bid = w.engine.bestBid();
    const ask = w.engine.bestAsk();
    expect(ask - bid).toBeGreaterThan(2);
    const o = await w.place({
      side: Side.Buy, price: bid + 1, qty,
      conditional: conditional({ contingency: Contingency.Bracket, takeProfitPrice: ask - 1, triggerPrice: bid - 2_000 }),
    });
    return { o, entryPx: bid + 1, tpPx: ask - 1, stopPx: bid - 2_000 };
  }
  const takeProfits = (w: ReturnType<typeof setup>, id: string) => w.children(id).filter((k) => k.side === Side.Sell && k.orderType === OrderType.Limit);

  it('a part-filled entry arms the exits for what filled and each further fill grows them; the order is PendingTrigger once the entry filled', async () => {
    const w = setup();
    const b = await restingBracket(w, 4);
    expect(w.children(b.o.orderId)).toHaveLength(1);
    take(w.sim, Side.Sell, b.entryPx, 1);
    await settle();
    expect(w.oms.order(b.o.orderId)).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 1 });
    expect(takeProfits(w, b.o.orderId).map((k) => [k.price, k.qty, k.status])).toEqual([[b.tpPx, 1, OrderStatus.Accepted]]);
    take(w.sim, Side.Sell, b.entryPx, 2);
    await settle();
    expect(w.oms.order(b.o.orderId)).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 3 });
    expect(takeProfits(w, b.o.orderId).map((k) => [k.qty, k.status])).toEqual([[1, OrderStatus.Accepted], [2, OrderStatus.Accepted]]);
    take(w.sim, Side.Sell, b.entryPx, 1);
    await settle();
    expect(w.oms.order(b.o.orderId)).toMatchObject({ status: OrderStatus.PendingTrigger, filledQty: 4 });
    expect(takeProfits(w, b.o.orderId).map((k) => k.qty)).toEqual([1, 2, 1]);
    expect(w.oms.positions('alice', () => 0)[0]!.qty).toBe(4);
  });

  it('the stop-loss firing while the entry works cancels the rest of the entry and the take-profits, and sells what filled', async () => {
    const w = setup();
    const b = await restingBracket(w, 5);
    take(w.sim, Side.Sell, b.entryPx, 2);
    await settle();
    await w.price(b.stopPx);
    expect(w.children(b.o.orderId).map((k) => [k.side, k.orderType, k.qty, k.filledQty, k.status])).toEqual([
      [Side.Buy, OrderType.Limit, 5, 2, OrderStatus.Canceled],
      [Side.Sell, OrderType.Limit, 2, 0, OrderStatus.Canceled],
      [Side.Sell, OrderType.Market, 2, 2, OrderStatus.Filled],
    ]);
    expect(w.oms.order(b.o.orderId)!.status).toBe(OrderStatus.Canceled);
    expect(w.oms.positions('alice', () => 0)[0]!.qty).toBe(0);
    take(w.sim, Side.Sell, b.entryPx, 3);
    await settle();
    expect(w.oms.positions('alice', () => 0)[0]!.qty).toBe(0);
  });

  it('a market entry filled at several prices in one venue answer arms one take-profit for all of it', async () => {
    const w = setup();
    const ask = w.engine.bestAsk();
    const o = await w.place({
      side: Side.Buy, orderType: OrderType.Market, price: 0, qty: 2_000,
      conditional: conditional({ contingency: Contingency.Bracket, takeProfitPrice: ask + 50_000, triggerPrice: ask - 50_000 }),
    });
    const entry = w.children(o.orderId)[0]!;
    expect(w.oms.fills('alice').filter((f) => f.orderId === entry.orderId).length).toBeGreaterThan(1);
    const filled = w.oms.order(entry.orderId)!.filledQty;
    expect(filled).toBeGreaterThan(0);
    expect(takeProfits(w, o.orderId).map((k) => [k.qty, k.status])).toEqual([[filled, OrderStatus.Accepted]]);
  });

  it('an entry that does not fill arms no exits', async () => {
    const w = setup();
    const bid = w.engine.bestBid();
    const o = await w.place({
      side: Side.Buy, price: bid - 5_000, qty: 1, timeInForce: TimeInForce.IOC,
      conditional: conditional({ contingency: Contingency.Bracket, takeProfitPrice: bid + 5_000, triggerPrice: bid - 9_000 }),
    });
    expect(w.children(o.orderId)).toHaveLength(1);
    expect(w.oms.order(o.orderId)!.status).toBe(OrderStatus.Expired);
  });
});
