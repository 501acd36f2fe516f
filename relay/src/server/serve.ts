import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { AuthService } from './auth/index';
import { lockDataDir } from './data-dir-lock';
import type { RelayOptions } from './options';
import { Relay, type RelayDeps } from './relay-server';
import { plainHttpWarning, TlsStartError } from './tls/index';
import type { VenueAdapter } from '../venues/venue-adapter';

/** What a cluster node adds to serve(). */
export interface ServeCluster {
  upstream?: RelayDeps['upstream'];
  replicate?: RelayDeps['replicate'];
  /** Runs after the relay stopped, before the process exits (an OMS node gives up its lease). */
  afterStop?: () => Promise<void>;
}

/**
 * Runs a relay as a command (`npm start`, `npm run replay`): opens the data directory, starts
 * the relay over `venues`, prints where it is and the one-time login URL, and stops cleanly on
 * SIGINT/SIGTERM (forced exit after 5 s). With TLS, SIGHUP re-reads the certificate and key
 * (as nginx and HAProxy do) without dropping a session.
 * @param describe the lines to print above the login URL, given the relay's base URL.
 * @param cluster what a cluster node adds (relay/src/cluster/): an edge's upstream, an OMS node's
 *   journal replica, and what it must do after the relay stopped and before the process exits.
 */
export async function serve(options: RelayOptions, venues: VenueAdapter[], describe: (url: string) => string, cluster: ServeCluster = {}): Promise<Relay> {
  // The bundles live in relay/dist/; the built PWA in web/dist/.
  if (!options.webRoot) options.webRoot = join(dirname(fileURLToPath(import.meta.url)), '../../web/dist');
  const log = pino({ level: options.logLevel });
  const lock = await lockDataDir(options.dataDir, {
    onCompromised: (err) => {
      // Another process may be writing the journal now: stop at once rather than write beside it.
      log.fatal({ err }, 'data directory lock lost');
      process.exit(4);
    },
  });
  if (!lock.ok) {
    console.error(`${lock.reason.code}: ${lock.reason.message}`);
    process.exit(3);
  }
  const unlock = lock.value;
  const { auth, firstRun, loginCode, credentialsFile } = await AuthService.open(options.authDir || options.dataDir, { tokenTtlSec: options.tokenTtlSec });
  const relay = new Relay(options, { venues, auth, logger: log, upstream: cluster.upstream, replicate: cluster.replicate });
  let started: string;
  try {
    started = await relay.start();
  } catch (err) {
    if (!(err instanceof TlsStartError)) throw err;
    console.error(err.message);
    await unlock();
    process.exit(2);
  }
  const url = started.replace('127.0.0.1', 'localhost');
  const insecure = plainHttpWarning(options.host, relay.tlsCertificate !== undefined, options.trustProxy);
  if (insecure) {
    // Printed for the operator at the terminal, and logged once for shipped logs.
    console.warn(`\n${insecure}\n`);
    log.warn({ code: 'RELAY_PLAIN_HTTP_OFF_LOOPBACK', host: options.host }, 'plain HTTP beyond loopback: browsers elsewhere get no service worker, crypto.subtle or persistent storage');
  }
  if (firstRun) log.warn({ credentialsFile }, 'first run: API keys for the demo trader and the admin are in credentials.txt; store them and delete the file');
  // Printed, not logged: the one-time code must not end up in shipped logs.
  const login = loginCode ? `\n  Open ${url}/?login=${loginCode}\n  (one-time login for the demo trader, valid ${Math.round(auth.options.loginCodeTtlSec / 60)} min)\n` : '';
  console.log(`${describe(url)}${login}`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), 5000).unref();
    relay.stop().then(
      () => (cluster.afterStop?.() ?? Promise.resolve()).catch((err) => log.error({ err }, 'cluster: stop failed')).then(() => unlock()).finally(() => process.exit(0)),
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // Only with TLS: without it SIGHUP keeps its default meaning (the terminal went away: exit).
  // The outcome is logged by the reload itself; a bad pair keeps the old one serving.
  if (relay.tlsCertificate) process.on('SIGHUP', () => void relay.reloadTls('signal'));
  return relay;
}
