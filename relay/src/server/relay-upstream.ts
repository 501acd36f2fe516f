import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionReportMsg, Instrument } from '@tickmesh/shared';
import type { MarketDataSource } from '../md/market-data-source';
import type { MeshPort } from '../md/mesh-link';
import type { Signalling } from './signalling/index';
import type { OrderEntry } from '../session/order-requests';

/**
 * Where a relay's sessions get market data and send orders when neither lives in this process
 * (an `edge`: relay/src/cluster/). Without one, the relay serves its own MarketDataService over
 * its venues, its OMS and its market-data mesh.
 */
export interface RelayUpstream {
  readonly md: MarketDataSource;
  readonly orders: OrderEntry;
  /** The cluster's market-data mesh as this relay's sessions reach it; none: mesh messages are refused. */
  readonly mesh?: MeshPort;
  /** Part of /readyz: the upstream is reachable and has its instruments. */
  readonly ready: boolean;
  /** Every execution report of every account, wherever its order was placed: the relay gives each to its account's sessions. */
  onReport(listener: (report: ExecutionReportMsg) => void): void;
  /**
   * Notices for every session (an edge cut from the OMS for a while: reports of that time may be
   * missing, CLUSTER_REPORTS_GAP), sent as an Error with request id 0.
   */
  onNotice(listener: (code: string, message: string) => void): void;
  /** md's instrument list changed (md restarted with other venues or symbols): the relay tells every session. */
  onInstruments(listener: (list: Instrument[]) => void): void;
  /** The account now holds `count` sessions on this relay (cancel-on-disconnect across a cluster). */
  accountSessions(account: string, count: number): void;
  /** Answers one `/api/` request (not `/api/auth/`, which each node answers itself). */
  api(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Starts it; `signalling` is the relay's own /peerjs server (joined to the cluster's). */
  start(host: { signalling: Signalling }): Promise<void>;
  stop(): Promise<void>;
}
