/**
 * Order round trip, send → first execution report, over the relay's order channel (WebRTC data
 * channel, the genuine peerjs client on werift) and over /ws (ws), side by side
 * (bench/order-round-trip.ts): one account with both sessions open, requests interleaved.
 *
 * 1. Loopback: relay and clients in this process.
 * 2. Lossy link (as root): the clients in a child process in a network namespace whose veth
 *    link to the relay drops 0.5% of packets each way (~1% per round trip; nft numgen, since
 *    this VM's kernel has no netem: `tc qdisc ... netem` says "Specified qdisc kind is unknown",
 *    so no delay is added), where the channel's SCTP should stall less than TCP's head-of-line
 *    retransmission.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { AuthService } from '../relay/src/server/auth/index';
import { defaultRelayOptions } from '../relay/src/server/options';
import { Relay } from '../relay/src/server/relay-server';
import { defaultSimVenues } from '../relay/src/venues/sim/index';
import { percentile } from '../scripts/mesh-load/fleet';
import { openCarriers, roundTrips } from './order-round-trip';
import { printTable, type BenchRow } from './table';

const here = dirname(fileURLToPath(import.meta.url));
const WARMUP = 200;
const SAMPLES = 2000;
const LOSSY_SAMPLES = 2000;
const NS = 'tmb-orders';
const HOST_IP = '10.77.0.1';
const NS_IP = '10.77.0.2';

const watchdog = setTimeout(() => {
  console.error('order-channel bench: watchdog fired');
  process.exit(1);
}, 240_000);
watchdog.unref();

function rows(link: string, rtts: Map<string, number[]> | Record<string, number[]>): BenchRow[] {
  return Object.entries(rtts instanceof Map ? Object.fromEntries(rtts) : rtts).map(([carrier, xs]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { link, carrier, 'p50 ms': percentile(s, 50), 'p90 ms': percentile(s, 90), 'p99 ms': percentile(s, 99), 'max ms': s[s.length - 1]!, 'mean ms': s.reduce((a, b) => a + b, 0) / s.length };
  });
}

function sh(cmd: string): boolean {
  return spawnSync('sh', ['-c', cmd], { stdio: 'ignore' }).status === 0;
}

/** The namespace and its lossy veth; false when this machine cannot (not root, no ip/nft). */
function lossyLink(): boolean {
  sh(`ip netns del ${NS}`);
  return sh(
    [
      `ip netns add ${NS}`,
      `ip link add tmb-h type veth peer name tmb-n`,
      `ip link set tmb-n netns ${NS}`,
      `ip addr add ${HOST_IP}/24 dev tmb-h`,
      `ip link set tmb-h up`,
      `ip netns exec ${NS} ip addr add ${NS_IP}/24 dev tmb-n`,
      `ip netns exec ${NS} ip link set tmb-n up`,
      `ip netns exec ${NS} ip link set lo up`,
      // 5 in 1000 packets dropped each way, in the namespace (deleting it removes the rules).
      `ip netns exec ${NS} nft add table inet tmloss`,
      `ip netns exec ${NS} nft add chain inet tmloss out '{ type filter hook output priority 0 ; }'`,
      `ip netns exec ${NS} nft add rule inet tmloss out oifname tmb-n numgen random mod 1000 '<' 5 drop`,
      `ip netns exec ${NS} nft add chain inet tmloss in '{ type filter hook input priority 0 ; }'`,
      `ip netns exec ${NS} nft add rule inet tmloss in iifname tmb-n numgen random mod 1000 '<' 5 drop`,
    ].join(' && '),
  );
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-bench-'));
  const { auth } = await AuthService.open(dataDir);
  const grant = await auth.issueToken((await auth.createAccount({ account: 'bench', role: 'trader' })).apiKey);
  if (!grant.ok) throw new Error(grant.reason.code);
  const token = grant.value.token;
  const lossy = lossyLink();
  const relay = new Relay(
    // The request budgets are lifted: this measures the path, not the rate limiter.
    { ...defaultRelayOptions, host: lossy ? '0.0.0.0' : '127.0.0.1', port: 0, flushMs: 20, compression: false, logLevel: 'silent', heartbeatMs: 60_000, dataDir, messagesPerSecond: 100_000, accountMessagesPerSecond: 100_000 },
    { venues: defaultSimVenues({ seed: 7, updatesPerSecond: 100 }), auth, logger: pino({ level: 'silent' }), defaultMetrics: false },
  );
  await relay.start();
  const port = new URL(relay.url).port;
  const id = relay.md.streamIdsForSymbol('BTC-USD')[0]!;
  const price = Math.floor(relay.md.stream(id)!.book.bestBid() * 0.995);

  const carriers = await openCarriers(`http://127.0.0.1:${port}`, token);
  const table = rows('loopback, one process', await roundTrips(carriers, price, WARMUP, SAMPLES));
  for (const c of carriers) c.close();

  if (lossy) {
    try {
      const child = spawn('ip', ['netns', 'exec', NS, process.execPath, '--import', 'tsx', join(here, 'order-channel-lossy-client.ts'), `http://${HOST_IP}:${port}`, token, String(price), '20', String(LOSSY_SAMPLES)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      if (code === 0) table.push(...rows('veth, 0.5% loss each way, clients in a netns', JSON.parse(out) as Record<string, number[]>));
      else console.error(`order-channel bench: the lossy-link client exited ${code}`);
    } finally {
      sh(`ip netns del ${NS}`);
    }
  }

  printTable(
    `Order round trip, send → first execution report (${SAMPLES} orders per carrier on loopback, ${LOSSY_SAMPLES} on the lossy link; interleaved, after warm-up)`,
    table,
    `${lossy ? '' : 'The lossy-link rows need root, ip and nft (skipped). '}Loopback: relay, werift stack and both clients share a V8 thread, so the channel pays werift (SCTP/DTLS in JavaScript) on both ends; a browser pays it only at the relay.`,
  );
  await relay.stop();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    sh(`ip netns del ${NS}`);
    console.error(e);
    process.exit(1);
  },
);
