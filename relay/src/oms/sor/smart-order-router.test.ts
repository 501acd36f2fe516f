import { describe, expect, it } from 'vitest';
import {
  Algo,
  FastBook,
  OrderType,
  ReferenceBook,
  Side,
  TimeInForce,
  type L2Book,
  type OrderIntent,
} from '@tickmesh/shared';
import { testInstrument } from '../../../../shared/src/model/instrument-fixtures';
import { SmartOrderRouter, type SmartOrderRouterOptions } from './smart-order-router';
import type { VenueQuote } from './router-port';

interface VenueScript {
  venue: string;
  takerFeeBpsX100?: number;
  makerFeeBpsX100?: number;
  bids?: [price: number, size: number][];
  asks?: [price: number, size: number][];
}

function intent(over: Partial<OrderIntent>): OrderIntent {
  return {
    account: 'acc-1',
    clientOrderId: 'c-1',
    symbol: 'BTC-USD',
    venue: '',
    side: Side.Buy,
    orderType: OrderType.Limit,
    timeInForce: TimeInForce.IOC,
    price: 0,
    qty: 1,
    postOnly: false,
    algo: Algo.None,
    displayQty: 0,
    durationMs: 0,
    ...over,
  };
}

const books: [string, () => L2Book][] = [
  ['FastBook', () => new FastBook()],
  ['ReferenceBook', () => new ReferenceBook()],
];

describe.each(books)('SmartOrderRouter over %s', (_name, makeBook) => {
  function router(scripts: VenueScript[], marketProtectionBps?: number, suspectOf?: SmartOrderRouterOptions['suspectOf']): SmartOrderRouter {
    const quotes: VenueQuote[] = scripts.map((s) => {
      const book = makeBook();
      for (const [p, q] of s.bids ?? []) book.apply(Side.Buy, p, q);
      for (const [p, q] of s.asks ?? []) book.apply(Side.Sell, p, q);
      return { venue: s.venue, instrument: testInstrument({ venue: s.venue, takerFeeBpsX100: s.takerFeeBpsX100 ?? 0, makerFeeBpsX100: s.makerFeeBpsX100 ?? 0 }), book };
    });
    return new SmartOrderRouter(
      { quotes: (symbol) => (symbol === 'BTC-USD' ? quotes : []) },
      { ...(marketProtectionBps === undefined ? {} : { marketProtectionBps }), suspectOf },
    );
  }

  function children(r: SmartOrderRouter, i: OrderIntent) {
    const res = r.route(i);
    if (!res.ok) throw new Error(`expected ok, got ${res.reason.code}`);
    return res.value;
  }

  function code(r: SmartOrderRouter, i: OrderIntent): string {
    const res = r.route(i);
    return res.ok ? 'ok' : res.reason.code;
  }

  describe('fee-adjusted best price', () => {
    // a: raw ask 10_000 with 30 bps taker fee costs 10_030; b: 10_002 with 5 bps costs ~10_007.
    const scripts: VenueScript[] = [
      { venue: 'a', takerFeeBpsX100: 3_000, asks: [[10_000, 10]], bids: [[9_998, 10]] },
      { venue: 'b', takerFeeBpsX100: 500, asks: [[10_002, 10]], bids: [[9_996, 10]] },
    ];

    it('buys at the venue that is cheaper after fees although its raw ask is worse', () => {
      expect(children(router(scripts), intent({ price: 10_010, qty: 5 }))).toEqual([
        { venue: 'b', price: 10_010, qty: 5, orderType: OrderType.Limit, timeInForce: TimeInForce.IOC },
      ]);
    });

    it('sells at the venue that pays more after fees although its raw bid is lower', () => {
      // a: 9_998 * (1 - 0.003) = 9_968; b: 9_996 * (1 - 0.0005) = 9_991.
      expect(children(router(scripts), intent({ side: Side.Sell, price: 9_990, qty: 5 }))).toEqual([
        { venue: 'b', price: 9_990, qty: 5, orderType: OrderType.Limit, timeInForce: TimeInForce.IOC },
      ]);
    });

    it('goes on to the dearer venue once the cheaper one is exhausted', () => {
      const got = children(router(scripts), intent({ price: 10_010, qty: 15 }));
      expect(got.map((c) => [c.venue, c.price, c.qty])).toEqual([
        ['b', 10_010, 10],
        ['a', 10_010, 5],
      ]);
    });
  });

  describe('sweep and split', () => {
    const scripts: VenueScript[] = [
      { venue: 'a', asks: [[100, 5], [101, 5], [103, 5]] },
      { venue: 'b', asks: [[100, 3], [102, 4]] },
    ];

    it('sweeps both venues up to the limit, one child per venue priced at the limit', () => {
      const got = children(router(scripts), intent({ price: 102, qty: 20 }));
      expect(got.map((c) => [c.venue, c.price, c.qty, c.timeInForce])).toEqual([
        ['a', 102, 10, TimeInForce.IOC],
        ['b', 102, 7, TimeInForce.IOC],
      ]);
      // 3 lots stay unrouted: the OMS reports them canceled.
      expect(20 - got.reduce((s, c) => s + c.qty, 0)).toBe(3);
    });

    it('splits one price level across venues by displayed size', () => {
      const got = children(router(scripts), intent({ price: 100, qty: 7 }));
      expect(got.map((c) => [c.venue, c.price, c.qty])).toEqual([
        ['a', 100, 5],
        ['b', 100, 2],
      ]);
    });

    it('routes nothing for a limit IOC with no level inside the limit', () => {
      expect(children(router(scripts), intent({ price: 99, qty: 7 }))).toEqual([]);
    });

    it('sweeps bids for a sell down to the limit', () => {
      const r = router([
        { venue: 'a', bids: [[100, 2], [98, 5]] },
        { venue: 'b', bids: [[99, 4], [97, 9]] },
      ]);
      const got = children(r, intent({ side: Side.Sell, price: 98, qty: 20 }));
      expect(got.map((c) => [c.venue, c.price, c.qty])).toEqual([
        ['a', 98, 7],
        ['b', 98, 4],
      ]);
    });
  });

  describe('GTC remainder', () => {
    it('rests the remainder at the venue with the best maker fee, merged with its taking child', () => {
      const r = router([
        { venue: 'a', makerFeeBpsX100: 0, asks: [[100, 5]], bids: [[98, 1]] },
        { venue: 'b', makerFeeBpsX100: -100, asks: [[101, 4]], bids: [[97, 1]] },
      ]);
      const got = children(r, intent({ timeInForce: TimeInForce.GTC, price: 101, qty: 30 }));
      expect(got).toEqual([
        // Children of a resting parent rest too if their level moved before they arrive.
        { venue: 'a', price: 101, qty: 5, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC },
        // b's 4 lots taken plus 21 resting, all from one GTC child at the limit.
        { venue: 'b', price: 101, qty: 25, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC },
      ]);
    });

    it('adds a separate resting child when the cheapest maker venue had nothing to take', () => {
      const r = router([
        { venue: 'a', makerFeeBpsX100: 0, asks: [[100, 5]] },
        { venue: 'b', makerFeeBpsX100: -100, asks: [[105, 4]] },
      ]);
      const got = children(r, intent({ timeInForce: TimeInForce.Day, price: 101, qty: 8 }));
      expect(got.map((c) => [c.venue, c.price, c.qty, c.timeInForce])).toEqual([
        ['a', 101, 5, TimeInForce.Day],
        ['b', 101, 3, TimeInForce.Day],
      ]);
    });

    it('breaks a maker-fee tie by the best displayed price on the order side', () => {
      const r = router([
        { venue: 'a', makerFeeBpsX100: -100, bids: [[97, 1]], asks: [[110, 1]] },
        { venue: 'b', makerFeeBpsX100: -100, bids: [[99, 1]], asks: [[110, 1]] },
      ]);
      expect(children(r, intent({ timeInForce: TimeInForce.GTC, price: 98, qty: 3 }))).toEqual([
        { venue: 'b', price: 98, qty: 3, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC },
      ]);
      const sell = children(r, intent({ side: Side.Sell, timeInForce: TimeInForce.GTC, price: 120, qty: 3 }));
      // Equal asks: quote order decides.
      expect(sell.map((c) => c.venue)).toEqual(['a']);
    });

    it('rests a post-only order whole, avoiding venues where it would cross', () => {
      const r = router([
        { venue: 'a', makerFeeBpsX100: -200, asks: [[100, 5]] },
        { venue: 'b', makerFeeBpsX100: 0, asks: [[102, 5]] },
      ]);
      expect(children(r, intent({ timeInForce: TimeInForce.GTC, postOnly: true, price: 101, qty: 4 }))).toEqual([
        { venue: 'b', price: 101, qty: 4, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC },
      ]);
    });
  });

  describe('market orders', () => {
    const scripts: VenueScript[] = [
      { venue: 'a', asks: [[10_000, 5], [10_050, 5], [10_150, 5]], bids: [[9_990, 5], [9_880, 5]] },
      { venue: 'b', asks: [[10_100, 2], [10_101, 7]], bids: [[9_891, 3]] },
    ];

    it('sweeps no further than 100 bps through the best price by default, as protected limits', () => {
      const got = children(router(scripts), intent({ orderType: OrderType.Market, qty: 30 }));
      // Band: 10_000 * 1.01 = 10_100.
      expect(got).toEqual([
        { venue: 'a', price: 10_100, qty: 10, orderType: OrderType.Limit, timeInForce: TimeInForce.IOC },
        { venue: 'b', price: 10_100, qty: 2, orderType: OrderType.Limit, timeInForce: TimeInForce.IOC },
      ]);
    });

    it('never rests, even with GTC', () => {
      const got = children(router(scripts), intent({ orderType: OrderType.Market, timeInForce: TimeInForce.GTC, qty: 30 }));
      expect(got.reduce((s, c) => s + c.qty, 0)).toBe(12);
    });

    it('honours a wider band option and the sell side band', () => {
      const wide = children(router(scripts, 200), intent({ orderType: OrderType.Market, qty: 30 }));
      expect(wide.map((c) => [c.venue, c.price, c.qty])).toEqual([
        ['a', 10_200, 15],
        ['b', 10_200, 9],
      ]);
      // Band: ceil(9_990 * 0.99) = 9_891.
      const sell = children(router(scripts), intent({ side: Side.Sell, orderType: OrderType.Market, qty: 30 }));
      expect(sell.map((c) => [c.venue, c.price, c.qty])).toEqual([
        ['a', 9_891, 5],
        ['b', 9_891, 3],
      ]);
    });

    it('fails with OMS_NO_LIQUIDITY when the side it takes from is empty everywhere', () => {
      const r = router([{ venue: 'a', bids: [[9_990, 5]] }, { venue: 'b' }]);
      expect(code(r, intent({ orderType: OrderType.Market, qty: 1 }))).toBe('OMS_NO_LIQUIDITY');
    });
  });

  describe('FOK', () => {
    const scripts: VenueScript[] = [
      { venue: 'a', asks: [[100, 5], [102, 5]] },
      { venue: 'b', asks: [[101, 3]] },
    ];

    it('routes FOK legs when the whole quantity is available across venues at the limit', () => {
      const got = children(router(scripts), intent({ timeInForce: TimeInForce.FOK, price: 101, qty: 8 }));
      expect(got.map((c) => [c.venue, c.price, c.qty, c.timeInForce])).toEqual([
        ['a', 101, 5, TimeInForce.FOK],
        ['b', 101, 3, TimeInForce.FOK],
      ]);
    });

    it('says what an unfillable FOK found in the instrument units, not lots', () => {
      const r = router(scripts).route(intent({ timeInForce: TimeInForce.FOK, price: 101, qty: 9 }));
      expect(r.ok).toBe(false);
      // 8 of 9 lots at tick 0.01 / lot 0.0001 of the test instrument.
      if (!r.ok) expect(r.reason.message).toBe('only 0.0008 BTC of 0.0009 BTC available at 1.01 USD or better');
    });

    it('fails with OMS_FOK_UNFILLABLE when one lot short', () => {
      expect(code(router(scripts), intent({ timeInForce: TimeInForce.FOK, price: 101, qty: 9 }))).toBe('OMS_FOK_UNFILLABLE');
      expect(code(router(scripts), intent({ orderType: OrderType.Market, timeInForce: TimeInForce.FOK, qty: 14 }))).toBe(
        'OMS_FOK_UNFILLABLE',
      );
    });
  });

  describe('symbols and venues', () => {
    const scripts: VenueScript[] = [
      { venue: 'a', asks: [[100, 5]] },
      { venue: 'b', asks: [[99, 5]] },
    ];

    it('fails with OMS_UNKNOWN_SYMBOL when no venue quotes the symbol', () => {
      expect(code(router(scripts), intent({ symbol: 'DOGE-USD', price: 100, qty: 1 }))).toBe('OMS_UNKNOWN_SYMBOL');
    });

    it('keeps a pinned order on its venue and fails with OMS_UNKNOWN_VENUE for an unlisted one', () => {
      const got = children(router(scripts), intent({ venue: 'a', price: 100, qty: 2 }));
      expect(got.map((c) => [c.venue, c.price, c.qty])).toEqual([['a', 100, 2]]);
      expect(code(router(scripts), intent({ venue: 'zz', price: 100, qty: 2 }))).toBe('OMS_UNKNOWN_VENUE');
    });

    it('throws on a non-positive quantity (validated upstream)', () => {
      expect(() => router(scripts).route(intent({ price: 100, qty: 0 }))).toThrow(RangeError);
    });
  });

  describe('venues with an open market-data anomaly', () => {
    const scripts: VenueScript[] = [
      { venue: 'a', asks: [[10_000, 5]] },
      { venue: 'b', asks: [[10_001, 5]] },
    ];
    function guarded(suspect: Record<string, string>): SmartOrderRouter {
      // The suspect lookup the relay wires to its anomaly monitor.
      return router(scripts, undefined, (venue, symbol) => (symbol === 'BTC-USD' && suspect[venue] ? { code: suspect[venue]! } : undefined));
    }

    it('smart routing leaves a suspect venue out, even when it is the cheaper one', () => {
      expect(children(guarded({}), intent({ price: 10_001, qty: 10 })).map((c) => [c.venue, c.qty])).toEqual([['a', 5], ['b', 5]]);
      expect(children(guarded({ a: 'MD_ANOMALY_CROSSED_BOOK' }), intent({ price: 10_001, qty: 10 })).map((c) => [c.venue, c.qty])).toEqual([['b', 5]]);
    });

    it('an order naming the suspect venue still goes there (the trader chose it)', () => {
      expect(children(guarded({ a: 'MD_ANOMALY_CROSSED_BOOK' }), intent({ venue: 'a', price: 10_001, qty: 5 })).map((c) => c.venue)).toEqual(['a']);
    });

    it('every venue suspect is refused with OMS_VENUES_SUSPECT, naming each venue and its anomaly', () => {
      const r = guarded({ a: 'MD_ANOMALY_FROZEN_FEED', b: 'MD_ANOMALY_DIVERGENCE' }).route(intent({ price: 10_001, qty: 5 }));
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.reason.code).toBe('OMS_VENUES_SUSPECT');
      expect(r.reason.message).toContain('a (MD_ANOMALY_FROZEN_FEED), b (MD_ANOMALY_DIVERGENCE)');
    });
  });
});
