import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Contingency, ErrorCode, OrderStatus, OrderType, Side, TimeInForce, TriggerSource, TriggerType,
  type JournalRecord, type Order, type OrderConditional, type OrderIntent,
} from '@tickmesh/shared';
import { Journal } from '../journal/index';
import { SimVenue } from '../venues/sim/sim-venue';
import type { VenueAdapter } from '../venues/venue-adapter';
import type { Oms, RecoverySummary } from './oms';
import { conditional, intent, makeOms, settle, steppingClock, take } from './oms-test-kit';
import { PersistentExchange, type PersistentExchangeSession } from './persistent-exchange';

/**
 * A bracket across a relay restart while its entry is still working: a real journal file,
 * reopened and replayed by Oms.recover, with an exchange that keeps orders (the entry keeps
 * working through the restart) or a sim whose orders die with the process. Every order that
 * reaches a venue is counted, so an order sent twice shows.
 */

const open: Journal[] = [];
afterEach(async () => {
  for (const j of open.splice(0)) await j.close().catch(() => undefined);
});

const bracket = (over: Partial<OrderConditional>): OrderConditional => conditional({ contingency: Contingency.Bracket, ...over });

let takerSeq = 0;

function world() {
  const clock = steppingClock();
  const file = join(mkdtempSync(join(tmpdir(), 'tickmesh-bracket-restart-')), 'journal.tmj');
  const exchangeSim = new SimVenue({ id: 'sim-a', seed: 61, nowUs: clock });
  const exchange = new PersistentExchange(exchangeSim);
  /** Every order id any relay process sent to a venue, in order. */
  const sent: string[] = [];
  let inFlight = 0;
  const quiet = async () => {
    for (let calm = 0; calm < 3; ) {
      await settle(1);
      calm = inFlight === 0 ? calm + 1 : 0;
    }
  };
  const boot = async (keep: boolean) => {
    const { journal, entries } = await Journal.open(file, { fsync: false });
    open.push(journal);
    const session: VenueAdapter = keep ? exchange.connect() : new SimVenue({ id: 'sim-a', seed: 62, nowUs: clock });
    const submit = session.submit.bind(session);
    session.submit = (o) => {
      if (o.account === 'alice') sent.push(o.orderId); // not the test's own takers
      submit(o);
    };
    // The process dies at the first record `dies` matches: it and everything after never become durable (nor is sent).
    let dies: ((r: JournalRecord) => boolean) | null = null;
    let dead = false;
    const oms = makeOms([session], {
      nowUs: clock,
      journal: {
        append: (r) => {
          if (dead || dies?.(r) === true) return (dead = true), new Promise(() => {});
          inFlight++;
          return journal.append(r).finally(() => inFlight--);
        },
      },
    });
    const summary: RecoverySummary = await oms.recover(entries);
    await quiet();
    const price = async (px: number) => {
      oms.onMarketPrice('BTC-USD', 'sim-a', TriggerSource.Last, px);
      await quiet();
    };
    const sim = keep ? exchangeSim : (session as SimVenue);
    /** The process dies: its venue session with it (an exchange keeps the orders), then its journal closes. */
    const crash = async () => {
      (session as Partial<PersistentExchangeSession>).drop?.();
      await journal.close();
    };
    return { oms, summary, sim, price, crash, dieAt: (p: (r: JournalRecord) => boolean) => (dies = p) };
  };
  const place = async (oms: Oms, over: Partial<OrderIntent>) => {
    const r = await oms.newOrder(intent(over));
    await quiet();
    if (!r.ok) throw new Error(r.reason.code);
    return r.value.orderId;
  };
  return { boot, place, quiet, exchangeSim, sent };
}

const kids = (oms: Oms, id: string) => oms.orders('alice').filter((o) => o.parentOrderId === id);
const takeProfits = (oms: Oms, id: string) => kids(oms, id).filter((k) => k.side === Side.Sell && k.orderType === OrderType.Limit);
const openQty = (orders: Order[]) => orders.filter((k) => k.status === OrderStatus.Accepted || k.status === OrderStatus.PartiallyFilled).reduce((n, k) => n + k.qty - k.filledQty, 0);
const position = (oms: Oms) => oms.positions('alice', () => 0)[0]?.qty ?? 0;

/** A buy bracket whose limit entry rests alone at the best bid (bid + 1) and whose take-profit rests alone at the best ask (ask - 1). */
async function placeBracket(w: ReturnType<typeof world>, oms: Oms, sim: SimVenue, qty: number) {
  const engine = sim.market('BTC-USD')!.engine;
  const bid = engine.bestBid();
  const ask = engine.bestAsk();
  expect(ask - bid).toBeGreaterThan(2);
  const entryPx = bid + 1;
  const stopPx = bid - 3_000;
  const id = await w.place(oms, {
    clientOrderId: `br${++takerSeq}`, side: Side.Buy, price: entryPx, qty, timeInForce: TimeInForce.GTC,
    conditional: bracket({ takeProfitPrice: ask - 1, triggerPrice: stopPx }),
  });
  return { id, entryPx, tpPx: ask - 1, stopPx };
}

describe('Oms restart: a bracket whose entry is still working', () => {
  it('part filled when the process died before its exits were durable: after the restart the exits are armed for the 2 filled lots, the kept entry works on, a later fill grows them, the stop-loss cancels the rest and sells what filled', async () => {
    const w = world();
    const first = await w.boot(true);
    const b = await placeBracket(w, first.oms, first.sim, 5);
    const entry = kids(first.oms, b.id)[0]!;
    // Dies as the exits would go out: the entry's fill is durable, the take-profit never is.
    first.dieAt((r) => r.kind === 'order-request' && r.intent.side === Side.Sell);
    take(first.sim, Side.Sell, b.entryPx, 2);
    await w.quiet();
    expect(first.oms.order(entry.orderId)).toMatchObject({ filledQty: 2, status: OrderStatus.PartiallyFilled });
    expect(w.sent).toEqual([entry.orderId]);
    await first.crash();

    const second = await w.boot(true);
    expect(second.summary).toMatchObject({ rearmed: 1, resumed: 1 });
    expect(second.oms.order(b.id)).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 2 });
    const [kept, tp] = kids(second.oms, b.id);
    expect(kept).toMatchObject({ orderId: entry.orderId, qty: 5, filledQty: 2, status: OrderStatus.PartiallyFilled });
    expect(tp).toMatchObject({ side: Side.Sell, orderType: OrderType.Limit, price: b.tpPx, qty: 2, status: OrderStatus.Accepted });
    expect(kids(second.oms, b.id)).toHaveLength(2);
    expect(w.sent).toEqual([entry.orderId, tp!.orderId]);

    take(second.sim, Side.Sell, b.entryPx, 1);
    await w.quiet();
    expect(second.oms.order(b.id)).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 3 });
    expect(takeProfits(second.oms, b.id).map((k) => [k.qty, k.status])).toEqual([
      [2, OrderStatus.Accepted],
      [1, OrderStatus.Accepted],
    ]);
    expect(position(second.oms)).toBe(3);

    await second.price(b.stopPx);
    expect(kids(second.oms, b.id).map((k) => [k.side, k.orderType, k.qty, k.filledQty, k.status])).toEqual([
      [Side.Buy, OrderType.Limit, 5, 3, OrderStatus.Canceled],
      [Side.Sell, OrderType.Limit, 2, 0, OrderStatus.Canceled],
      [Side.Sell, OrderType.Limit, 1, 0, OrderStatus.Canceled],
      [Side.Sell, OrderType.Market, 3, 3, OrderStatus.Filled],
    ]);
    expect(second.oms.order(b.id)).toMatchObject({ status: OrderStatus.Canceled, filledQty: 3, trigger: { firedTrigger: TriggerType.Stop } });
    expect(position(second.oms)).toBe(0);
    expect(new Set(w.sent).size).toBe(w.sent.length);
    expect(w.sent).toHaveLength(4);
  });

  it('part filled with its exits armed, filled more while the relay was down: the kept take-profit is adopted (not sent again) and grows by the lot filled meanwhile; the take-profits filling end it, the stop-loss never fires', async () => {
    const w = world();
    const first = await w.boot(true);
    const b = await placeBracket(w, first.oms, first.sim, 5);
    take(first.sim, Side.Sell, b.entryPx, 2);
    await w.quiet();
    const [entry, tp] = kids(first.oms, b.id);
    expect(tp).toMatchObject({ side: Side.Sell, price: b.tpPx, qty: 2, status: OrderStatus.Accepted });
    expect(first.oms.order(b.id)).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 2 });
    await first.crash();
    take(w.exchangeSim, Side.Sell, b.entryPx, 1); // while no relay runs

    const second = await w.boot(true);
    expect(second.summary).toMatchObject({ rearmed: 1, resumed: 2 });
    expect(second.oms.order(b.id)).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 3 });
    const after = kids(second.oms, b.id);
    expect(after.map((k) => [k.orderId, k.qty, k.filledQty, k.status])).toEqual([
      [entry!.orderId, 5, 3, OrderStatus.PartiallyFilled],
      [tp!.orderId, 2, 0, OrderStatus.Accepted],
      [after[2]!.orderId, 1, 0, OrderStatus.Accepted],
    ]);
    expect(openQty(takeProfits(second.oms, b.id))).toBe(3);
    expect(w.sent).toEqual([entry!.orderId, tp!.orderId, after[2]!.orderId]);

    take(second.sim, Side.Buy, b.tpPx, 3);
    await w.quiet();
    expect(kids(second.oms, b.id).map((k) => [k.side, k.filledQty, k.status])).toEqual([
      [Side.Buy, 3, OrderStatus.Canceled],
      [Side.Sell, 2, OrderStatus.Filled],
      [Side.Sell, 1, OrderStatus.Filled],
    ]);
    expect(second.oms.order(b.id)!.status).toBe(OrderStatus.Canceled);
    await second.price(b.stopPx - 5_000);
    expect(kids(second.oms, b.id)).toHaveLength(3);
    expect(position(second.oms)).toBe(0);
  });

  it('part filled at a sim whose orders died with the process: the entry is not sent again, the exits are armed for the 2 filled lots once, and the stop-loss sells 2', async () => {
    const w = world();
    const first = await w.boot(false);
    const b = await placeBracket(w, first.oms, first.sim, 5);
    take(first.sim, Side.Sell, b.entryPx, 2);
    await w.quiet();
    await first.crash();

    const second = await w.boot(false);
    expect(second.summary.rearmed).toBe(1);
    const [entry, lostTp, tp] = kids(second.oms, b.id);
    expect(entry).toMatchObject({ filledQty: 2, status: OrderStatus.Canceled, reasonCode: ErrorCode.OMS_VENUE_SESSION_LOST });
    expect(lostTp).toMatchObject({ qty: 2, status: OrderStatus.Canceled, reasonCode: ErrorCode.OMS_VENUE_SESSION_LOST });
    expect(tp).toMatchObject({ side: Side.Sell, price: b.tpPx, qty: 2, status: OrderStatus.Accepted });
    expect(kids(second.oms, b.id)).toHaveLength(3);
    // The entry is over (it went with its session): the order is armed on its exits alone.
    expect(second.oms.order(b.id)).toMatchObject({ status: OrderStatus.PendingTrigger, filledQty: 2 });
    expect(position(second.oms)).toBe(2);

    await second.price(b.stopPx);
    expect(kids(second.oms, b.id).slice(2).map((k) => [k.orderType, k.qty, k.status])).toEqual([
      [OrderType.Limit, 2, OrderStatus.Canceled],
      [OrderType.Market, 2, OrderStatus.Filled],
    ]);
    expect(position(second.oms)).toBe(0);
    expect(new Set(w.sent).size).toBe(w.sent.length);
  });

  it.each([
    ['an exchange that kept the take-profit', true],
    ['a sim that lost it', false],
  ])('entry filled before the restart, exits armed, at %s: exactly one pair of exits after it', async (_name, keep) => {
    const w = world();
    const first = await w.boot(keep);
    const b = await placeBracket(w, first.oms, first.sim, 3);
    take(first.sim, Side.Sell, b.entryPx, 3);
    await w.quiet();
    expect(first.oms.order(b.id)).toMatchObject({ status: OrderStatus.PendingTrigger, filledQty: 3 });
    expect(kids(first.oms, b.id)).toHaveLength(2);
    await first.crash();

    const second = await w.boot(keep);
    expect(second.summary.rearmed).toBe(1);
    expect(second.oms.order(b.id)).toMatchObject({ status: OrderStatus.PendingTrigger, filledQty: 3 });
    const tps = takeProfits(second.oms, b.id);
    expect(tps).toHaveLength(keep ? 1 : 2);
    expect(openQty(tps)).toBe(3);
    expect(new Set(w.sent).size).toBe(w.sent.length);
    expect(w.sent).toHaveLength(keep ? 2 : 3);

    await second.price(b.stopPx);
    const stops = kids(second.oms, b.id).filter((k) => k.orderType === OrderType.Market);
    expect(stops.map((k) => [k.side, k.qty, k.status])).toEqual([[Side.Sell, 3, OrderStatus.Filled]]);
    expect(openQty(takeProfits(second.oms, b.id))).toBe(0);
    expect(second.oms.order(b.id)!.status).toBe(OrderStatus.Filled);
    expect(position(second.oms)).toBe(0);
  });
});
