import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { parseCli } from './server/cli';
import { AuthService } from './server/auth/index';
import { Relay } from './server/relay-server';
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
  // The bundle lives in relay/dist/; the built PWA in web/dist/.
  if (!options.webRoot) options.webRoot = join(dirname(fileURLToPath(import.meta.url)), '../../web/dist');
  const log = pino({ level: options.logLevel });
  const { auth, firstRun, loginCode, credentialsFile } = await AuthService.open(options.dataDir, { tokenTtlSec: options.tokenTtlSec });
  const relay = new Relay(options, {
    venues: defaultSimVenues({ seed: options.seed, symbols: options.symbols, updatesPerSecond: options.simRate }),
    auth,
    logger: log,
  });
  const url = await relay.start();
  const shown = url.replace('127.0.0.1', 'localhost');
  if (firstRun) log.warn({ credentialsFile }, 'first run: API keys for the demo trader and the admin are in credentials.txt; store them and delete the file');
  // Printed, not logged: the one-time code must not end up in shipped logs.
  const login = loginCode ? `\n  Open ${shown}/?login=${loginCode}\n  (one-time login for the demo trader, valid ${Math.round(auth.options.loginCodeTtlSec / 60)} min)\n` : '';
  console.log(`\n  Tickmesh relay ready: ${shown}\n  market data: ${shown.replace('http', 'ws')}/ws (protobuf), /ws/json (legacy JSON)\n  metrics: ${shown}/metrics\n${login}`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    relay.stop().then(() => process.exit(0), (err) => {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
