/**
 * The order path inside the relay, without the network: ClientMessage bytes decoded ->
 * session's forward -> authoritative risk -> OMS (state machine, journal) -> simulated venue ->
 * execution reports encoded as ServerMessages. For each order two times, from decode start:
 * - ack: the first report of the order encoded (durable in the journal, before any venue);
 * - venue: the first report caused by the venue's answer encoded (New for a resting GTC limit,
 *   the fill for a marketable IOC, or its end), i.e. the whole path.
 * A report counts only for its own order (by account and client order id): the bench's first
 * version took the first report of any order after the send, which could be the previous
 * order's late venue answer, and so read below the journal's own fdatasync time.
 * One at a time (the next order waits for the venue's answer), journal without and with
 * fdatasync; then CLIENTS concurrent clients (one account each, one order in flight each) with
 * fdatasync group commit, where the disk's latency is paid once per group, not per order.
 *
 * Then, where valgrind is installed, instructions per order (callgrind): the same loop bundled
 * and run under valgrind, its counters read at the two ends of a window of COUNT_ORDERS orders.
 * Repeatable where times are not, so a change that costs 10% shows on this noisy machine.
 * (`perf stat -e instructions` would be the cheaper way, but this VM exposes no hardware counters.)
 *
 *   node --import tsx bench/order-path.bench.ts
 *   env: ORDER_BENCH_ORDERS=3000 ORDER_BENCH_PER_CLIENT=300, ORDER_BENCH_ONLY=one|concurrent|instructions
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Algo, ExecType, OrderType, Side, TimeInForce, decodeClient, encodeClient, encodeServer, type ExecutionReportMsg } from '@tickmesh/shared';
import { MarketDataService } from '../relay/src/md/market-data-service';
import { RelayMetrics } from '../relay/src/metrics/relay-metrics';
import { Trading } from '../relay/src/server/trading';
import { forwardOrderRequest } from '../relay/src/session/order-requests';
import { defaultSimVenues } from '../relay/src/venues/sim/index';
import { percentile, printTable, type BenchRow } from './table';

const ORDERS = Number(process.env.ORDER_BENCH_ORDERS ?? 3000);
const WARMUP = Math.min(1000, ORDERS);
const CLIENTS = 64;
const PER_CLIENT = Number(process.env.ORDER_BENCH_PER_CLIENT ?? 300);
const ONLY = process.env.ORDER_BENCH_ONLY ?? '';
const KINDS = ['GTC resting', 'IOC marketable'] as const;
type Kind = (typeof KINDS)[number];
const log = pino({ level: 'silent' });
const dirs: string[] = [];

/** The venue answered (or the order ended without reaching it): the path is complete. */
const VENUE_ANSWERS = new Set<number>([ExecType.New, ExecType.Trade, ExecType.Canceled, ExecType.Expired, ExecType.Rejected, ExecType.Denied]);

interface InFlight {
  clientOrderId: string;
  start: number;
  ackMs: number;
  done: () => void;
}

class Harness {
  /** Per account, the order whose reports are being timed. */
  private readonly inFlight = new Map<string, InFlight>();
  readonly ack: number[] = [];
  readonly venue: number[] = [];
  private seq = 0;

  private constructor(readonly trading: Trading, private readonly md: MarketDataService) {
    trading.oms.onReport((r) => this.onReport(r));
  }

  /** `quiet`: no synthetic order flow (its timers would do more work the slower the run, e.g. under valgrind). */
  static async open(fsync: boolean, quiet = false): Promise<Harness> {
    const venues = defaultSimVenues({ seed: 3, updatesPerSecond: quiet ? 0 : undefined });
    const md = new MarketDataService({ flushMs: 1_000_000, recentTrades: 10 }, new RelayMetrics({ defaultMetrics: false }), log);
    for (const v of venues) md.addVenue(v);
    await md.start();
    md.flush();
    const dir = mkdtempSync(join(tmpdir(), 'tickmesh-order-bench-'));
    dirs.push(dir);
    const trading = await Trading.open(dir, md, venues, () => ['bench'], log, {
      ordersPerSecond: Infinity,
      limits: { maxOpenOrders: 1_000_000, creditLimit: Number.MAX_SAFE_INTEGER, maxPosition: 1e12 },
    }, { fsync });
    return new Harness(trading, md);
  }

  async close(): Promise<void> {
    await this.md.stop();
    await this.trading.close();
  }

  reset(): void {
    this.ack.length = 0;
    this.venue.length = 0;
  }

  /** The i-th order of `kind` for `account`, as a client sends it. */
  bytes(kind: Kind, i: number, margin = 20): { bytes: Uint8Array; clientOrderId: string } {
    const btc = this.md.stream(this.md.streamIdsForSymbol('BTC-USD')[0]!)!.book;
    const resting = kind === 'GTC resting';
    const clientOrderId = `${kind[0]}-${++this.seq}`;
    const bytes = encodeClient({
      type: 'newOrder', requestId: this.seq, clientOrderId, symbol: 'BTC-USD', venue: resting ? 'sim-a' : '',
      side: resting ? Side.Buy : i % 2 ? Side.Buy : Side.Sell, orderType: OrderType.Limit,
      timeInForce: resting ? TimeInForce.GTC : TimeInForce.IOC,
      price: resting ? btc.bestBid() - 100 - (i % 50) : i % 2 ? btc.bestAsk() + margin : btc.bestBid() - margin,
      qty: 1, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
    });
    return { bytes, clientOrderId };
  }

  /** Sends one order as `account` and resolves once the venue's answer was encoded. */
  send(account: string, order: { bytes: Uint8Array; clientOrderId: string }): Promise<void> {
    return new Promise<void>((done) => {
      this.inFlight.set(account, { clientOrderId: order.clientOrderId, start: performance.now(), ackMs: -1, done });
      const d = decodeClient(order.bytes);
      if (!d.ok || d.value.type !== 'newOrder') throw new Error('decode failed');
      void forwardOrderRequest(this.trading.oms, d.value, account);
    });
  }

  private onReport(r: ExecutionReportMsg): void {
    if (r.parentOrderId !== '') return;
    const f = this.inFlight.get(r.account);
    if (f === undefined || f.clientOrderId !== r.clientOrderId) return;
    encodeServer(r);
    const t = performance.now() - f.start;
    if (f.ackMs < 0) {
      f.ackMs = t;
      this.ack.push(t);
    }
    if (!VENUE_ANSWERS.has(r.execType)) return;
    this.venue.push(t);
    this.inFlight.delete(r.account);
    f.done();
  }
}

type Encoded = { bytes: Uint8Array; clientOrderId: string };

/**
 * Orders encoded up front: concurrent clients are other processes in real life, so the relay's
 * thread should not also do 64 clients' encoding. An IOC then reaches 2,000 ticks through the
 * book, so the market moving meanwhile cannot make it miss.
 */
function encoded(h: Harness, kind: Kind, n: number): Encoded[] {
  return Array.from({ length: n }, (_, i) => h.bytes(kind, i, 2000));
}

/**
 * One client: its orders of `kind` (encoded now, one at a time, or given), each after the
 * previous one's venue answer. Resting orders are canceled every 20, so the account's working
 * orders stay few, as a trader's are (the cancels are not timed; one at a time, a 1 ms pause
 * lets their answers land first).
 */
async function client(h: Harness, account: string, kind: Kind, orders: number | Encoded[], pause = false): Promise<void> {
  const n = typeof orders === 'number' ? orders : orders.length;
  for (let i = 0; i < n; i++) {
    if (kind === 'GTC resting' && i % 20 === 19) {
      await h.trading.oms.cancelAll(account);
      if (pause) await new Promise((r) => setTimeout(r, 1));
    }
    await h.send(account, typeof orders === 'number' ? h.bytes(kind, i) : orders[i]!);
  }
}

const us = (ms: number) => (ms * 1000).toFixed(1);

async function oneAtATime(fsync: boolean): Promise<BenchRow[]> {
  const h = await Harness.open(fsync);
  const rows: BenchRow[] = [];
  for (const kind of KINDS) {
    await client(h, 'bench', kind, WARMUP, true);
    h.reset();
    const t0 = performance.now();
    await client(h, 'bench', kind, ORDERS, true);
    const seconds = (performance.now() - t0) / 1000;
    rows.push({
      order: kind, journal: fsync ? 'fdatasync' : 'no sync', 'orders/s': Math.round(ORDERS / seconds),
      'ack p50 µs': us(percentile(h.ack, 50)), 'ack p99 µs': us(percentile(h.ack, 99)),
      'venue p50 µs': us(percentile(h.venue, 50)), 'venue p99 µs': us(percentile(h.venue, 99)),
    });
    await new Promise((r) => setTimeout(r, 20)); // let the last orders' later reports settle
  }
  await h.close();
  return rows;
}

async function concurrent(fsync: boolean): Promise<BenchRow[]> {
  const h = await Harness.open(fsync);
  const accounts = Array.from({ length: CLIENTS }, (_, i) => `c${i}`);
  const rows: BenchRow[] = [];
  for (const kind of KINDS) {
    await Promise.all(accounts.map((a) => client(h, a, kind, encoded(h, kind, 40))));
    h.reset();
    const orders = accounts.map(() => encoded(h, kind, PER_CLIENT));
    const before = { ...h.trading.journal.stats };
    const t0 = performance.now();
    await Promise.all(accounts.map((a, i) => client(h, a, kind, orders[i]!)));
    const seconds = (performance.now() - t0) / 1000;
    const s = h.trading.journal.stats;
    const syncs = s.syncs - before.syncs;
    rows.push({
      order: kind, clients: CLIENTS, journal: fsync ? 'fdatasync' : 'no sync', 'orders/s': Math.round((CLIENTS * PER_CLIENT) / seconds),
      'records/write': ((s.appends - before.appends) / (s.batches - before.batches)).toFixed(1),
      'syncs/s': Math.round(syncs / seconds),
      'ack p50 µs': us(percentile(h.ack, 50)), 'ack p99 µs': us(percentile(h.ack, 99)),
      'venue p50 µs': us(percentile(h.venue, 50)), 'venue p99 µs': us(percentile(h.venue, 99)),
    });
    await new Promise((r) => setTimeout(r, 20));
  }
  await h.close();
  return rows;
}

const COUNT_WARMUP = 2000;
const COUNT_ORDERS = 1000;

/** One line from stdin (the parent's go-ahead). */
const nextLine = () => new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));

/**
 * The child under valgrind: warm up (the JIT settles), collect garbage, then COUNT_ORDERS
 * orders of `ORDER_BENCH_KIND`, one at a time, no sync, between two marks on stdout at which
 * it waits for the parent to read the counters.
 */
async function countChild(): Promise<void> {
  const kind = process.env.ORDER_BENCH_KIND as Kind;
  // Periodic timers (market-data flush and anomaly checks, the sim's order flow) run by the wall
  // clock, which valgrind slows ~50×: their work per order would follow the run's speed, not the
  // order path. So this child starts none (clearInterval ignores the stand-in).
  globalThis.setInterval = (() => ({ unref: () => undefined, ref: () => undefined, hasRef: () => false })) as unknown as typeof setInterval;
  const h = await Harness.open(false, true);
  await client(h, 'bench', kind, encoded(h, kind, COUNT_WARMUP));
  const orders = encoded(h, kind, COUNT_ORDERS);
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write('start\n');
  await nextLine();
  await client(h, 'bench', kind, orders);
  process.stdout.write('end\n');
  await nextLine();
  await h.close();
}

/** Instructions executed so far by the callgrind run `pid`: main thread and all threads. */
function irNow(pid: number): { main: number; all: number } {
  const r = spawnSync('callgrind_control', ['-e', 'Ir', String(pid)], { encoding: 'utf8' });
  const threads = [...r.stdout.matchAll(/Th\s*(\d+)\s+([\d,]+)/g)].map((m) => ({ th: Number(m[1]), ir: Number(m[2]!.replaceAll(',', '')) }));
  if (threads.length === 0) throw new Error(`callgrind_control: ${r.stdout}${r.stderr}`);
  return { main: threads.find((t) => t.th === 1)?.ir ?? 0, all: threads.reduce((s, t) => s + t.ir, 0) };
}

/** Runs the bundle under callgrind for `kind`; instructions of the marked window per order. */
function countUnderValgrind(bundle: string, kind: Kind): Promise<{ main: number; all: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--expose-gc', bundle], {
      env: { ...process.env, ORDER_BENCH_ONLY: 'count', ORDER_BENCH_KIND: kind }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let at: { main: number; all: number } | undefined;
    let per: { main: number; all: number } | undefined;
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err = (err + d).slice(-2000); });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (d.includes('start')) at = irNow(child.pid!);
      if (d.includes('end') && at) {
        const now = irNow(child.pid!);
        per = { main: (now.main - at.main) / COUNT_ORDERS, all: (now.all - at.all) / COUNT_ORDERS };
      }
      child.stdin.write('go\n');
    });
    child.on('exit', (code) => (per && code === 0 ? resolve(per) : reject(new Error(`valgrind run failed (${code}): ${err}`))));
  });
}

async function instructionCounts(): Promise<void> {
  if (spawnSync('valgrind', ['--version']).status !== 0 || spawnSync('callgrind_control', ['--version']).status !== 0) {
    console.log('\nInstruction counts skipped: valgrind is not installed (Debian: apt-get install valgrind).');
    return;
  }
  // Bundled, so the runs under valgrind do not spend minutes in tsx's compiler; under
  // node_modules so the external packages resolve.
  const { build } = await import('esbuild');
  const cache = fileURLToPath(new URL('../node_modules/.cache/', import.meta.url));
  mkdirSync(cache, { recursive: true });
  const bundle = join(mkdtempSync(join(cache, 'tickmesh-order-count-')), 'order-path.mjs');
  dirs.push(join(bundle, '..'));
  await build({
    entryPoints: [fileURLToPath(import.meta.url)], outfile: bundle, bundle: true, platform: 'node', target: 'node20', format: 'esm',
    external: ['esbuild', 'ws', 'werift', 'pino', 'prom-client', 'bufferutil', 'utf-8-validate', 'proper-lockfile', '@nats-io/*'], logLevel: 'warning',
  });
  const rows: BenchRow[] = [];
  for (const kind of KINDS) {
    const per = await countUnderValgrind(bundle, kind);
    rows.push({ order: kind, journal: 'no sync', orders: COUNT_ORDERS, 'instructions/order, main thread': Math.round(per.main), 'instructions/order, all threads': Math.round(per.all) });
  }
  printTable('Order path, instructions per order (valgrind --tool=callgrind)', rows,
    `One at a time, no synthetic order flow, after ${COUNT_WARMUP} warm-up orders and a full GC; counters read (callgrind_control) at the window's ends, so start-up is left out. All threads: JIT, GC helpers and the libuv pool included.`);
}

try {
  if (ONLY === 'count') await countChild();
  if (ONLY === '' || ONLY === 'one') printTable(
    'Order path inside the relay, one at a time: decode -> risk -> OMS + journal -> sim venue -> report encoded',
    [...(await oneAtATime(false)), ...(await oneAtATime(true))],
    `${ORDERS} orders per row after ${WARMUP} warm-up. ack = first report (journaled) encoded; venue = the venue's answer encoded. Budget (DESIGN.md): no sync p50 <= 20 µs, p99 <= 100 µs.`,
  );
  if (ONLY === '' || ONLY === 'concurrent') printTable(
    `Order path, ${CLIENTS} concurrent clients (one account and one order in flight each)`,
    [...(await concurrent(true)), ...(await concurrent(false))],
    `${PER_CLIENT} orders per client per row. Budget: >= 50 k orders/s with fdatasync group commit; its p99 waits for the disk and is printed apart.`,
  );
  if (ONLY === '' || ONLY === 'instructions') await instructionCounts();
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
process.exit(0);
