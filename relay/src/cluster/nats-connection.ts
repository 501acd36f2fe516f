import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

/** How a node connects to NATS; defaults written out on each field. */
export interface NatsConnectionOptions {
  /** Servers (nats://host:4222 ...); credentials by NATS's own means in the URL for now. */
  servers: string[];
  /** Client name shown by the server (`tickmesh-md`, `tickmesh-edge`). */
  name: string;
  /** Wait between reconnect attempts. Default 250 ms: an edge's books are stale meanwhile. */
  reconnectTimeWaitMs?: number;
  /** Server ping interval: a dead server is noticed within about twice this. Default 5000 ms. */
  pingIntervalMs?: number;
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
