import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Contingency, ErrorCode, OrderStatus, OrderType, Side, TimeInForce, TriggerSource, TriggerType,
  type OrderIntent,
} from '@tickmesh/shared';
import { Journal } from '../journal/index';
import { SimVenue } from '../venues/sim/sim-venue';
import type { Oms, RecoverySummary } from './oms';
import { conditional, intent, makeOms, settle, steppingClock } from './oms-test-kit';
import { PersistentExchange, type PersistentExchangeSession } from './persistent-exchange';
import type { VenueAdapter } from '../venues/venue-adapter';

/**
 * Conditional orders across a relay restart, the way a restart goes: a real journal file
 * (the protobuf journal codec, so the trigger fields must survive encoding), reopened and
 * replayed by Oms.recover, with a sim that loses its orders or an exchange that keeps them.
 */

const open: Journal[] = [];
afterEach(async () => {
  for (const j of open.splice(0)) await j.close().catch(() => undefined);
});


function world() {
  const clock = steppingClock();
  const file = join(mkdtempSync(join(tmpdir(), 'tickmesh-cond-restart-')), 'journal.tmj');
  const exchangeSim = new SimVenue({ id: 'sim-a', seed: 51, nowUs: clock });
  const exchange = new PersistentExchange(exchangeSim);
  let inFlight = 0;
  const boot = async (keep: boolean): Promise<{ oms: Oms; journal: Journal; summary: RecoverySummary; sim: SimVenue; session: VenueAdapter; price: (px: number) => Promise<void> }> => {
    const { journal, entries } = await Journal.open(file, { fsync: false });
    open.push(journal);
    const sim = keep ? exchange.connect() : new SimVenue({ id: 'sim-a', seed: 52, nowUs: clock });
    const oms = makeOms([sim], {
      nowUs: clock,
      journal: { append: (r) => (inFlight++, journal.append(r).finally(() => inFlight--)) },
    });
    const summary = await oms.recover(entries);
    await quiet();
    const price = async (px: number) => {
      oms.onMarketPrice('BTC-USD', 'sim-a', TriggerSource.Last, px);
      await quiet();
    };
    return { oms, journal, summary, sim: keep ? exchangeSim : (sim as SimVenue), session: sim, price };
  };
  const quiet = async () => {
    for (let calm = 0; calm < 3; ) {
      await settle(1);
      calm = inFlight === 0 ? calm + 1 : 0;
    }
  };
  const place = async (oms: Oms, over: Partial<OrderIntent>) => {
    const r = await oms.newOrder(intent(over));
    await quiet();
    return r.ok ? r.value.orderId : '';
  };
  return { boot, place, quiet, exchange };
}

const kids = (oms: Oms, id: string) => oms.orders('alice').filter((o) => o.parentOrderId === id);

describe('Oms restart: conditional orders', () => {
  it('a trailing stop is armed again at the level it had tightened to, and fires after the restart', async () => {
    const w = world();
    const first = await w.boot(false);
    await first.price(50_000);
    const id = await w.place(first.oms, {
      clientOrderId: 'trail', side: Side.Sell, orderType: OrderType.Market, price: 0, qty: 1,
      conditional: conditional({ triggerType: TriggerType.TrailingStop, trailOffset: 300 }),
    });
    await first.price(50_700);
    expect(first.oms.order(id)!.trigger!.triggerPrice).toBe(50_400);
    await first.journal.close();

    const second = await w.boot(false);
    expect(second.summary.rearmed).toBe(1);
    expect(second.oms.order(id)).toMatchObject({ status: OrderStatus.PendingTrigger, trigger: { triggerPrice: 50_400, triggerType: TriggerType.TrailingStop } });
    await second.price(50_450); // above the journaled level: a fresh trail from here would have fired at 50_150
    expect(second.oms.order(id)!.status).toBe(OrderStatus.PendingTrigger);
    await second.price(50_800);
    expect(second.oms.order(id)!.trigger!.triggerPrice).toBe(50_500);
    await second.price(50_500);
    expect(second.oms.order(id)!.trigger).toMatchObject({ firedTrigger: TriggerType.TrailingStop, firedPrice: 50_500 });
    expect(kids(second.oms, id)).toHaveLength(1);
  });

  it('an OCO whose limit leg died with the sim session: the leg goes out again, the stop stays armed', async () => {
    const w = world();
    const first = await w.boot(false);
    const ask = first.sim.market('BTC-USD')!.engine.bestAsk();
    const bid = first.sim.market('BTC-USD')!.engine.bestBid();
    const id = await w.place(first.oms, { clientOrderId: 'oco', side: Side.Sell, price: ask + 500, qty: 2, conditional: conditional({ contingency: Contingency.OCO, triggerPrice: bid - 500 }) });
    expect(kids(first.oms, id).map((k) => k.status)).toEqual([OrderStatus.Accepted]);
    await first.journal.close();

    const second = await w.boot(false);
    expect(second.summary.rearmed).toBe(1);
    const [lost, again] = kids(second.oms, id);
    expect(lost).toMatchObject({ status: OrderStatus.Canceled, reasonCode: ErrorCode.OMS_VENUE_SESSION_LOST });
    expect(again).toMatchObject({ side: Side.Sell, price: ask + 500, qty: 2, status: OrderStatus.Accepted });
    expect(second.oms.order(id)!.status).toBe(OrderStatus.PendingTrigger);
    await second.price(bid - 500);
    expect(kids(second.oms, id).map((k) => [k.orderType, k.status])).toEqual([
      [OrderType.Limit, OrderStatus.Canceled],
      [OrderType.Limit, OrderStatus.Canceled],
      [OrderType.Market, OrderStatus.Filled],
    ]);
    expect(second.oms.order(id)!.status).toBe(OrderStatus.Filled);
  });

  it('a bracket armed before the restart at an exchange that kept its take-profit: adopted, not sent twice', async () => {
    const w = world();
    const first = await w.boot(true);
    const ask = first.sim.market('BTC-USD')!.engine.bestAsk();
    const id = await w.place(first.oms, {
      clientOrderId: 'br', side: Side.Buy, orderType: OrderType.Market, price: 0, qty: 2, timeInForce: TimeInForce.GTC,
      conditional: conditional({ contingency: Contingency.Bracket, takeProfitPrice: ask + 3_000, triggerPrice: ask - 3_000 }),
    });
    expect(first.oms.order(id)).toMatchObject({ status: OrderStatus.PendingTrigger, filledQty: 2 });
    const tp = kids(first.oms, id)[1]!;
    (first.session as Partial<PersistentExchangeSession>).drop?.(); // the process dies: its session with it
    await first.journal.close();

    const second = await w.boot(true);
    expect(second.summary).toMatchObject({ rearmed: 1, resumed: 1 });
    expect(kids(second.oms, id).map((k) => [k.orderId, k.status])).toEqual([
      [kids(second.oms, id)[0]!.orderId, OrderStatus.Filled],
      [tp.orderId, OrderStatus.Accepted],
    ]);
    await second.price(ask - 3_000);
    const after = kids(second.oms, id);
    expect(after.map((k) => [k.side, k.orderType, k.status])).toEqual([
      [Side.Buy, OrderType.Market, OrderStatus.Filled],
      [Side.Sell, OrderType.Limit, OrderStatus.Canceled],
      [Side.Sell, OrderType.Market, OrderStatus.Filled],
    ]);
    expect(second.oms.positions('alice', () => 0)[0]!.qty).toBe(0);
  });
});
