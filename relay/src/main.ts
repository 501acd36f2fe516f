import { pino } from 'pino';
import { parseCli } from './server/cli';
import { serve } from './server/serve';
import { VenueStartError } from './venues/live/live-venue-config';
import { openVenues } from './venues/open-venues';

/** `npm start`: the relay with its embedded simulated exchange (or the `--venues` given), serving the PWA. */
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
  let venues;
  try {
    venues = await openVenues(options, process.env, pino({ level: options.logLevel }));
  } catch (err) {
    if (!(err instanceof VenueStartError)) throw err;
    console.error(err.message);
    process.exitCode = 2;
    return;
  }
  await serve(
    options,
    venues,
    (url) => `\n  Tickmesh relay ready: ${url}\n  venues: ${venues.map((v) => v.id).join(', ')}\n  market data: ${url.replace('http', 'ws')}/ws (protobuf), /ws/json (legacy JSON)\n  metrics: ${url}/metrics\n`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
