import { pino, type Logger } from 'pino';
import { openEdgeUpstream, registerClusterMetrics, standbyUntilActive, startMdPublisher, startOmsNode, type ActiveOms } from './cluster/index';
import { parseCli } from './server/cli';
import { serve } from './server/serve';
import { VenueStartError } from './venues/live/live-venue-config';
import { openVenues } from './venues/open-venues';

/**
 * `npm start`: the relay with its embedded simulated exchange (or the `--venues` given), serving
 * the PWA. With `--role md` it also publishes market data to NATS, with `--role oms` it also
 * answers orders over NATS; `--role edge` runs no venues and serves what md and oms nodes give
 * (relay/src/cluster/README.md).
 */
async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2), process.env);
  if (cli.kind === 'help') {
    console.log(cli.text);
    return;
  }
  if (cli.kind === 'error') {
    console.error(`${cli.message}\n(run with --help for the options)`);
    process.exitCode = 2;
    return;
  }
  const options = cli.options;
  const log = pino({ level: options.logLevel });
  if (options.role === 'edge') {
    const { upstream, feed, orders } = await openEdgeUpstream(options, log);
    const relay = await serve(
      options,
      [],
      (url) => `\n  Tickmesh edge ready: ${url}\n  market data from NATS ${options.natsUrls.join(',')}: ${url.replace('http', 'ws')}/ws (protobuf), /ws/json (legacy JSON)\n  orders and /api: to the OMS node through NATS\n  metrics: ${url}/metrics\n`,
      { upstream },
    );
    registerClusterMetrics(relay.metrics.registry, 'edge', { feed, orders });
    return;
  }
  // An OMS node waits as a standby until it holds the lease, its journal a copy of the stream's.
  const active: ActiveOms | undefined = options.role === 'oms' ? await standbyUntilActive(options, log, (why) => stopOms(log, why)) : undefined;
  let venues;
  try {
    venues = await openVenues(options, process.env, log);
  } catch (err) {
    if (!(err instanceof VenueStartError)) throw err;
    console.error(err.message);
    process.exitCode = 2;
    return;
  }
  const relay = await serve(
    options,
    venues,
    (url) => `\n  Tickmesh relay ready: ${url}\n  venues: ${venues.map((v) => v.id).join(', ')}\n  market data: ${url.replace('http', 'ws')}/ws (protobuf), /ws/json (legacy JSON)\n  metrics: ${url}/metrics\n`,
    active && { replicate: (e) => active.replica.publishOrStop(e, options.omsLeaseMs, (err) => stopOms(log, err.message)), afterStop: () => active.lease.release() },
  );
  if (options.role === 'md') {
    await startMdPublisher(options, relay, log);
    console.log(`  md node: publishing market data to NATS ${options.natsUrls.join(',')}\n`);
  }
  if (active) {
    await startOmsNode(options, relay, log, active);
    console.log(`  oms node: publishing market data and answering orders on NATS ${options.natsUrls.join(',')}\n`);
  }
}

/** Fail-stop of an OMS node that lost its lease or its replica: it must not touch a venue or the journal again; a standby takes over. */
function stopOms(log: Logger, why: string): never {
  log.fatal({ code: 'CLUSTER_OMS_STOPPED' }, why);
  process.exit(5);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
