/**
 * The order path inside the relay, without the network: ClientMessage bytes decoded ->
 * authoritative risk -> OMS (state machine, journal) -> simulated venue -> execution report
 * encoded as a ServerMessage. Measured from decode start to the first report encoded, for a
 * resting GTC limit (the venue accepts it) and a marketable IOC (it fills). Run twice: with the
 * journal's fdatasync (what an acknowledgement costs when it must be durable) and without it
 * (the path's own cost).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Algo, OrderType, Side, TimeInForce, decodeClient, encodeClient, encodeServer, type ExecutionReportMsg } from '@tickmesh/shared';
import { MarketDataService } from '../relay/src/md/market-data-service';
import { RelayMetrics } from '../relay/src/metrics/relay-metrics';
import { Trading } from '../relay/src/server/trading';
import { defaultSimVenues } from '../relay/src/venues/sim/index';
import { percentile, printTable, type BenchRow } from './table';

const ORDERS = 3000;
const log = pino({ level: 'silent' });

async function run(fsync: boolean): Promise<BenchRow[]> {
  const venues = defaultSimVenues({ seed: 3 });
  const md = new MarketDataService({ flushMs: 1_000_000, recentTrades: 10 }, new RelayMetrics({ defaultMetrics: false }), log);
  for (const v of venues) md.addVenue(v);
  await md.start();
  md.flush();
  const trading = await Trading.open(mkdtempSync(join(tmpdir(), 'tickmesh-order-bench-')), md, venues, () => ['bench'], log, {
    ordersPerSecond: Infinity,
    limits: { maxOpenOrders: 1_000_000, creditLimit: Number.MAX_SAFE_INTEGER, maxPosition: 1e12 },
  }, { fsync });
  const btc = md.stream(md.streamIdsForSymbol('BTC-USD')[0]!)!.book;
  const rows: BenchRow[] = [];
  for (const kind of ['GTC resting', 'IOC marketable'] as const) {
    const lat: number[] = [];
    let pending: { start: number; done: () => void } | undefined;
    const off = trading.oms.onReport((r: ExecutionReportMsg) => {
      if (!pending || r.parentOrderId !== '') return;
      encodeServer(r);
      const p = pending;
      pending = undefined;
      lat.push(performance.now() - p.start);
      p.done();
    });
    const t0 = performance.now();
    for (let i = 0; i < ORDERS; i++) {
      const resting = kind === 'GTC resting';
      // Keep the account's working orders few, as a trader's are (cancels are not timed).
      if (resting && i % 20 === 19) {
        await trading.oms.cancelAll('bench');
        await new Promise((r) => setTimeout(r, 1));
      }
      const bytes = encodeClient({
        type: 'newOrder', requestId: i + 1, clientOrderId: `${kind[0]}-${i}`, symbol: 'BTC-USD', venue: resting ? 'sim-a' : '',
        side: resting ? Side.Buy : i % 2 ? Side.Buy : Side.Sell, orderType: OrderType.Limit,
        timeInForce: resting ? TimeInForce.GTC : TimeInForce.IOC,
        price: resting ? btc.bestBid() - 100 - (i % 50) : i % 2 ? btc.bestAsk() + 20 : btc.bestBid() - 20,
        qty: 1, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
      });
      await new Promise<void>((done) => {
        pending = { start: performance.now(), done };
        const d = decodeClient(bytes);
        if (!d.ok || d.value.type !== 'newOrder') throw new Error('decode failed');
        const m = d.value;
        void trading.oms.newOrder({ ...m, account: 'bench' }, m.requestId);
      });
    }
    const seconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 50)); // let the last orders' later reports settle
    off();
    const us = (ms: number) => (ms * 1000).toFixed(1);
    rows.push({ order: kind, journal: fsync ? 'fdatasync' : 'no sync', 'orders/s (one at a time)': Math.round(ORDERS / seconds), 'p50 µs': us(percentile(lat, 50)), 'p99 µs': us(percentile(lat, 99)) });
  }
  await md.stop();
  await trading.close();
  return rows;
}

const rows = [...(await run(false)), ...(await run(true))];
printTable(
  'Order path inside the relay: decode -> risk -> OMS + journal -> sim venue -> first report encoded',
  rows,
  'Budget (DESIGN.md): p99 <= 100 µs for the path. With fdatasync the acknowledgement waits for the disk; group commit amortises it across concurrent orders (see the journal bench).',
);
process.exit(0);
