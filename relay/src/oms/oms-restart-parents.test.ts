import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Algo, ErrorCode, ExecType, OrderStatus, Side, ok, type ExecutionReportMsg, type Order } from '@tickmesh/shared';
import { Journal } from '../journal/index';
import { SimVenue } from '../venues/sim/sim-venue';
import type { VenueAdapter } from '../venues/venue-adapter';
import { AlgoRunner } from './algos/algo-runner';
import type { OmsAlgos, OmsRouter } from './oms-ports';
import { intent, makeOms, ManualTimers, settle, steppingClock, take } from './oms-test-kit';
import type { Oms } from './oms';
import { PersistentExchange, type PersistentExchangeSession } from './persistent-exchange';

/**
 * Parents (smart-routed and algo) across a relay restart, through the path a restart takes:
 * a real journal file, reopened, replayed by Oms.recover, with venues that keep their orders
 * while the relay is down (PersistentExchange, as a real exchange does) or lose them (the sim).
 */

const open: Journal[] = [];
afterEach(async () => {
  for (const j of open.splice(0)) await j.close().catch(() => undefined);
});


/** A bid price at the top of the book (ahead of the sim's own flow), inside the spread. */
function topBid(sim: SimVenue): number {
  const e = sim.market('BTC-USD')!.engine;
  const px = e.bestBid() + 1;
  expect(px).toBeLessThan(e.bestAsk());
  return px;
}

interface Process {
  oms: Oms;
  journal: Journal;
  /** Appends handed to the journal and not yet durable. */
  inFlight: number;
  sessions: VenueAdapter[];
  reports: ExecutionReportMsg[];
  starts: number;
}

function world() {
  const clock = steppingClock();
  const dir = mkdtempSync(join(tmpdir(), 'tickmesh-oms-restart-'));
  const simA = new SimVenue({ id: 'sim-a', seed: 31, nowUs: clock });
  const simB = new SimVenue({ id: 'sim-b', seed: 32, nowUs: clock, priceOffsetBps: 2 });
  const xa = new PersistentExchange(simA);
  const xb = new PersistentExchange(simB);
  /**
   * Starts a relay process on the journal at `file`: venues connected anew (`keep`: the
   * exchanges kept our orders; else fresh sims, the session is gone), journal replayed.
   */
  const boot = async (over: { router?: OmsRouter; algos?: OmsAlgos; timers?: ManualTimers; keep?: boolean; file?: string } = {}): Promise<Process> => {
    const { journal, entries } = await Journal.open(over.file ?? join(dir, 'journal.tmj'), { fsync: false });
    open.push(journal);
    const sessions = over.keep === false
      ? [new SimVenue({ id: 'sim-a', seed: 41, nowUs: clock }), new SimVenue({ id: 'sim-b', seed: 42, nowUs: clock })]
      : [xa.connect(), xb.connect()];
    const proc: Process = { oms: undefined!, journal, inFlight: 0, sessions, reports: [], starts: 0 };
    const algos = over.algos ?? new AlgoRunner();
    proc.oms = makeOms(sessions, {
      // The real journal, counted so a test can wait for the file writes instead of guessing.
      journal: {
        append: (r) => {
          proc.inFlight++;
          return journal.append(r).finally(() => proc.inFlight--);
        },
      },
      nowUs: clock,
      router: over.router,
      algos: { validate: algos.validate?.bind(algos), start: (p, ctx) => (proc.starts++, algos.start(p, ctx)) },
      ...(over.timers ? { setTimer: over.timers.set } : {}),
    });
    proc.oms.onReport((r) => proc.reports.push(r));
    await proc.oms.recover(entries);
    await quiet(proc);
    return proc;
  };
  /** The process dies: nothing more reaches its journal or its venue sessions. */
  const crash = async (p: Process): Promise<void> => {
    await quiet(p);
    for (const s of p.sessions) (s as Partial<PersistentExchangeSession>).drop?.();
    await p.journal.close();
  };
  return { dir, simA, simB, xa, xb, boot, crash };
}

/** Waits until venues, timers of 0 ms and the journal have nothing left in flight. */
async function quiet(p: Process): Promise<void> {
  for (let calm = 0; calm < 3; ) {
    await settle(1);
    calm = p.inFlight === 0 ? calm + 1 : 0;
  }
}

const childrenOf = (oms: Oms, parentId: string): Order[] => oms.orders('alice').filter((o) => o.parentOrderId === parentId);
const ours = (s: VenueAdapter) => (s as PersistentExchangeSession).unknown.filter((id) => !id.startsWith('t-'));

describe('Oms restart: parents and their children', () => {
  it('a routed parent resting at venues that keep orders: children resumed under it, fills made while down and after roll up once, cancel after the restart cancels them at the venues', async () => {
    const w = world();
    const pxA = topBid(w.simA);
    const pxB = topBid(w.simB);
    const router: OmsRouter = { route: () => ok([{ venue: 'sim-a', price: pxA, qty: 4 }, { venue: 'sim-b', price: pxB, qty: 4 }]) };
    const first = await w.boot({ router });
    const placed = await first.oms.newOrder(intent({ clientOrderId: 'sor', venue: '', price: Math.max(pxA, pxB), qty: 8 }));
    const pid = placed.ok ? placed.value.orderId : '';
    await quiet(first);
    const [ca, cb] = childrenOf(first.oms, pid);
    expect([ca!.status, cb!.status]).toEqual([OrderStatus.Accepted, OrderStatus.Accepted]);
    take(w.simA, Side.Sell, pxA, 1);
    await quiet(first);
    expect(first.oms.order(pid)).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 1 });
    await w.crash(first);

    take(w.simA, Side.Sell, pxA, 2); // while the relay is down
    await settle();

    const second = await w.boot({ router });
    expect(second.sessions.flatMap((s) => (s as PersistentExchangeSession).resumed.flat().map((o) => o.orderId)).sort()).toEqual([ca!.orderId, cb!.orderId].sort());
    expect(childrenOf(second.oms, pid).map((o) => [o.orderId, o.status, o.filledQty])).toEqual([
      [ca!.orderId, OrderStatus.PartiallyFilled, 3],
      [cb!.orderId, OrderStatus.Accepted, 0],
    ]);
    expect(second.oms.order(pid)).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 3, reasonCode: '' });

    take(w.simB, Side.Sell, pxB, 1); // after the restart
    await quiet(second);
    expect(second.oms.order(pid)).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 4 });
    expect(second.reports.filter((r) => r.orderId === pid && r.execType === ExecType.Trade).map((r) => r.lastQty)).toEqual([2, 1]);
    const fills = second.oms.fills('alice');
    expect(fills.map((f) => [f.orderId, f.qty])).toEqual([[ca!.orderId, 1], [ca!.orderId, 2], [cb!.orderId, 1]]);
    expect(new Set(fills.map((f) => `${f.venue}:${f.tradeId}`)).size).toBe(3);
    expect(second.oms.positions('alice', () => pxA)[0]!.qty).toBe(4);

    const canceled = await second.oms.cancel('alice', 'sor');
    expect(canceled.ok && canceled.value.status).toBe(OrderStatus.PendingCancel);
    await quiet(second);
    expect(w.xa.executions(ca!.orderId).at(-1)!.kind).toBe('canceled');
    expect(w.xb.executions(cb!.orderId).at(-1)!.kind).toBe('canceled');
    expect(second.oms.order(pid)).toMatchObject({ status: OrderStatus.Canceled, filledQty: 4 });
    expect(second.oms.orders('alice', { open: true })).toEqual([]);
    expect(second.sessions.flatMap(ours)).toEqual([]);

    // Once more: the journal replays to the same state, nothing doubled.
    await w.crash(second);
    const third = await w.boot({ router });
    expect(third.oms.orders('alice')).toEqual(second.oms.orders('alice'));
    expect(third.oms.fills('alice')).toEqual(fills);
    expect(third.reports).toEqual([]);
  });

  it('a routed parent whose cancel was durable but never reached the venues: after the restart its children are canceled there and it ends Canceled', async () => {
    const w = world();
    const pxA = topBid(w.simA);
    const pxB = topBid(w.simB);
    const router: OmsRouter = { route: () => ok([{ venue: 'sim-a', price: pxA, qty: 2 }, { venue: 'sim-b', price: pxB, qty: 2 }]) };
    const first = await w.boot({ router });
    const placed = await first.oms.newOrder(intent({ clientOrderId: 'sor', venue: '', price: Math.max(pxA, pxB), qty: 4 }));
    const pid = placed.ok ? placed.value.orderId : '';
    await quiet(first);
    const kids = childrenOf(first.oms, pid);
    const canceling = first.oms.cancel('alice', 'sor');
    // The process dies once the PendingCancel records are on their way, before any cancel is sent.
    for (const s of first.sessions) (s as PersistentExchangeSession).drop();
    expect((await canceling).ok).toBe(true);
    await w.crash(first);
    expect(kids.map((k) => w.xa.executions(k.orderId).concat(w.xb.executions(k.orderId)).at(-1)!.kind)).toEqual(['accepted', 'accepted']);

    const second = await w.boot({ router });
    expect(kids.map((k) => w.xa.executions(k.orderId).concat(w.xb.executions(k.orderId)).at(-1)!.kind)).toEqual(['canceled', 'canceled']);
    expect(childrenOf(second.oms, pid).map((c) => c.status)).toEqual([OrderStatus.Canceled, OrderStatus.Canceled]);
    expect(second.oms.order(pid)).toMatchObject({ status: OrderStatus.Canceled, reasonCode: '' });
    expect(second.oms.orders('alice', { open: true })).toEqual([]);
  });

  it('an iceberg mid-way at a venue that keeps orders: its algo is not restarted; the working clip is canceled at the venue, its fill made while down rolls up once, the parent ends with OMS_ALGO_INTERRUPTED', async () => {
    const w = world();
    const px = topBid(w.simA);
    const first = await w.boot();
    const placed = await first.oms.newOrder(intent({ clientOrderId: 'ice', venue: 'sim-a', algo: Algo.Iceberg, price: px, qty: 9, displayQty: 3 }));
    const pid = placed.ok ? placed.value.orderId : '';
    await quiet(first);
    take(w.simA, Side.Sell, px, 3); // the first clip fills: the algo shows the next
    await quiet(first);
    take(w.simA, Side.Sell, px, 1);
    await quiet(first);
    const clips = childrenOf(first.oms, pid);
    expect(clips.map((c) => [c.status, c.filledQty])).toEqual([[OrderStatus.Filled, 3], [OrderStatus.PartiallyFilled, 1]]);
    expect(first.oms.order(pid)!.filledQty).toBe(4);
    await w.crash(first);

    take(w.simA, Side.Sell, px, 1); // while down, the clip fills a little more
    await settle();

    const second = await w.boot();
    expect(second.starts).toBe(0);
    const working = clips[1]!;
    expect(w.xa.executions(working.orderId).at(-1)!.kind).toBe('canceled');
    expect(childrenOf(second.oms, pid).map((c) => [c.orderId, c.status, c.filledQty])).toEqual([
      [clips[0]!.orderId, OrderStatus.Filled, 3],
      [working.orderId, OrderStatus.Canceled, 2],
    ]);
    expect(second.oms.order(pid)).toMatchObject({ status: OrderStatus.Canceled, filledQty: 5, reasonCode: ErrorCode.OMS_ALGO_INTERRUPTED });
    expect(second.reports.filter((r) => r.orderId === pid).map((r) => [r.execType, r.filledQty])).toEqual([
      [ExecType.Trade, 5],
      [ExecType.Canceled, 5],
    ]);
    expect(second.oms.fills('alice').reduce((n, f) => n + f.qty, 0)).toBe(5);
    expect(second.sessions.flatMap(ours)).toEqual([]);
  });

  it('a TWAP mid-schedule whose venue session is gone: the parent is closed with OMS_ALGO_INTERRUPTED, nothing more is sent', async () => {
    const w = world();
    const timers = new ManualTimers();
    const algos = new AlgoRunner({ slices: 3, minIntervalMs: 100 });
    const first = await w.boot({ algos, timers });
    const ask = w.simA.market('BTC-USD')!.engine.bestAsk();
    const placed = await first.oms.newOrder(intent({ clientOrderId: 'twap', venue: 'sim-a', algo: Algo.TWAP, price: ask + 2_000, qty: 6, durationMs: 3_000 }));
    const pid = placed.ok ? placed.value.orderId : '';
    timers.advance(0);
    await quiet(first);
    expect(first.oms.order(pid)).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 2 });
    await w.crash(first);

    const timers2 = new ManualTimers();
    const second = await w.boot({ algos, timers: timers2, keep: false });
    timers2.advance(10_000);
    await quiet(second);
    expect(second.starts).toBe(0);
    expect(second.oms.order(pid)).toMatchObject({ status: OrderStatus.Canceled, filledQty: 2, reasonCode: ErrorCode.OMS_ALGO_INTERRUPTED });
    expect(childrenOf(second.oms, pid)).toHaveLength(1);
    expect(second.reports.map((r) => [r.orderId, r.execType, r.reasonCode])).toEqual([[pid, ExecType.Canceled, ErrorCode.OMS_ALGO_INTERRUPTED]]);
  });

  it('a routed parent whose children were lost with the venue session ends with OMS_VENUE_SESSION_LOST after them', async () => {
    const w = world();
    const pxA = topBid(w.simA);
    const router: OmsRouter = { route: () => ok([{ venue: 'sim-a', price: pxA, qty: 2 }, { venue: 'sim-b', price: pxA, qty: 2 }]) };
    const first = await w.boot({ router });
    const placed = await first.oms.newOrder(intent({ clientOrderId: 'sor', venue: '', price: pxA, qty: 4 }));
    const pid = placed.ok ? placed.value.orderId : '';
    await quiet(first);
    await w.crash(first);
    const second = await w.boot({ router, keep: false });
    const kids = childrenOf(second.oms, pid).map((c) => c.orderId);
    expect(second.reports.map((r) => [r.orderId, r.status, r.reasonCode])).toEqual([
      [kids[0], OrderStatus.Canceled, ErrorCode.OMS_VENUE_SESSION_LOST],
      [kids[1], OrderStatus.Canceled, ErrorCode.OMS_VENUE_SESSION_LOST],
      [pid, OrderStatus.Canceled, ErrorCode.OMS_VENUE_SESSION_LOST],
    ]);
  });

  it('a crash between a child fill record and its parent record: after the restart the parent holds the fill exactly once', async () => {
    const w = world();
    const pxA = topBid(w.simA);
    const router: OmsRouter = { route: () => ok([{ venue: 'sim-a', price: pxA, qty: 4 }]) };
    const first = await w.boot({ router });
    const placed = await first.oms.newOrder(intent({ clientOrderId: 'sor', venue: '', price: pxA, qty: 4 }));
    const pid = placed.ok ? placed.value.orderId : '';
    await quiet(first);
    take(w.simA, Side.Sell, pxA, 1);
    await quiet(first);
    await w.crash(first);

    // The torn tail: the journal ends with the child's Trade record, the parent's never made it.
    const entries = await Journal.read(join(w.dir, 'journal.tmj'));
    const childTrade = entries.findIndex((e) => e.record.kind === 'execution' && e.record.report.execType === ExecType.Trade && e.record.report.parentOrderId === pid);
    const next = entries[childTrade + 1]!.record;
    expect(next.kind === 'execution' && [next.report.orderId, next.report.execType]).toEqual([pid, ExecType.Trade]);
    const torn = join(w.dir, 'torn.tmj');
    const { journal } = await Journal.open(torn, { fsync: false });
    await Promise.all(entries.slice(0, childTrade + 1).map((e) => journal.append(e.record)));
    await journal.close();

    const second = await w.boot({ router, file: torn });
    const [child] = childrenOf(second.oms, pid);
    expect(child).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 1 });
    expect(second.oms.order(pid)).toMatchObject({ status: OrderStatus.PartiallyFilled, filledQty: 1, cumNotional: child!.cumNotional, fees: child!.fees });
    expect(second.reports.map((r) => [r.orderId, r.execType, r.lastQty])).toEqual([[pid, ExecType.Trade, 1]]);

    await w.crash(second);
    const third = await w.boot({ router, file: torn });
    expect(third.oms.order(pid)).toMatchObject({ filledQty: 1 });
    expect(third.reports).toEqual([]);
  });
});
