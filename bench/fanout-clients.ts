/**
 * Child process of fanout.bench.ts: opens N WebSocket clients to a relay, subscribes each to
 * every stream and counts what arrives. Latency (publish -> client) is the receive wall time
 * minus the batch's relay publish time, sampled on every 8th frame per client to keep the
 * measuring side cheaper than the measured one. Prints one JSON line with the results.
 */
import { decodeServer, encodeClient } from '@tickmesh/shared';
import { WebSocket } from 'ws';
import { percentile } from './table';

const [url, token, nArg, warmArg, measureArg] = process.argv.slice(2);
const n = Number(nArg);
const warmMs = Number(warmArg);
const measureMs = Number(measureArg);

let deliveries = 0;
let bytes = 0;
let measuring = false;
const latUs: number[] = [];
const sockets: WebSocket[] = [];

function nowUs(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

async function open(i: number): Promise<void> {
  const ws = new WebSocket(`${url!.replace('http', 'ws')}/ws?access_token=${token}`, { perMessageDeflate: false });
  sockets.push(ws);
  let k = i;
  ws.on('message', (data: Buffer) => {
    if (!measuring) return;
    deliveries++;
    bytes += data.length;
    if ((k++ & 7) !== 0) return;
    const r = decodeServer(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (r.ok && r.value.type === 'bookBatch') latUs.push(nowUs() - r.value.timeUs);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(encodeClient({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['BTC-USD', 'ETH-USD', 'SOL-USD'] }));
}

for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => open(i + j)));
await new Promise((r) => setTimeout(r, warmMs));
measuring = true;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, measureMs));
measuring = false;
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
for (const ws of sockets) ws.terminate();
const result = {
  deliveries,
  bytes,
  seconds,
  samples: latUs.length,
  p50Us: percentile(latUs, 50),
  p99Us: percentile(latUs, 99),
  maxUs: percentile(latUs, 100),
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
};
process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0));
