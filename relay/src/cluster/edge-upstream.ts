import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { ExecutionReportMsg } from '@tickmesh/shared';
import type { Logger } from 'pino';
import type { RelayUpstream } from '../server/relay-upstream';
import { forwardApi } from './api-over-nats';
import type { EdgeFeed } from './edge-feed';
import type { EdgeMesh } from './edge-mesh';
import { joinClusterSignalling, type ClusterSignalling } from './cluster-signalling';
import type { EdgeOrders } from './edge-orders';
import { EdgePresence } from './session-presence';
import { ClusterOrderCode } from './order-rpc';
import { ALL_REPORTS_SUBJECT } from './subjects';

/**
 * An edge relay's upstream: market data from the md node through the feed, orders and REST
 * calls to the OMS node, and every account's execution reports from it (the relay hands each
 * to the sessions of its account on this edge).
 */
export interface EdgeUpstream extends RelayUpstream {
  /** NATS status (openEdgeUpstream wires it): after a reconnect every session hears CLUSTER_REPORTS_GAP. */
  onNatsStatus(status: 'disconnect' | 'reconnect'): void;
}

export function edgeUpstream(nc: NatsConnection, feed: EdgeFeed, orders: EdgeOrders, mesh: EdgeMesh, node: string, log: Logger): EdgeUpstream {
  let reports: Subscription | undefined;
  let signalling: ClusterSignalling | undefined;
  const listeners: ((r: ExecutionReportMsg) => void)[] = [];
  const notices: ((code: string, message: string) => void)[] = [];
  let downSince: number | undefined;
  const presence = new EdgePresence(nc);
  return {
    accountSessions: (account, count) => presence.set(account, count),
    onNatsStatus: (status) => {
      if (status === 'disconnect') {
        downSince ??= Date.now();
        return;
      }
      if (downSince === undefined) return;
      const ms = Date.now() - downSince;
      downSince = undefined;
      // Core NATS keeps nothing for a subscriber that was away: say so rather than show a blotter that may be behind.
      const message = `this relay was cut from the cluster for ${ms} ms: execution reports of that time may be missing; reload orders and fills`;
      log.warn({ ms }, 'cluster: reports may have been missed while NATS was away');
      for (const n of notices) n(ClusterOrderCode.CLUSTER_REPORTS_GAP, message);
    },
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
      reports = nc.subscribe(ALL_REPORTS_SUBJECT, {
        callback: (_err, m) => {
          let r: ExecutionReportMsg;
          try {
            r = JSON.parse(new TextDecoder().decode(m.data)) as ExecutionReportMsg;
          } catch (err) {
            log.error({ err, subject: m.subject }, 'cluster: an execution report that is not JSON; dropped');
            return;
          }
          for (const l of listeners) l(r);
        },
      });
      presence.start();
      await feed.start();
    },
    stop: async () => {
      mesh.stop();
      signalling?.stop();
      presence.stop();
      reports?.unsubscribe();
      await feed.stop();
    },
  };
}
