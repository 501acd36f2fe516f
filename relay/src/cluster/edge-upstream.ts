import type { NatsConnection } from '@nats-io/transport-node';
import type { ExecutionReportMsg } from '@tickmesh/shared';
import type { Logger } from 'pino';
import type { RelayUpstream } from '../server/relay-upstream';
import { forwardApi } from './api-over-nats';
import type { EdgeFeed } from './edge-feed';
import type { EdgeMesh } from './edge-mesh';
import { joinClusterSignalling, type ClusterSignalling } from './cluster-signalling';
import type { EdgeOrders } from './edge-orders';
import { EdgeReports } from './edge-reports';
import { EdgePresence } from './session-presence';

/**
 * An edge relay's upstream: market data from the md node through the feed, orders and REST
 * calls to the OMS node, and every account's execution reports from it (the relay hands each
 * to the sessions of its account on this edge).
 */
export interface EdgeUpstream extends RelayUpstream {
  /** NATS status (openEdgeUpstream wires it): after a reconnect the outage's reports are replayed (edge-reports.ts). */
  onNatsStatus(status: 'disconnect' | 'reconnect'): void;
  readonly reports: EdgeReports;
}

export function edgeUpstream(nc: NatsConnection, feed: EdgeFeed, orders: EdgeOrders, mesh: EdgeMesh, node: string, log: Logger): EdgeUpstream {
  let signalling: ClusterSignalling | undefined;
  const listeners: ((r: ExecutionReportMsg) => void)[] = [];
  const notices: ((code: string, message: string) => void)[] = [];
  const reports = new EdgeReports(nc, log, (r) => {
    for (const l of listeners) l(r);
  }, (code, message) => {
    for (const n of notices) n(code, message);
  });
  const presence = new EdgePresence(nc);
  return {
    reports,
    accountSessions: (account, count) => presence.set(account, count),
    onNatsStatus: (status) => reports.onNatsStatus(status),
    onNotice: (listener) => void notices.push(listener),
    onInstruments: (listener) => feed.onInstruments(listener),
    md: feed,
    orders,
    mesh,
    get ready() {
      return feed.ready;
    },
    onReport: (listener) => void listeners.push(listener),
    api: (req, res) => forwardApi(nc, req, res),
    start: async (host) => {
      signalling = joinClusterSignalling(nc, node, host.signalling, log);
      mesh.start(signalling.directory);
      reports.start();
      presence.start();
      await feed.start();
    },
    stop: async () => {
      mesh.stop();
      signalling?.stop();
      presence.stop();
      reports.stop();
      await feed.stop();
    },
  };
}
