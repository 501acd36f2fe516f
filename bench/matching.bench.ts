/**
 * Matching engine throughput on exchange-core's order mix (82% move, 9% GTC, 3% IOC,
 * 6% cancel) over a few thousand live orders on a few hundred price levels, against
 * hft-limit-order-book on the very same command list. Commands are generated up front (by
 * driving a MatchingEngine so moves/cancels target live orders), so generation is not timed.
 * Every order gets its own account, so self-trade prevention never fires and both engines
 * must print the same trades: the volume column is the cross-check. Prints; never asserts.
 *
 * Run: node --import tsx bench/matching.bench.ts
 */
import { OrderBook } from 'hft-limit-order-book';
import { Side, TimeInForce } from '@tickmesh/shared';
import { MatchingEngine } from '../relay/src/venues/sim/matching-engine';
import type { MatchingListener } from '../relay/src/venues/sim/matching-listener';
import { Prng } from '../relay/src/venues/sim/prng';
import { printTable, type BenchRow } from './table';

const OP_GTC = 0;
const OP_IOC = 1;
const OP_MOVE = 2;
const OP_CANCEL = 3;

/** Target number of live orders and commands per timed run. */
const LIVE = 4000;
const PREFILL = LIVE;
const COMMANDS = 1_000_000;

interface Commands {
  n: number;
  op: Uint8Array;
  side: Uint8Array;
  /** Order id: the id a GTC/IOC will be assigned, or the target of move/cancel. */
  id: Int32Array;
  price: Int32Array;
  qty: Int32Array;
}

function alloc(n: number): Commands {
  return { n, op: new Uint8Array(n), side: new Uint8Array(n), id: new Int32Array(n), price: new Int32Array(n), qty: new Int32Array(n) };
}

/** Counts trades and volume; the engine's only listener in the timed runs. */
class CountingListener implements MatchingListener {
  trades = 0;
  volume = 0;
  onLevel(): void {}
  onTrade(_t: number, _p: number, qty: number): void {
    this.trades++;
    this.volume += qty;
  }
  onOrder(): void {}
}

/** Tracks which orders are live while generating, so moves and cancels hit real orders. */
class LiveSet implements MatchingListener {
  ids: number[] = [];
  index = new Map<number, number>();
  price = new Map<number, number>();
  side = new Map<number, Side>();
  add(id: number, side: Side, price: number): void {
    this.index.set(id, this.ids.length);
    this.ids.push(id);
    this.side.set(id, side);
    this.price.set(id, price);
  }
  remove(id: number): void {
    const i = this.index.get(id);
    if (i === undefined) return;
    const last = this.ids.pop()!;
    if (last !== id) {
      this.ids[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(id);
    this.side.delete(id);
    this.price.delete(id);
  }
  onLevel(): void {}
  onTrade(): void {}
  onOrder(id: number, _a: number, kind: string): void {
    if (kind === 'filled' || kind === 'canceled') this.remove(id);
  }
}

function generate(seed: number): { prefill: Commands; timed: Commands; mix: number[] } {
  const r = new Prng(seed);
  const live = new LiveSet();
  const e = new MatchingEngine({ listener: live });
  let center = 100_000;
  const prefill = alloc(PREFILL);
  const timed = alloc(COMMANDS);
  const mix = [0, 0, 0, 0];
  // Passive prices spread exponentially from the touch: a few hundred active levels.
  const passive = (side: Side) => (side === Side.Buy ? center - 1 - Math.floor(r.exp(60)) : center + 1 + Math.floor(r.exp(60)));
  const aggressive = (side: Side) => (side === Side.Buy ? center + r.range(0, 8) : center - r.range(0, 8));
  const qty = () => 1 + Math.floor(r.exp(30));

  const emit = (c: Commands, i: number, op: number): void => {
    const side: Side = op === OP_MOVE || op === OP_CANCEL ? 1 : r.chance(0.5) ? Side.Buy : Side.Sell;
    if (op === OP_GTC || op === OP_IOC) {
      const id = e.nextOrderId;
      const p = op === OP_IOC || r.chance(0.03) ? aggressive(side) : passive(side);
      const q = qty();
      e.placeLimit(id, side, p, q, op === OP_IOC ? TimeInForce.IOC : TimeInForce.GTC);
      if (e.orderRemaining(id) > 0) live.add(id, side, p);
      c.op[i] = op; c.side[i] = side; c.id[i] = id; c.price[i] = p; c.qty[i] = q;
    } else if (op === OP_MOVE) {
      const id = live.ids[r.int(live.ids.length)]!;
      const s = live.side.get(id)!;
      const old = live.price.get(id)!;
      let p = r.chance(0.03) ? aggressive(s) : old + r.range(-6, 6);
      if (p <= 0) p = 1;
      if (p === old) p = old + (s === Side.Buy ? -1 : 1);
      e.move(id, p);
      if (e.orderRemaining(id) > 0) live.price.set(id, p);
      c.op[i] = op; c.side[i] = s; c.id[i] = id; c.price[i] = p;
    } else {
      const id = live.ids[r.int(live.ids.length)]!;
      e.cancel(id);
      c.op[i] = op; c.id[i] = id;
    }
    mix[op]!++;
  };

  for (let i = 0; i < PREFILL; i++) emit(prefill, i, OP_GTC);
  mix.fill(0);
  for (let i = 0; i < COMMANDS; i++) {
    if (r.chance(0.001)) center += r.range(-3, 3);
    const x = r.float();
    let op = x < 0.82 ? OP_MOVE : x < 0.91 ? OP_GTC : x < 0.94 ? OP_IOC : OP_CANCEL;
    // Hold the live-order count near LIVE, as exchange-core's generator does.
    if (op === OP_CANCEL && live.ids.length < LIVE * 0.9) op = OP_GTC;
    else if (op === OP_GTC && live.ids.length > LIVE * 1.1) op = OP_CANCEL;
    if ((op === OP_MOVE || op === OP_CANCEL) && live.ids.length === 0) op = OP_GTC;
    emit(timed, i, op);
  }
  return { prefill, timed, mix };
}

function runOurs(c: Commands, e: MatchingEngine): void {
  const { n, op, side, id, price, qty } = c;
  for (let i = 0; i < n; i++) {
    switch (op[i]) {
      case OP_GTC:
        e.placeLimit(id[i]!, side[i] as Side, price[i]!, qty[i]!, TimeInForce.GTC);
        break;
      case OP_IOC:
        e.placeLimit(id[i]!, side[i] as Side, price[i]!, qty[i]!, TimeInForce.IOC);
        break;
      case OP_MOVE:
        e.move(id[i]!, price[i]!);
        break;
      default:
        e.cancel(id[i]!);
    }
  }
}

function runTheirs(c: Commands, ob: OrderBook, ids: string[], count?: { trades: number; volume: number }): void {
  const { n, op, side, id, price, qty } = c;
  const sides = ['', 'buy', 'sell'] as const;
  for (let i = 0; i < n; i++) {
    const o = op[i];
    const oid = ids[id[i]!]!;
    if (o === OP_GTC || o === OP_IOC) {
      const res = ob.limit({ id: oid, side: sides[side[i]!] as never, size: qty[i]!, price: price[i]!, timeInForce: (o === OP_IOC ? 'IOC' : 'GTC') as never });
      if (count) tally(count, res, oid, qty[i]!);
    } else if (o === OP_MOVE) {
      const before = count ? ((ob as unknown as { orders: Record<string, { size: number }> }).orders[oid]?.size ?? 0) : 0;
      const res = ob.modify(oid, { price: price[i]! } as never);
      if (count && !res.err) tally(count, res, oid, before);
    } else {
      ob.cancel(oid);
    }
  }
}

/** Trades of one hft-limit-order-book response: the makers in done/partial (see its source). */
function tally(count: { trades: number; volume: number }, res: ReturnType<OrderBook['limit']>, taker: string, size: number): void {
  for (const d of res.done) if (d.id !== taker) count.trades++;
  if (res.partial !== null && res.partial.id !== taker) count.trades++;
  count.volume += size - res.quantityLeft;
}

function timeRuns(runs: number, prepare: () => () => void): number {
  let best = Infinity;
  for (let k = 0; k < runs; k++) {
    const run = prepare();
    const t0 = performance.now();
    run();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const { prefill, timed, mix } = generate(42);
const maxId = PREFILL + COMMANDS + 1;
const ids: string[] = new Array(maxId + 1);
for (let i = 0; i <= maxId; i++) ids[i] = String(i);

// Untimed verification passes: trades, volume, book shape.
const counter = new CountingListener();
const check = new MatchingEngine({ listener: counter });
runOurs(prefill, check);
const levelsBefore = check.depth(Side.Buy) + check.depth(Side.Sell);
counter.trades = counter.volume = 0;
runOurs(timed, check);
check.validateInternalState();
const theirCount = { trades: 0, volume: 0 };
const obCheck = new OrderBook();
runTheirs(prefill, obCheck, ids);
runTheirs(timed, obCheck, ids, theirCount);

const oursMs = timeRuns(5, () => {
  const e = new MatchingEngine({ listener: new CountingListener() });
  runOurs(prefill, e);
  return () => runOurs(timed, e);
});
const theirsMs = timeRuns(2, () => {
  const ob = new OrderBook();
  runTheirs(prefill, ob, ids);
  return () => runTheirs(timed, ob, ids);
});

const oursOps = (COMMANDS * 1000) / oursMs;
const theirsOps = (COMMANDS * 1000) / theirsMs;
const rows: BenchRow[] = [
  { engine: 'tickmesh MatchingEngine', 'ops/s': oursOps, trades: counter.trades, 'volume (lots)': counter.volume, ratio: `${(oursOps / theirsOps).toFixed(1)}×` },
  { engine: 'hft-limit-order-book 7', 'ops/s': theirsOps, trades: theirCount.trades, 'volume (lots)': theirCount.volume, ratio: '1.0×' },
];
const pct = (k: number) => ((mix[k]! * 100) / COMMANDS).toFixed(1);
printTable(
  `Matching engine, exchange-core mix (${COMMANDS.toLocaleString('en')} commands, best of runs)`,
  rows,
  `same trades in both engines: ${counter.trades === theirCount.trades && counter.volume === theirCount.volume ? 'yes' : 'NO'}; mix: move ${pct(OP_MOVE)}% · GTC ${pct(OP_GTC)}% · IOC ${pct(OP_IOC)}% · cancel ${pct(OP_CANCEL)}%; ` +
    `~${LIVE} live orders, ${levelsBefore} levels after prefill; target ≥ 3 M ops/s (not asserted)`,
);
