import { parseCli } from './server/cli';
import { serve } from './server/serve';
import { defaultSimVenues } from './venues/sim/index';

/** `npm start`: the relay with its embedded simulated exchange, serving the PWA. */
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
  await serve(
    options,
    defaultSimVenues({ seed: options.seed, symbols: options.symbols, updatesPerSecond: options.simRate }),
    (url) => `\n  Tickmesh relay ready: ${url}\n  market data: ${url.replace('http', 'ws')}/ws (protobuf), /ws/json (legacy JSON)\n  metrics: ${url}/metrics\n`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
