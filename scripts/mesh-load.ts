/**
 * Mesh load tool: joins N headless WebRTC peers (werift + the peerjs client) to a running
 * relay and reports, each second, how the peers are fed and what they receive, then the
 * one-hop added latency and the relay's direct vs mesh egress.
 *
 *   npm run mesh-load -- --url http://localhost:8080 --token <jwt> --peers 20 [--symbol BTC-USD] [--seconds 30]
 *   npm run mesh-load -- --url http://localhost:8080 --api-key <key> --peers 20
 *
 * --token / --api-key may be repeated; peers use them in turn (the relay's signalling allows
 * 16 PeerJS ids per account by default, so more peers need more accounts).
 */
import { parseArgs } from 'node:util';
import { MeshFleet, percentile, type FleetTotals } from './mesh-load/fleet';
import { fetchEgress, tokenFromApiKey, type EgressCounters } from './mesh-load/relay-api';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:8080' },
    token: { type: 'string', multiple: true },
    'api-key': { type: 'string', multiple: true },
    peers: { type: 'string', default: '10' },
    symbol: { type: 'string', default: 'BTC-USD' },
    seconds: { type: 'string', default: '30' },
    help: { type: 'boolean', short: 'h' },
  },
});

const usage = 'usage: npm run mesh-load -- --url http://localhost:8080 (--token <jwt> | --api-key <key>)... --peers N [--symbol BTC-USD] [--seconds S]';
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const peers = Number(values.peers);
const seconds = Number(values.seconds);
if (!Number.isInteger(peers) || peers < 1 || !(seconds > 0)) {
  console.error(usage);
  process.exit(2);
}
const url = values.url!;
// Several --token/--api-key may be given (peers use them in turn): the relay allows 16 PeerJS ids per account by default.
const tokens = [...(values.token ?? [])];
for (const key of values['api-key'] ?? []) tokens.push(await tokenFromApiKey(url, key));
if (tokens.length === 0) {
  console.error(`a --token (or --api-key) is needed\n${usage}`);
  process.exit(2);
}

const e0 = await fetchEgress(url);
console.log(`joining ${peers} peers to ${url} on ${values.symbol}...`);
const fleet = await MeshFleet.start({ url, tokens, peers, symbol: values.symbol!, onError: (e) => console.error(`peer failed: ${e instanceof Error ? e.message : String(e)}`) });
console.log(`${fleet.peers.length}/${peers} peers open`);

let stopping = false;
const stop = () => {
  stopping = true;
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

const t0 = performance.now();
let prev: FleetTotals = fleet.totals();
let prevEgress: EgressCounters = e0;
const header = 't(s) | fed mesh/seed/direct (streams) | peers all-mesh/relay | frames/s peers | frames/s relay | direct batches/s | rejected | relay direct B/s | relay mesh B/s';
console.log(header);
for (let s = 1; s <= seconds && !stopping; s++) {
  await new Promise((r) => setTimeout(r, Math.max(0, t0 + s * 1000 - performance.now())));
  const t = fleet.totals();
  const e = await fetchEgress(url).catch(() => prevEgress);
  console.log(
    [
      String(s).padStart(4),
      `${t.fed.mesh}/${t.fed.seed}/${t.fed.direct}`.padEnd(31),
      `${t.peersFedByMesh}/${t.peersFedByRelay}`.padEnd(20),
      String(t.framesFromPeers - prev.framesFromPeers).padEnd(14),
      String(t.framesFromRelay - prev.framesFromRelay).padEnd(14),
      String(t.directBatches - prev.directBatches).padEnd(16),
      String(t.rejected).padEnd(8),
      String(Math.round(e.directBytes - prevEgress.directBytes)).padEnd(16),
      String(Math.round(e.meshFrameBytes + e.meshControlBytes - prevEgress.meshFrameBytes - prevEgress.meshControlBytes)),
    ].join(' | '),
  );
  prev = t;
  prevEgress = e;
}

const elapsed = (performance.now() - t0) / 1000;
const end = await fetchEgress(url);
const t = fleet.totals();
fleet.close();
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
console.log(`\none-hop added latency (child first receive - parent first receive, same seq): p50 ${ms(percentile(fleet.hopMs, 50))} ms, p99 ${ms(percentile(fleet.hopMs, 99))} ms over ${fleet.hopMs.length} hops`);
console.log(`duplicates per first copy: ${t.firstCopies ? (t.duplicates / t.firstCopies).toFixed(3) : 'n/a'}, resyncs: ${t.resyncs}, rejected: ${t.rejected}`);
const direct = end.directBytes - e0.directBytes;
const mesh = end.meshFrameBytes + end.meshControlBytes - e0.meshFrameBytes - e0.meshControlBytes;
console.log(`relay egress over ${elapsed.toFixed(1)} s (whole relay, /metrics): direct ${Math.round(direct / elapsed)} B/s, mesh ${Math.round(mesh / elapsed)} B/s (frames ${Math.round((end.meshFrameBytes - e0.meshFrameBytes) / elapsed)} + control ${Math.round((end.meshControlBytes - e0.meshControlBytes) / elapsed)})`);
// werift and peerjs keep sockets and timers; the tool is done.
setTimeout(() => process.exit(0), 200);
