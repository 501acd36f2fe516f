import { pino } from 'pino';
import { openEdgeUpstream, registerClusterMetrics, startMdPublisher } from './cluster/index';
import { parseCli } from './server/cli';
import { serve } from './server/serve';
import { VenueStartError } from './venues/live/live-venue-config';
import { openVenues } from './venues/open-venues';

/**
 * `npm start`: the relay with its embedded simulated exchange (or the `--venues` given), serving
 * the PWA. With `--role md` it also publishes market data to NATS; `--role edge` runs no venues
 * and serves the md node's market data (relay/src/cluster/README.md).
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
    const { upstream, feed } = await openEdgeUpstream(options, log);
    const relay = await serve(
      options,
      [],
      (url) => `\n  Tickmesh edge ready: ${url}\n  market data from NATS ${options.natsUrls.join(',')}: ${url.replace('http', 'ws')}/ws (protobuf), /ws/json (legacy JSON)\n  orders: not on an edge yet (OMS_NOT_ON_EDGE)\n  metrics: ${url}/metrics\n`,
      upstream,
    );
    registerClusterMetrics(relay.metrics.registry, 'edge', { feed });
    return;
  }
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
  );
  if (options.role === 'md') {
    await startMdPublisher(options, relay, log);
    console.log(`  md node: publishing market data to NATS ${options.natsUrls.join(',')}\n`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
