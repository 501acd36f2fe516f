import {
  ErrorCode,
  ExecType,
  FastBook,
  OrderStatus,
  OrderType,
  Side,
  TimeInForce,
  mulberry32,
  randomInt,
  type ExecutionReportMsg,
  type OrderIntent,
  type Trade,
} from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { OrderBlotter } from '../order-blotter';
import { PaperBroker, POST_ONLY_WOULD_TAKE } from './index';

const SYM = 'BTC-USD';
const VENUE = 'sim';

function book(bids: [number, number][], asks: [number, number][]): FastBook {
  const b = new FastBook();
  for (const [p, s] of bids) b.apply(Side.Buy, p, s);
  for (const [p, s] of asks) b.apply(Side.Sell, p, s);
  return b;
}

let cid = 0;
function intent(o: Partial<OrderIntent> = {}): OrderIntent {
  return {
    account: 'someone',
    clientOrderId: `c${++cid}`,
    symbol: SYM,
    venue: VENUE,
    side: Side.Buy,
    orderType: OrderType.Limit,
    timeInForce: TimeInForce.GTC,
    price: 100,
    qty: 1,
    postOnly: false,
    algo: 0,
    displayQty: 0,
    durationMs: 0,
    ...o,
  };
}

function trade(price: number, size: number, aggressor: Side, timeUs = 2_000): Trade {
  return { tradeId: 1, price, size, aggressor, timeUs };
}

const kinds = (rs: ExecutionReportMsg[]): ExecType[] => rs.map((r) => r.execType);
const fills = (rs: ExecutionReportMsg[]): [number, number][] => rs.filter((r) => r.execType === ExecType.Trade).map((r) => [r.lastPrice, r.lastQty]);

/** Bids 100×5 / 99×10, asks 101×2 / 102×3 / 103×10. */
const standard = (): FastBook =>
  book(
    [
      [100, 5],
      [99, 10],
    ],
    [
      [101, 2],
      [102, 3],
      [103, 10],
    ],
  );

describe('PaperBroker queue position', () => {
  it('rests behind the displayed level: a 3-lot trade fills nothing, a later 4-lot trade fills 2', () => {
    const pb = new PaperBroker();
    const placed = pb.place(intent({ price: 100, qty: 4 }), standard(), 1_000);
    expect(kinds(placed)).toEqual([ExecType.New]);
    expect(placed[0]).toMatchObject({ status: OrderStatus.Accepted, orderId: 'P1', account: 'paper', leavesQty: 4, filledQty: 0 });
    expect(pb.openOrders()[0]!.queueAhead).toBe(5);

    expect(pb.onTrade(SYM, VENUE, trade(100, 3, Side.Sell))).toEqual([]);
    expect(pb.openOrders()[0]!.queueAhead).toBe(2);

    const r = pb.onTrade(SYM, VENUE, trade(100, 4, Side.Sell, 3_000));
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({
      execType: ExecType.Trade,
      status: OrderStatus.PartiallyFilled,
      lastPrice: 100,
      lastQty: 2,
      filledQty: 2,
      leavesQty: 2,
      cumNotional: 200,
      liquidityMaker: true,
      fee: 0,
      timeUs: 3_000,
    });
    expect(pb.openOrders()[0]!.queueAhead).toBe(0);
  });

  it('moves up when the level shrinks (cancels ahead) and not back when it grows', () => {
    const pb = new PaperBroker();
    const b = standard();
    pb.place(intent({ price: 100, qty: 4 }), b, 1_000);
    b.apply(Side.Buy, 100, 2);
    expect(pb.onBook(SYM, VENUE, b, 1_100)).toEqual([]);
    expect(pb.openOrders()[0]!.queueAhead).toBe(2);
    b.apply(Side.Buy, 100, 9);
    pb.onBook(SYM, VENUE, b, 1_200);
    expect(pb.openOrders()[0]!.queueAhead).toBe(2);
    expect(fills(pb.onTrade(SYM, VENUE, trade(100, 3, Side.Sell)))).toEqual([[100, 1]]);
  });

  it('has no one ahead on a new level or one better than the best bid', () => {
    const pb = new PaperBroker();
    pb.place(intent({ price: 98, qty: 1 }), standard(), 1_000);
    pb.place(intent({ price: 100, qty: 1, side: Side.Sell, postOnly: true }), book([[99, 1]], [[101, 1]]), 1_000);
    expect(pb.openOrders().map((o) => o.queueAhead)).toEqual([0, 0]);
  });

  it('lets paper orders at one price share a trade in time priority', () => {
    const pb = new PaperBroker();
    const b = book([[99, 5]], [[101, 5]]);
    pb.place(intent({ price: 100, qty: 3 }), b, 1_000);
    pb.place(intent({ price: 100, qty: 3 }), b, 1_001);
    const r = pb.onTrade(SYM, VENUE, trade(100, 4, Side.Sell));
    expect(r.map((x) => [x.orderId, x.lastQty])).toEqual([
      ['P1', 3],
      ['P2', 1],
    ]);
  });

  it('fills the whole remainder on a trade through its price, for either side', () => {
    const pb = new PaperBroker();
    pb.place(intent({ price: 100, qty: 4 }), standard(), 1_000);
    pb.place(intent({ side: Side.Sell, price: 102, qty: 6 }), standard(), 1_000);
    const buy = pb.onTrade(SYM, VENUE, trade(99, 1, Side.Sell));
    expect(buy).toHaveLength(1);
    expect(buy[0]).toMatchObject({ orderId: 'P1', status: OrderStatus.Filled, lastPrice: 100, lastQty: 4, leavesQty: 0, liquidityMaker: true });
    const sell = pb.onTrade(SYM, VENUE, trade(103, 1, Side.Buy));
    expect(sell[0]).toMatchObject({ orderId: 'P2', status: OrderStatus.Filled, lastPrice: 102, lastQty: 6 });
    expect(pb.openOrders()).toEqual([]);
  });

  it('ignores trades of other streams and trades on its own side', () => {
    const pb = new PaperBroker();
    pb.place(intent({ price: 100, qty: 4 }), book([[99, 1]], [[101, 1]]), 1_000);
    expect(pb.onTrade('ETH-USD', VENUE, trade(99, 9, Side.Sell))).toEqual([]);
    expect(pb.onTrade(SYM, 'other', trade(99, 9, Side.Sell))).toEqual([]);
    expect(pb.onTrade(SYM, VENUE, trade(100, 9, Side.Buy))).toEqual([]);
    expect(pb.onTrade(SYM, VENUE, trade(101, 9, Side.Sell))).toEqual([]);
    expect(pb.openOrders()[0]!.filledQty).toBe(0);
  });
});

describe('PaperBroker book crossing', () => {
  it('fills a resting order up to the crossing size, at its own price, as maker', () => {
    const pb = new PaperBroker();
    const b = standard();
    pb.place(intent({ price: 100, qty: 5 }), b, 1_000);
    b.apply(Side.Sell, 99, 2);
    b.apply(Side.Sell, 100, 1);
    const r = pb.onBook(SYM, VENUE, b, 1_500);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ execType: ExecType.Trade, lastPrice: 100, lastQty: 3, filledQty: 3, leavesQty: 2, liquidityMaker: true, timeUs: 1_500 });
  });

  it('does not give the same crossing lots to two resting orders', () => {
    const pb = new PaperBroker();
    const b = book([[99, 5]], [[101, 5]]);
    pb.place(intent({ price: 100, qty: 3 }), b, 1_000);
    pb.place(intent({ price: 100, qty: 3 }), b, 1_001);
    b.apply(Side.Sell, 100, 4);
    expect(pb.onBook(SYM, VENUE, b, 1_500).map((x) => [x.orderId, x.lastQty])).toEqual([
      ['P1', 3],
      ['P2', 1],
    ]);
  });

  it('ignores book updates of other streams', () => {
    const pb = new PaperBroker();
    pb.place(intent({ price: 100, qty: 3 }), standard(), 1_000);
    expect(pb.onBook(SYM, 'other', book([], [[90, 50]]), 1_500)).toEqual([]);
    expect(pb.openOrders()[0]!.queueAhead).toBe(5);
  });
});

describe('PaperBroker on arrival', () => {
  it('walks the levels up to the limit as taker and rests the remainder', () => {
    const pb = new PaperBroker();
    const r = pb.place(intent({ price: 102, qty: 8 }), standard(), 1_000);
    expect(kinds(r)).toEqual([ExecType.New, ExecType.Trade, ExecType.Trade]);
    expect(fills(r)).toEqual([
      [101, 2],
      [102, 3],
    ]);
    expect(r.every((x) => !x.liquidityMaker)).toBe(true);
    expect(r.map((x) => x.tradeId)).toEqual([0, 1, 2]);
    expect(r[2]).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 5, leavesQty: 3, cumNotional: 2 * 101 + 3 * 102 });
    expect(pb.openOrders()).toHaveLength(1);
    expect(pb.openOrders()[0]).toMatchObject({ orderId: 'P1', filledQty: 5, queueAhead: 0 });
  });

  it('sells into the bids the same way', () => {
    const pb = new PaperBroker();
    const r = pb.place(intent({ side: Side.Sell, price: 99, qty: 7, timeInForce: TimeInForce.IOC }), standard(), 1_000);
    expect(fills(r)).toEqual([
      [100, 5],
      [99, 2],
    ]);
    expect(r.at(-1)).toMatchObject({ status: OrderStatus.Filled, leavesQty: 0 });
  });

  it('IOC expires its remainder', () => {
    const pb = new PaperBroker();
    const r = pb.place(intent({ price: 102, qty: 8, timeInForce: TimeInForce.IOC }), standard(), 1_000);
    expect(kinds(r)).toEqual([ExecType.New, ExecType.Trade, ExecType.Trade, ExecType.Expired]);
    expect(r[3]).toMatchObject({ status: OrderStatus.Expired, filledQty: 5, leavesQty: 0 });
    expect(pb.openOrders()).toEqual([]);
  });

  it('IOC that cannot take anything expires whole', () => {
    const r = new PaperBroker().place(intent({ price: 100, qty: 2, timeInForce: TimeInForce.IOC }), standard(), 1_000);
    expect(kinds(r)).toEqual([ExecType.New, ExecType.Expired]);
  });

  it('FOK fills in full or is denied with nothing traded', () => {
    const pb = new PaperBroker();
    const no = pb.place(intent({ price: 102, qty: 6, timeInForce: TimeInForce.FOK }), standard(), 1_000);
    expect(no).toHaveLength(1);
    expect(no[0]).toMatchObject({ execType: ExecType.Denied, status: OrderStatus.Denied, reasonCode: ErrorCode.OMS_FOK_UNFILLABLE, filledQty: 0, leavesQty: 0 });
    const yes = pb.place(intent({ price: 102, qty: 5, timeInForce: TimeInForce.FOK }), standard(), 1_000);
    expect(kinds(yes)).toEqual([ExecType.New, ExecType.Trade, ExecType.Trade]);
    expect(yes.at(-1)).toMatchObject({ status: OrderStatus.Filled, filledQty: 5 });
  });

  it('market order takes everything it needs with no limit and expires what the book lacks', () => {
    const pb = new PaperBroker();
    const r = pb.place(intent({ orderType: OrderType.Market, price: 0, qty: 20 }), standard(), 1_000);
    expect(fills(r)).toEqual([
      [101, 2],
      [102, 3],
      [103, 10],
    ]);
    expect(r.at(-1)).toMatchObject({ execType: ExecType.Expired, status: OrderStatus.Expired, filledQty: 15 });
  });

  it('market order against an empty side is denied OMS_NO_LIQUIDITY', () => {
    const r = new PaperBroker().place(intent({ orderType: OrderType.Market, price: 0, side: Side.Sell }), book([], [[101, 1]]), 1_000);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ status: OrderStatus.Denied, reasonCode: ErrorCode.OMS_NO_LIQUIDITY });
  });

  it('post-only that would take is rejected; one that would not rests', () => {
    const pb = new PaperBroker();
    const no = pb.place(intent({ price: 101, postOnly: true }), standard(), 1_000);
    expect(no).toHaveLength(1);
    expect(no[0]).toMatchObject({ execType: ExecType.Rejected, status: OrderStatus.Rejected, reasonCode: POST_ONLY_WOULD_TAKE });
    expect(kinds(pb.place(intent({ price: 100, postOnly: true }), standard(), 1_000))).toEqual([ExecType.New]);
  });
});

describe('PaperBroker taken liquidity', () => {
  it('does not take the same displayed lots twice before the next book update', () => {
    const pb = new PaperBroker();
    const b = book([[100, 5]], [[101, 3]]);
    expect(fills(pb.place(intent({ price: 101, qty: 2, timeInForce: TimeInForce.IOC }), b, 1_000))).toEqual([[101, 2]]);
    const second = pb.place(intent({ price: 101, qty: 2, timeInForce: TimeInForce.IOC }), b, 1_000);
    expect(fills(second)).toEqual([[101, 1]]);
    expect(second.at(-1)).toMatchObject({ status: OrderStatus.Expired, filledQty: 1 });
    expect(pb.place(intent({ orderType: OrderType.Market, price: 0 }), b, 1_000)[0]).toMatchObject({ reasonCode: ErrorCode.OMS_NO_LIQUIDITY });
    expect(pb.place(intent({ price: 101, qty: 1, timeInForce: TimeInForce.FOK }), b, 1_000)[0]).toMatchObject({ reasonCode: ErrorCode.OMS_FOK_UNFILLABLE });
    // Another stream's update leaves the tally alone; this stream's update resets it.
    pb.onBook(SYM, 'other', b, 1_100);
    expect(fills(pb.place(intent({ price: 101, qty: 3, timeInForce: TimeInForce.IOC }), b, 1_100))).toEqual([]);
    pb.onBook(SYM, VENUE, b, 1_200);
    expect(fills(pb.place(intent({ price: 101, qty: 3, timeInForce: TimeInForce.IOC }), b, 1_200))).toEqual([[101, 3]]);
  });
});

describe('PaperBroker cancel', () => {
  it('cancels one order, then refuses it as not open; unknown ids fail OMS_UNKNOWN_ORDER', () => {
    const pb = new PaperBroker();
    const i = intent({ price: 100, qty: 4 });
    pb.place(i, standard(), 1_000);
    const r = pb.cancel(i.clientOrderId, 1_100);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toHaveLength(1);
    expect(r.value[0]).toMatchObject({ execType: ExecType.Canceled, status: OrderStatus.Canceled, leavesQty: 0, timeUs: 1_100, clientOrderId: i.clientOrderId });
    const again = pb.cancel(i.clientOrderId, 1_200);
    expect(again.ok ? '' : again.reason.code).toBe(ErrorCode.OMS_ORDER_NOT_OPEN);
    const unknown = pb.cancel('nope', 1_200);
    expect(unknown.ok ? '' : unknown.reason.code).toBe(ErrorCode.OMS_UNKNOWN_ORDER);
    // A canceled order no longer trades.
    expect(pb.onTrade(SYM, VENUE, trade(90, 50, Side.Sell))).toEqual([]);
  });

  it('cancelAll cancels one symbol, then all, in placement order', () => {
    const pb = new PaperBroker();
    pb.place(intent({ price: 100 }), standard(), 1_000);
    pb.place(intent({ price: 100, symbol: 'ETH-USD' }), standard(), 1_000);
    pb.place(intent({ price: 99 }), standard(), 1_000);
    expect(pb.cancelAll('ETH-USD', 1_100).map((r) => r.orderId)).toEqual(['P2']);
    expect(pb.cancelAll(undefined, 1_200).map((r) => [r.orderId, r.status])).toEqual([
      ['P1', OrderStatus.Canceled],
      ['P3', OrderStatus.Canceled],
    ]);
    expect(pb.openOrders()).toEqual([]);
    expect(pb.cancelAll('', 1_300)).toEqual([]);
  });
});

describe('PaperBroker refusals', () => {
  const cases: { name: string; order: Partial<OrderIntent>; code: string }[] = [
    { name: 'qty 0', order: { qty: 0 }, code: ErrorCode.RISK_INVALID_QTY },
    { name: 'negative qty', order: { qty: -1 }, code: ErrorCode.RISK_INVALID_QTY },
    { name: 'fractional qty', order: { qty: 1.5 }, code: ErrorCode.RISK_INVALID_QTY },
    { name: 'NaN qty', order: { qty: Number.NaN }, code: ErrorCode.RISK_INVALID_QTY },
    { name: 'price 0', order: { price: 0 }, code: ErrorCode.RISK_INVALID_PRICE },
    { name: 'fractional price', order: { price: 100.5 }, code: ErrorCode.RISK_INVALID_PRICE },
    { name: 'unsafe price', order: { price: 2 ** 53 }, code: ErrorCode.RISK_INVALID_PRICE },
    { name: 'market order with a price', order: { orderType: OrderType.Market, price: 100 }, code: ErrorCode.RISK_INVALID_PRICE },
    { name: 'no venue (smart routing)', order: { venue: '' }, code: ErrorCode.OMS_NO_ROUTE },
    { name: 'side out of range', order: { side: 7 as Side }, code: ErrorCode.CODEC_INVALID_FIELD },
  ];
  for (const c of cases) {
    it(`denies ${c.name} with ${c.code}`, () => {
      const r = new PaperBroker().place(intent(c.order), standard(), 1_000);
      expect(r).toHaveLength(1);
      expect(r[0]).toMatchObject({ execType: ExecType.Denied, status: OrderStatus.Denied, reasonCode: c.code, orderId: 'P1', leavesQty: 0 });
    });
  }

  it('denies PAPER_NO_BOOK without a book or with an empty one', () => {
    const pb = new PaperBroker();
    expect(pb.place(intent(), undefined, 1_000)[0]).toMatchObject({ status: OrderStatus.Denied, reasonCode: ErrorCode.PAPER_NO_BOOK });
    expect(pb.place(intent(), new FastBook(), 1_000)[0]).toMatchObject({ status: OrderStatus.Denied, reasonCode: ErrorCode.PAPER_NO_BOOK });
  });

  it('refuses a live duplicate client order id without making an order, and takes it again once the first is over', () => {
    const pb = new PaperBroker();
    const i = intent({ price: 100 });
    pb.place(i, standard(), 1_000);
    const dup = pb.place(i, standard(), 1_001);
    expect(dup).toHaveLength(1);
    expect(dup[0]).toMatchObject({ status: OrderStatus.Denied, reasonCode: ErrorCode.OMS_DUPLICATE_CLIENT_ORDER_ID, orderId: '' });
    expect(pb.openOrders()).toHaveLength(1);
    pb.cancel(i.clientOrderId, 1_002);
    expect(pb.place(i, standard(), 1_003)[0]).toMatchObject({ execType: ExecType.New, orderId: 'P2' });
  });

  it('reset forgets everything and numbers orders from P1 again', () => {
    const pb = new PaperBroker({ account: 'practice' });
    const i = intent({ price: 100 });
    pb.place(i, standard(), 1_000);
    pb.reset();
    expect(pb.openOrders()).toEqual([]);
    expect(pb.cancel(i.clientOrderId, 1_001).ok).toBe(false);
    expect(pb.place(i, standard(), 1_002)[0]).toMatchObject({ orderId: 'P1', account: 'practice' });
  });
});

describe('PaperBroker reports', () => {
  it('are accepted by OrderBlotter: a rested, then traded-through order ends FILLED', () => {
    const pb = new PaperBroker();
    const blotter = new OrderBlotter();
    const i = intent({ price: 102, qty: 8 });
    const reports = [...pb.place(i, standard(), 1_000), ...pb.onTrade(SYM, VENUE, trade(100, 1, Side.Buy)), ...pb.onTrade(SYM, VENUE, trade(101, 1, Side.Sell, 2_500))];
    let booked = 0;
    for (const r of reports) {
      const o = blotter.apply(r, i);
      if (r.execType === ExecType.Trade) booked += r.lastQty;
      expect(o.filledQty).toBe(r.filledQty);
    }
    const o = blotter.byClientOrderId(i.clientOrderId)!;
    expect(o).toMatchObject({ status: OrderStatus.Filled, filledQty: 8, qty: 8, orderId: 'P1', fees: 0, timeInForce: TimeInForce.GTC, reasonCode: '' });
    expect(booked).toBe(8);
    expect(o.cumNotional).toBe(2 * 101 + 3 * 102 + 3 * 102);
    expect(blotter.exposure(SYM, () => 0).openOrders).toBe(0);
  });

  it('are deterministic: two brokers fed the same random sequence report the same', () => {
    const run = (): ExecutionReportMsg[] => {
      const rand = mulberry32(20_260_126);
      const pb = new PaperBroker();
      const b = book(
        [
          [100, 5],
          [99, 5],
        ],
        [
          [101, 5],
          [102, 5],
        ],
      );
      const out: ExecutionReportMsg[] = [];
      for (let t = 1; t <= 3_000; t++) {
        const timeUs = t * 100;
        const k = rand();
        if (k < 0.35) {
          // Move one level of the book; keep it uncrossed most of the time, as a recording is.
          const side = rand() < 0.5 ? Side.Buy : Side.Sell;
          const price = side === Side.Buy ? randomInt(rand, 95, 101) : randomInt(rand, 100, 106);
          b.apply(side, price, randomInt(rand, 0, 8));
          out.push(...pb.onBook(SYM, VENUE, b, timeUs));
        } else if (k < 0.65) {
          out.push(...pb.onTrade(SYM, VENUE, trade(randomInt(rand, 97, 104), randomInt(rand, 1, 6), rand() < 0.5 ? Side.Buy : Side.Sell, timeUs)));
        } else if (k < 0.9) {
          const market = rand() < 0.1;
          const tifs = [TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.Day];
          out.push(
            ...pb.place(
              intent({
                clientOrderId: `r${randomInt(rand, 1, 40)}`,
                side: rand() < 0.5 ? Side.Buy : Side.Sell,
                orderType: market ? OrderType.Market : OrderType.Limit,
                price: market ? 0 : randomInt(rand, 97, 104),
                qty: randomInt(rand, 1, 8),
                timeInForce: tifs[randomInt(rand, 0, 3)]!,
                postOnly: rand() < 0.1,
              }),
              b,
              timeUs,
            ),
          );
        } else {
          const r = pb.cancel(`r${randomInt(rand, 1, 40)}`, timeUs);
          if (r.ok) out.push(...r.value);
        }
      }
      return out;
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(a.filter((r) => r.execType === ExecType.Trade && r.liquidityMaker).length).toBeGreaterThan(20);
    expect(a.filter((r) => r.execType === ExecType.Trade && !r.liquidityMaker).length).toBeGreaterThan(20);
    // Every order's fills add up, and none overfills.
    const byOrder = new Map<string, { lots: number; qty: number; last: ExecutionReportMsg }>();
    for (const r of a) {
      if (r.orderId === '') continue;
      const e = byOrder.get(r.orderId) ?? { lots: 0, qty: r.qty, last: r };
      e.lots += r.lastQty;
      e.last = r;
      byOrder.set(r.orderId, e);
      expect(r.filledQty).toBe(e.lots);
      expect(r.filledQty).toBeLessThanOrEqual(r.qty);
    }
    for (const { lots, qty, last } of byOrder.values()) if (last.status === OrderStatus.Filled) expect(lots).toBe(qty);
  });
});

describe('PaperBroker fees: the venue rates of the recorded instrument, as the simulator charges them', () => {
  // BTC-USD at sim-a: tick 0.01, lot 0.0001, maker −1 bp (rebate), taker 5 bp.
  const inst = { tickSize: '0.01', lotSize: '0.0001', makerFeeBpsX100: -100, takerFeeBpsX100: 500 };

  it('a taker fill pays 5 bp of its notional; the order and its report carry it (1e-8 USD)', () => {
    const pb = new PaperBroker();
    const b = book([[5_000_000, 10]], [[5_000_100, 2], [5_000_200, 3]]);
    const r = pb.place(intent({ side: Side.Buy, price: 5_000_200, qty: 4, timeInForce: TimeInForce.IOC }), b, 1_000, inst);
    const trades = r.filter((x) => x.execType === ExecType.Trade);
    // 2 lots = 0.0002 BTC at 50,001.00 = 10.0002 USD × 0.0005 = 0.0050001 USD; 2 lots at 50,002.00 → 0.0050002 USD.
    expect(trades.map((t) => t.fee)).toEqual([500_010, 500_020]);
    expect(r.at(-1)!.execType).toBe(ExecType.Trade);
    const blotter = new OrderBlotter();
    for (const x of r) blotter.apply(x);
    expect(blotter.byClientOrderId(r[0]!.clientOrderId)?.fees).toBe(1_000_030);
  });

  it('a resting fill earns the maker rebate (negative fee); without an instrument paper fills stay free', () => {
    const pb = new PaperBroker();
    const b = book([[5_000_000, 0]], [[5_000_100, 5]]);
    pb.place(intent({ side: Side.Buy, price: 5_000_000, qty: 3 }), b, 1_000, inst);
    const fill = pb.onTrade(SYM, VENUE, trade(5_000_000, 3, Side.Sell)).find((x) => x.execType === ExecType.Trade)!;
    // 3 lots at 50,000.00 = 15 USD × −0.0001 = −0.0015 USD.
    expect(fill).toMatchObject({ liquidityMaker: true, fee: -150_000 });
    const free = new PaperBroker().place(intent({ side: Side.Buy, price: 5_000_100, qty: 1, timeInForce: TimeInForce.IOC }), b, 1_000);
    expect(free.filter((x) => x.execType === ExecType.Trade).map((x) => x.fee)).toEqual([0]);
  });
});
