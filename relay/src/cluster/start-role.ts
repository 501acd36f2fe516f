import type { Logger } from 'pino';
import type { Relay } from '../server/relay-server';
import type { RelayOptions } from '../server/options';
import type { RelayUpstream } from '../server/relay-upstream';
import { registerClusterMetrics } from './cluster-metrics';
import { EdgeFeed, type EdgeFeedOptions } from './edge-feed';
import { EdgeOrders, type EdgeOrdersOptions } from './edge-orders';
import { EdgeMesh } from './edge-mesh';
import { startMeshHub } from './cluster-signalling';
import type { MeshHub } from './mesh-hub';
import type { EdgeReports } from './edge-reports';
import { edgeUpstream, type EdgeUpstream } from './edge-upstream';
import { MdPublisher } from './md-publisher';
import { natsAuthOf, openNatsConnection } from './nats-connection';
import { OmsService } from './oms-service';
import { OmsPresence } from './session-presence';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { nuid, type NatsConnection } from '@nats-io/transport-node';
import { clientIdPrefixFor } from '../venues/live/client-id-prefix';
import { lockDataDir } from '../server/data-dir-lock';
import { JournalReplica } from './journal-replica';
import { OmsLease } from './oms-lease';
import { OmsShared } from './oms-shared';
import { becomeActiveOms, type TakeoverSummary } from './oms-standby';

/**
 * `--role edge`: connects to NATS (waiting for it if it is not up yet) and gives the relay its
 * upstream: the md node's streams, the OMS node's orders, REST and reports. Once the relay
 * exists, give its registry, the feed and the orders to registerClusterMetrics.
 */
export async function openEdgeUpstream(
  options: RelayOptions,
  log: Logger,
  feedOptions: Partial<EdgeFeedOptions> = {},
  ordersOptions: Partial<EdgeOrdersOptions> = {},
): Promise<{ upstream: RelayUpstream; feed: EdgeFeed; orders: EdgeOrders; mesh: EdgeMesh; reports: EdgeReports }> {
  let feed: EdgeFeed | undefined;
  let orders: EdgeOrders | undefined;
  let upstream: EdgeUpstream | undefined;
  let mesh: EdgeMesh | undefined;
  const nc = await openNatsConnection({ servers: options.natsUrls, name: 'tickmesh-edge', auth: natsAuthOf(options) }, log, (s) => {
    feed?.onNatsStatus(s);
    orders?.onNatsStatus(s);
    upstream?.onNatsStatus(s);
    mesh?.onNatsStatus(s);
  });
  const node = nuid.next();
  feed = new EdgeFeed(nc, log, feedOptions);
  orders = new EdgeOrders(nc, ordersOptions);
  mesh = new EdgeMesh(nc, node, log, options.queueLimitBytes);
  upstream = edgeUpstream(nc, feed, orders, mesh, node, log);
  return { upstream, feed, orders, mesh, reports: upstream.reports };
}

/** `--role md`: publishes the started relay's market data to NATS and answers the edges' requests. */
export async function startMdPublisher(options: RelayOptions, relay: Relay, log: Logger): Promise<MdPublisher> {
  let natsUp = true;
  const nc = await openNatsConnection({ servers: options.natsUrls, name: 'tickmesh-md', auth: natsAuthOf(options) }, log, (s) => (natsUp = s === 'reconnect'));
  relay.addReadinessCheck(() => natsUp);
  const publisher = new MdPublisher(nc, relay.md, log);
  publisher.start();
  const mesh = startMeshHub(nc, nuid.next(), relay, log);
  publisher.onClose(() => mesh.stop());
  registerClusterMetrics(relay.metrics.registry, 'md', { publisher, hub: mesh.hub });
  return publisher;
}

/** An OMS node that holds the lease, its journal equal to the stream. */
export interface ActiveOms {
  nc: NatsConnection;
  /** False while the connection is down (reconnecting): part of /readyz. */
  natsUp: () => boolean;
  replica: JournalReplica;
  lease: OmsLease;
  summary: TakeoverSummary;
}

/**
 * `--role oms`, before the relay starts: waits as a standby (its journal following the stream)
 * until this node holds the OMS lease, then adopts the cluster's venue client-order-id prefix.
 * From the moment it holds the lease it keeps it; `onLeaseLost` if it cannot (the node must stop).
 * Start the relay with `replicate: (e) => active.replica.publish(e)`, then startOmsNode.
 */
export async function standbyUntilActive(options: RelayOptions, log: Logger, onLeaseLost: (why: string) => void): Promise<ActiveOms> {
  const link = { up: true };
  const nc = await openNatsConnection({ servers: options.natsUrls, name: 'tickmesh-oms', auth: natsAuthOf(options) }, log, (s) => (link.up = s === 'reconnect'));
  const replica = await JournalReplica.open(nc);
  const lease = await OmsLease.open(nc, { node: `${hostname()}:${process.pid}` }, options.omsLeaseMs);
  const shared = await OmsShared.open(nc);
  // The standby writes the journal: it holds the data directory as the relay will.
  const lock = await lockDataDir(options.dataDir, { onCompromised: (err) => onLeaseLost(`data directory lock lost: ${err.message}`) });
  if (!lock.ok) throw new Error(`${lock.reason.code}: ${lock.reason.message}`);
  let summary: TakeoverSummary;
  try {
    summary = await becomeActiveOms(options.dataDir, replica, lease, shared, log, onLeaseLost);
  } finally {
    await lock.value();
  }
  const prefix = await shared.clientIdPrefix(() => clientIdPrefixFor(options.dataDir));
  await writeFile(join(options.dataDir, 'venue-client-prefix'), `${prefix}\n`, { mode: 0o600 });
  return { nc, natsUp: () => link.up, replica, lease, summary };
}

/**
 * `--role oms`, once the relay serves: it publishes its market data as an md node does (the
 * embedded simulator is an exchange inside this process, so the node that trades it also
 * publishes it) and answers the edges' orders and REST calls. `active`: the node's connection
 * (standbyUntilActive's); without one it opens its own. /readyz then includes NATS.
 */
export async function startOmsNode(options: RelayOptions, relay: Relay, log: Logger, active?: Pick<ActiveOms, 'nc' | 'natsUp'>): Promise<{ publisher: MdPublisher | undefined; service: OmsService; presence: OmsPresence }> {
  let natsUp = true;
  const conn = active?.nc ?? (await openNatsConnection({ servers: options.natsUrls, name: 'tickmesh-oms', auth: natsAuthOf(options) }, log, (s) => (natsUp = s === 'reconnect')));
  relay.addReadinessCheck(active?.natsUp ?? (() => natsUp));
  // With an md node publishing the same venues, this node keeps its books for risk and routing only.
  let publisher: MdPublisher | undefined;
  let hub: MeshHub | undefined;
  if (options.omsPublishesMd) {
    publisher = new MdPublisher(conn, relay.md, log);
    publisher.start();
    const mesh = startMeshHub(conn, nuid.next(), relay, log);
    publisher.onClose(() => mesh.stop());
    hub = mesh.hub;
  }
  const service = new OmsService(conn, relay.trading.oms, relay.api, log, options.accountMessagesPerSecond);
  service.start();
  // Cancel-on-disconnect across the cluster: the account's last session anywhere closed.
  const presence = new OmsPresence(conn, (account) => {
    if (relay.localSessions(account) > 0 || !relay.auth.account(account)?.cancelOnDisconnect) return;
    void relay.trading.oms.cancelAccountOnDisconnect(account).then((n) => n > 0 && log.info({ account, canceled: n }, 'cancel-on-disconnect: the account has no session left on any edge'));
  });
  presence.start();
  relay.setSessionsElsewhere((account) => presence.sessions(account));
  registerClusterMetrics(relay.metrics.registry, 'oms', { publisher, service, hub });
  return { publisher, service, presence };
}
