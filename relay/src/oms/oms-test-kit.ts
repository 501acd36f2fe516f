import { Algo, Contingency, OrderType, Side, TimeInForce, TriggerSource, TriggerType, ok, type Instrument, type Order, type OrderConditional, type OrderIntent, type Result } from '@tickmesh/shared';
import type { JournalEntry, JournalRecord } from '@tickmesh/shared';
import type { VenueAdapter } from '../venues/venue-adapter';
import { Oms } from './oms';
import type { OmsDeps } from './oms-deps';
import type { AlgoContext, AlgoHandle, OmsAlgos, OmsJournal, OmsRisk, OmsRouter, RoutePlanChild } from './oms-ports';

/**
 * Test doubles for the OMS's ports (tests only; not exported from index.ts). The journal is
 * a real in-memory recorder; risk, router and algos are small pure fakes. Venues are real
 * SimVenues in the tests.
 */

/** An in-memory journal: records in append order; appends resolve at once or when released. */
export class MemoryJournal implements OmsJournal {
  readonly entries: JournalEntry[] = [];
  /** Per entry: has its append resolved? */
  readonly durable: boolean[] = [];
  private readonly waiting: { index: number; resolve: () => void }[] = [];
  /** While true, appends resolve only through release(). Default false. */
  gated = false;

  append(record: JournalRecord): Promise<unknown> {
    const index = this.entries.length;
    this.entries.push({ seq: index + 1, record, hash: '' });
    this.durable.push(false);
    if (!this.gated) {
      this.durable[index] = true;
      return Promise.resolve(index + 1);
    }
    return new Promise((resolve) => this.waiting.push({ index, resolve: () => resolve(index + 1) }));
  }

  /** Resolves held appends (those matching `which`, all by default), in append order. */
  release(which: (r: JournalRecord) => boolean = () => true): number {
    let n = 0;
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i]!;
      if (which(this.entries[w.index]!.record)) {
        this.waiting.splice(i, 1);
        this.durable[w.index] = true;
        w.resolve();
        n++;
      } else i++;
    }
    return n;
  }

  get held(): number {
    return this.waiting.length;
  }

  records<K extends JournalRecord['kind']>(kind: K): Extract<JournalRecord, { kind: K }>[] {
    return this.entries.map((e) => e.record).filter((r): r is Extract<JournalRecord, { kind: K }> => r.kind === kind);
  }
}

/** Risk that accepts everything, or denies new orders / replaces with `code`. */
export function fakeRisk(opts: { denyNew?: string; denyReplace?: string } = {}): OmsRisk {
  return {
    checkNew: (): Result<void> => (opts.denyNew ? { ok: false, reason: { code: opts.denyNew, message: 'denied' } } : ok(undefined)),
    checkReplace: (): Result<void> => (opts.denyReplace ? { ok: false, reason: { code: opts.denyReplace, message: 'denied' } } : ok(undefined)),
  };
}

/** A router that splits the qty evenly over `venues` (remainder to the first) at the intent's price. */
export function splitRouter(venues: string[]): OmsRouter {
  return {
    route(intent): Result<RoutePlanChild[]> {
      const each = Math.floor(intent.qty / venues.length);
      return ok(
        venues
          .map((venue, i) => ({ venue, price: intent.price, qty: each + (i === 0 ? intent.qty - each * venues.length : 0) }))
          .filter((c) => c.qty > 0),
      );
    },
  };
}

/** A router that always fails with `code`. */
export function failingRouter(code: string): OmsRouter {
  return { route: () => ({ ok: false, reason: { code, message: 'no route' } }) };
}

/** What the slicing fake algo saw. */
export interface AlgoLog {
  started: Order[];
  fills: number[];
  done: [string, number][];
  canceled: number;
  contexts: AlgoContext[];
}

/**
 * A TWAP-like fake: every `everyMs` sends one IOC child of `slice` lots at the parent's price
 * on `venue`, until the parent qty was sent; then calls ctx.done(). Pure and deterministic
 * given the timer the OMS gives it.
 */
export function slicingAlgos(venue: string, slice: number, everyMs: number): OmsAlgos & { log: AlgoLog } {
  const log: AlgoLog = { started: [], fills: [], done: [], canceled: 0, contexts: [] };
  return {
    log,
    start(parent: Order, ctx: AlgoContext): AlgoHandle {
      log.started.push(parent);
      log.contexts.push(ctx);
      let sent = 0;
      let stopped = false;
      const tick = (): void => {
        if (stopped) return;
        const q = Math.min(slice, parent.qty - sent);
        sent += q;
        ctx.sendChild({ venue, price: parent.price, qty: q, orderType: OrderType.Limit, timeInForce: TimeInForce.IOC });
        if (sent < parent.qty) ctx.setTimer(everyMs, tick);
        else ctx.done?.();
      };
      tick();
      return {
        onChildFill: (q) => log.fills.push(q),
        onChildDone: (id, status) => log.done.push([id, status]),
        cancel: () => {
          stopped = true;
          log.canceled++;
        },
      };
    },
  };
}

/** Manual timers: run() fires the due ones in order. */
export class ManualTimers {
  now = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  set = (ms: number, fn: () => void): (() => void) => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.now + ms, fn });
    return () => this.timers.delete(id);
  };
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = end;
  }
  get pending(): number {
    return this.timers.size;
  }
}

/** A deterministic µs clock: each call advances by 1 µs from 1_700_000_000_000_000. */
/** A conditional order's fields: a stop on the last trade with nothing set, overridden by `over`. */
export function conditional(over: Partial<OrderConditional> = {}): OrderConditional {
  return {
    triggerType: TriggerType.Stop, triggerSource: TriggerSource.Last, triggerPrice: 0, trailOffset: 0, trailBps: 0,
    contingency: Contingency.None, takeProfitPrice: 0, stopLimitPrice: 0, ...over,
  };
}

let takerSeq = 0;
/** Someone else trades against the venue's BTC-USD book: an IOC at `price` for `qty` lots from account 'mm'. */
export function take(venue: Pick<VenueAdapter, 'submit'>, side: Side, price: number, qty: number): void {
  venue.submit({ orderId: `t-${++takerSeq}`, account: 'mm', symbol: 'BTC-USD', side, type: OrderType.Limit, timeInForce: TimeInForce.IOC, price, qty, postOnly: false });
}

export function steppingClock(): () => number {
  let t = 1_700_000_000_000_000;
  return () => ++t;
}

export function intent(over: Partial<OrderIntent> = {}): OrderIntent {
  return {
    account: 'alice',
    clientOrderId: 'c1',
    symbol: 'BTC-USD',
    venue: 'sim-a',
    side: Side.Buy,
    orderType: OrderType.Limit,
    timeInForce: TimeInForce.GTC,
    price: 1,
    qty: 1,
    postOnly: false,
    algo: Algo.None,
    displayQty: 0,
    durationMs: 0,
    ...over,
  };
}

/** An OMS over real venues with fake ports; instruments come from the venues. */
export function makeOms(venues: VenueAdapter[], over: Partial<OmsDeps> = {}): Oms {
  const instruments = new Map<string, Instrument>();
  for (const v of venues) for (const i of v.instruments()) if (!instruments.has(i.symbol)) instruments.set(i.symbol, i);
  return new Oms({
    venues,
    risk: fakeRisk(),
    router: splitRouter(venues.map((v) => v.id)),
    algos: slicingAlgos(venues[0]?.id ?? '', 1, 1000),
    journal: new MemoryJournal(),
    instrument: (s) => instruments.get(s),
    nowUs: steppingClock(),
    onError: (e) => {
      throw e;
    },
    ...over,
  });
}

/** Lets the sim venues deliver their reports and the OMS emit (a macrotask turn, a few times). */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setTimeout(r, 0));
}
