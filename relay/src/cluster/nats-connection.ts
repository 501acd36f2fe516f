import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { Logger } from 'pino';

/** How a node connects to NATS; defaults written out on each field. */
export interface NatsConnectionOptions {
  /** Servers (nats://host:4222 ...; user:password@ in the URL is NATS's own user/password auth). */
  servers: string[];
  /** Credentials and TLS by NATS's own means (RelayOptions' nats* fields). */
  auth?: NatsAuth;
  /** Client name shown by the server (`tickmesh-md`, `tickmesh-edge`). */
  name: string;
  /** Wait between reconnect attempts. Default 250 ms: an edge's books are stale meanwhile. */
  reconnectTimeWaitMs?: number;
  /** Server ping interval: a dead server is noticed within about twice this. Default 5000 ms. */
  pingIntervalMs?: number;
}

/** How a node proves itself to NATS and checks the server, each optional (relay/src/cluster/README.md). */
export interface NatsAuth {
  /** A token (the server's `authorization { token }`). */
  token?: string;
  /** A .creds file (a user JWT and its nkey seed, from `nsc`): decentralised auth. */
  credsFile?: string;
  /** CA to trust for tls:// servers (a private CA); the system's otherwise. */
  caFile?: string;
  /** Client certificate and key, for a server that verifies clients (mutual TLS). */
  certFile?: string;
  keyFile?: string;
}

/** The NatsAuth of the relay's options (`--nats-token`, `--nats-creds`, `--nats-ca`, `--nats-cert`, `--nats-key`). */
export function natsAuthOf(o: { natsToken: string; natsCreds: string; natsCa: string; natsCert: string; natsKey: string }): NatsAuth {
  return { token: o.natsToken || undefined, credsFile: o.natsCreds || undefined, caFile: o.natsCa || undefined, certFile: o.natsCert || undefined, keyFile: o.natsKey || undefined };
}

/** The connect options for `auth`: a creds file is read now, so a missing one stops the start with its path. */
function authOptions(auth: NatsAuth = {}): Partial<NodeConnectionOptions> {
  const o: Partial<NodeConnectionOptions> = {};
  if (auth.token) o.token = auth.token;
  if (auth.credsFile) o.authenticator = credsAuthenticator(readFileSync(auth.credsFile));
  if (auth.caFile || auth.certFile || auth.keyFile) o.tls = { caFile: auth.caFile, certFile: auth.certFile, keyFile: auth.keyFile };
  return o;
}

/**
 * Opens the node's one NATS connection: it reconnects forever (a cluster node outlives a NATS
 * restart) and waits for the first server if none is up yet; every status change is logged.
 * `onStatus` hears 'disconnect' and 'reconnect' (an edge marks its books stale, then resyncs).
 */
export async function openNatsConnection(
  options: NatsConnectionOptions,
  log: Logger,
  onStatus: (status: 'disconnect' | 'reconnect') => void = () => {},
): Promise<NatsConnection> {
  const nc = await connect({
    ...authOptions(options.auth),
    servers: options.servers,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? 250,
    reconnectJitter: 50,
    pingInterval: options.pingIntervalMs ?? 5000,
    maxPingOut: 2,
    waitOnFirstConnect: true,
  });
  log.info({ server: nc.getServer(), name: options.name }, 'nats connected');
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') {
        log.warn({ nats: s.type, server: s.server }, `nats ${s.type}`);
        onStatus(s.type);
      }
    }
  })();
  return nc;
}
