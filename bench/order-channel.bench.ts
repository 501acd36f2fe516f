/**
 * Order round trip on loopback, send → first execution report, over the relay's order
 * channel (WebRTC data channel, the genuine peerjs client on werift) and over /ws (ws), side by
 * side: one relay in this process, one account with both sessions open, requests interleaved
 * one at a time so both carriers see the same relay, market and load. IOC buys far under the
 * market: each is acknowledged and canceled at once, so no open orders pile up.
 *
 * Not measured here: the issue's 1% loss / 20 ms delay case (tc netem in a network namespace
 * needs root and a namespace the relay and client share).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Algo, OrderType, Side, TimeInForce, decodeServer, encodeClient, type NewOrderMsg, type ServerMsg } from '@tickmesh/shared';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { AuthService } from '../relay/src/server/auth/index';
import { defaultRelayOptions } from '../relay/src/server/options';
import { Relay } from '../relay/src/server/relay-server';
import { defaultSimVenues } from '../relay/src/venues/sim/index';
import { OrderChannelClient, signIn } from '../relay/test/order-channel-client';
import { percentile } from '../scripts/mesh-load/fleet';
import { printTable } from './table';

const WARMUP = 200;
const SAMPLES = 2000;

const watchdog = setTimeout(() => {
  console.error('order-channel bench: watchdog fired');
  process.exit(1);
}, 180_000);
watchdog.unref();

type Carrier = { name: string; send(bytes: Uint8Array): void; onMessage(fn: (m: ServerMsg) => void): void };

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-bench-'));
  const { auth } = await AuthService.open(dataDir);
  const grant = await auth.issueToken((await auth.createAccount({ account: 'bench', role: 'trader' })).apiKey);
  if (!grant.ok) throw new Error(grant.reason.code);
  const token = grant.value.token;
  const relay = new Relay(
    // The request budgets are lifted: this measures the path, not the rate limiter.
    { ...defaultRelayOptions, port: 0, flushMs: 20, compression: false, logLevel: 'silent', heartbeatMs: 60_000, dataDir, messagesPerSecond: 100_000, accountMessagesPerSecond: 100_000 },
    { venues: defaultSimVenues({ seed: 7, updatesPerSecond: 100 }), auth, logger: pino({ level: 'silent' }), defaultMetrics: false },
  );
  await relay.start();

  const ws = new WebSocket(`${relay.url.replace('http', 'ws')}/ws?access_token=${encodeURIComponent(token)}`);
  await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
  const wsCarrier: Carrier = {
    name: '/ws (TCP)',
    send: (b) => ws.send(b),
    onMessage: (fn) => ws.on('message', (d: Buffer) => {
      const r = decodeServer(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
      if (r.ok) fn(r.value);
    }),
  };
  const channel = await OrderChannelClient.open(await signIn(relay.url, token));
  const chCarrier: Carrier = {
    name: 'order channel (WebRTC, werift)',
    send: (b) => channel.conn.send(b),
    onMessage: (fn) => channel.conn.on('data', (d) => {
      const r = decodeServer(d instanceof Uint8Array ? d : new Uint8Array(d as ArrayBuffer));
      if (r.ok) fn(r.value);
    }),
  };

  const id = relay.md.streamIdsForSymbol('BTC-USD')[0]!;
  const price = Math.floor(relay.md.stream(id)!.book.bestBid() * 0.995);
  const carriers = [wsCarrier, chCarrier];
  const waiting = new Map<string, { at: number; resolve: () => void }>();
  // Each carrier's own reports only: the other session gets a copy of every report too.
  for (const c of carriers) {
    c.onMessage((m) => {
      if (m.type !== 'executionReport') return;
      const w = waiting.get(`${c.name}|${m.clientOrderId}`);
      if (w) (waiting.delete(`${c.name}|${m.clientOrderId}`), w.resolve());
    });
  }
  const rtts = new Map<string, number[]>(carriers.map((c) => [c.name, []]));
  let n = 0;
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    for (const c of carriers) {
      const clientOrderId = `b${++n}`;
      const msg: NewOrderMsg = { type: 'newOrder', requestId: n, clientOrderId, symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy, orderType: OrderType.Limit, timeInForce: TimeInForce.IOC, price, qty: 1, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0 };
      const bytes = encodeClient(msg);
      const at = performance.now();
      await new Promise<void>((resolve) => {
        waiting.set(`${c.name}|${clientOrderId}`, { at, resolve });
        c.send(bytes);
      });
      if (i >= WARMUP) rtts.get(c.name)!.push(performance.now() - at);
    }
  }

  printTable(
    `Order round trip on loopback, send → first execution report (${SAMPLES} orders per carrier, interleaved, after ${WARMUP} warm-up)`,
    carriers.map((c) => {
      const xs = rtts.get(c.name)!.sort((a, b) => a - b);
      return { carrier: c.name, 'p50 ms': percentile(xs, 50), 'p90 ms': percentile(xs, 90), 'p99 ms': percentile(xs, 99), 'max ms': xs[xs.length - 1]!, 'mean ms': xs.reduce((a, b) => a + b, 0) / xs.length };
    }),
    'One process: relay, werift stack and both clients share a V8 thread, so the channel pays werift (SCTP/DTLS in JavaScript) on both ends; a browser pays it only at the relay.',
  );
  channel.destroy();
  ws.close();
  await relay.stop();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
