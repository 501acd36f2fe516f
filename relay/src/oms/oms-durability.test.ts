import { describe, expect, it } from 'vitest';
import { ExecType, OrderStatus, Side, TimeInForce, type ExecutionReportMsg } from '@tickmesh/shared';
import { SimVenue } from '../venues/sim/sim-venue';
import type { JournalRecord } from '@tickmesh/shared';
import { MemoryJournal, intent, makeOms, settle, steppingClock } from './oms-test-kit';

/** An OMS whose listener fails the test if a report arrives before its journal append resolved. */
function setup() {
  const clock = steppingClock();
  const venue = new SimVenue({ id: 'sim-a', seed: 3, nowUs: clock });
  const journal = new MemoryJournal();
  journal.gated = true;
  const oms = makeOms([venue], { journal, nowUs: clock });
  const reports: ExecutionReportMsg[] = [];
  const early: ExecutionReportMsg[] = [];
  oms.onReport((r) => {
    const i = journal.entries.findIndex((e) => e.record.kind === 'execution' && e.record.report === r);
    if (i < 0 || !journal.durable[i]) early.push(r);
    reports.push(r);
  });
  const seen: string[] = [];
  venue.onExecution((e) => seen.push(`${e.orderId}:${e.kind}`));
  return { venue, journal, oms, reports, early, seen, engine: venue.market('BTC-USD')!.engine };
}

const isExecOf = (orderId: string, execType: ExecType) => (r: JournalRecord) =>
  r.kind === 'execution' && r.report.orderId === orderId && r.report.execType === execType;

describe('Oms durability: acknowledged means durable', () => {
  it('no report is emitted, and nothing reaches the venue, before the journal append resolved', async () => {
    const { oms, journal, reports, early, seen, engine } = setup();
    let resolved = false;
    const placing = oms.newOrder(intent({ timeInForce: TimeInForce.IOC, price: engine.bestAsk(), qty: 3 })).then((r) => {
      resolved = true;
      return r;
    });
    await settle();
    expect(journal.entries.map((e) => e.record.kind)).toEqual(['order-request', 'risk', 'execution']);
    expect(reports).toEqual([]);
    expect(seen).toEqual([]); // the venue has not seen the order
    expect(resolved).toBe(false);

    journal.release();
    const r = await placing;
    const orderId = r.ok ? r.value.orderId : '';
    await settle();
    // The venue answered and the OMS applied it at once, but the answers are not durable yet.
    expect(seen[0]).toBe(`${orderId}:accepted`);
    expect(oms.order(orderId)!.status).toBe(OrderStatus.Filled);
    expect(reports.map((x) => x.execType)).toEqual([ExecType.Status]);

    // Releasing a later record first changes nothing: reports go out in journal order.
    journal.release(isExecOf(orderId, ExecType.Trade));
    await settle();
    expect(reports.map((x) => x.execType)).toEqual([ExecType.Status]);

    journal.release();
    await settle();
    expect(reports.map((x) => x.execType)).toEqual([ExecType.Status, ExecType.New, ...reports.slice(2).map(() => ExecType.Trade)]);
    expect(reports.at(-1)!.status).toBe(OrderStatus.Filled);
    expect(early).toEqual([]);
    expect(journal.held).toBe(0);
  });

  it('a cancel goes to the venue only once its PendingCancel is durable', async () => {
    const { oms, journal, reports, early, seen, engine } = setup();
    const placing = oms.newOrder(intent({ price: engine.bestBid() - 50, qty: 3 }));
    journal.release();
    const o = await placing;
    const orderId = o.ok ? o.value.orderId : '';
    await settle();
    journal.release();
    await settle();
    const canceling = oms.cancel('alice', 'c1');
    await settle();
    expect(seen).toEqual([`${orderId}:accepted`]);
    expect(reports.at(-1)!.status).toBe(OrderStatus.Accepted);
    journal.release();
    const c = await canceling;
    expect(c.ok && c.value.status).toBe(OrderStatus.PendingCancel);
    await settle();
    expect(seen).toEqual([`${orderId}:accepted`, `${orderId}:canceled`]);
    journal.release();
    await settle();
    expect(reports.slice(-2).map((x) => x.status)).toEqual([OrderStatus.PendingCancel, OrderStatus.Canceled]);
    expect(early).toEqual([]);
  });

  it('fill after cancel sent: a partial fill wins the race, then the cancel ends the rest', async () => {
    const { oms, journal, reports, early, engine } = setup();
    const px = engine.bestAsk() - 1 > engine.bestBid() ? engine.bestAsk() - 1 : engine.bestAsk();
    const placing = oms.newOrder(intent({ clientOrderId: 's', side: Side.Sell, price: px, qty: 10, postOnly: true }));
    journal.release();
    const s = await placing;
    const sid = s.ok ? s.value.orderId : '';
    await settle();
    journal.release();
    await settle();

    // Alice's cancel is held in the journal (so not yet at the venue) while Bob takes 4 lots.
    const canceling = oms.cancel('alice', 's');
    const pendingCancel = isExecOf(sid, ExecType.PendingCancel);
    const taking = oms.newOrder(intent({ account: 'bob', clientOrderId: 'b', timeInForce: TimeInForce.IOC, price: px, qty: 4 }));
    journal.release((r) => !pendingCancel(r));
    await taking;
    await settle();
    expect(oms.order(sid)).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 4 }); // pending-cancel → partially-filled

    journal.release();
    await canceling;
    await settle();
    journal.release();
    await settle();
    const alice = reports.filter((r) => r.orderId === sid).map((r) => [r.execType, r.status, r.filledQty, r.leavesQty]);
    expect(alice).toEqual([
      [ExecType.Status, OrderStatus.Submitted, 0, 10],
      [ExecType.New, OrderStatus.Accepted, 0, 10],
      [ExecType.PendingCancel, OrderStatus.PendingCancel, 0, 10],
      [ExecType.Trade, OrderStatus.PartiallyFilled, 4, 6],
      [ExecType.Canceled, OrderStatus.Canceled, 4, 0],
    ]);
    expect(oms.positions('alice', () => px)[0]!.qty).toBe(-4);
    expect(early).toEqual([]);
  });

  it('fill after cancel sent: a full fill wins and the cancel is never sent', async () => {
    const { oms, journal, reports, seen, engine } = setup();
    const px = engine.bestAsk() - 1 > engine.bestBid() ? engine.bestAsk() - 1 : engine.bestAsk();
    const placing = oms.newOrder(intent({ clientOrderId: 's', side: Side.Sell, price: px, qty: 5, postOnly: true }));
    journal.release();
    const s = await placing;
    const sid = s.ok ? s.value.orderId : '';
    await settle();
    journal.release();
    const canceling = oms.cancel('alice', 's');
    const taking = oms.newOrder(intent({ account: 'bob', clientOrderId: 'b', timeInForce: TimeInForce.IOC, price: px, qty: 5 }));
    journal.release((r) => !isExecOf(sid, ExecType.PendingCancel)(r));
    await taking;
    await settle();
    expect(oms.order(sid)!.status).toBe(OrderStatus.Filled); // pending-cancel → filled
    journal.release();
    await canceling;
    await settle();
    journal.release();
    await settle();
    expect(seen.filter((x) => x.startsWith(`${sid}:`))).toEqual([`${sid}:accepted`, `${sid}:fill`]);
    expect(reports.filter((r) => r.orderId === sid).map((r) => r.status).slice(-2)).toEqual([OrderStatus.PendingCancel, OrderStatus.Filled]);
  });

  it('a report whose append failed is never emitted, goes to onError, and holds back none after it', async () => {
    const clock = steppingClock();
    const venue = new SimVenue({ id: 'sim-a', seed: 3, nowUs: clock });
    const failure = new Error('disk full');
    const memory = new MemoryJournal();
    // Fails the Submitted report of the first order only; every other record is stored.
    const journal = {
      append: (r: JournalRecord) =>
        r.kind === 'execution' && r.report.clientOrderId === 'c1' && r.report.execType === ExecType.Status ? Promise.reject(failure) : memory.append(r),
    };
    const errors: unknown[] = [];
    const oms = makeOms([venue], { journal, nowUs: clock, onError: (e) => errors.push(e) });
    const reports: ExecutionReportMsg[] = [];
    oms.onReport((r) => reports.push(r));
    const px = venue.market('BTC-USD')!.engine.bestBid() - 50;
    await expect(oms.newOrder(intent({ clientOrderId: 'c1', price: px }))).rejects.toBe(failure);
    const second = await oms.newOrder(intent({ clientOrderId: 'c2', price: px }));
    await settle();
    expect(errors).toEqual([failure]);
    expect(reports.some((r) => r.clientOrderId === 'c1')).toBe(false); // nor did the venue get it
    const id = second.ok ? second.value.orderId : '';
    expect(reports.filter((r) => r.orderId === id).map((r) => r.execType)).toEqual([ExecType.Status, ExecType.New]);
  });
});
