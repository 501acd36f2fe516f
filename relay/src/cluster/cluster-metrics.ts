import { Counter, Gauge, type Registry } from 'prom-client';
import type { RelayRole } from '../server/options';
import type { EdgeFeed } from './edge-feed';
import type { EdgeOrders } from './edge-orders';
import type { MdPublisher } from './md-publisher';
import type { MeshHub } from './mesh-hub';
import type { OmsService } from './oms-service';

/** A counter whose value is a running total kept elsewhere (plain numbers on the hot path), read at scrape time. */
function totalOf(registry: Registry, name: string, help: string, read: () => number): void {
  registry.removeSingleMetric(name);
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/**
 * The cluster's part of a node's /metrics: its role, and what its md publisher or edge feed
 * counted. Read at scrape time from their stats; nothing on the market-data path touches prom-client.
 */
export function registerClusterMetrics(registry: Registry, role: RelayRole, parts: { publisher?: MdPublisher; feed?: EdgeFeed; orders?: EdgeOrders; service?: OmsService; hub?: MeshHub }): void {
  // Registering again (a new publisher on the same relay) reads the new parts.
  registry.removeSingleMetric('tickmesh_cluster_role');
  new Gauge({ name: 'tickmesh_cluster_role', help: 'This node\'s --role (1 for its role)', labelNames: ['role'], registers: [registry] }).set({ role }, 1);
  const { publisher, feed, orders, service, hub } = parts;
  if (publisher) {
    totalOf(registry, 'tickmesh_cluster_md_published_frames_total', 'Market-data frames the md node published to NATS (each batch once, for every edge)', () => publisher.stats.frames);
    totalOf(registry, 'tickmesh_cluster_md_published_bytes_total', "Bytes of those frames: the md node's market-data egress to NATS", () => publisher.stats.bytes);
    totalOf(registry, 'tickmesh_cluster_md_snapshot_requests_total', 'Snapshot requests from edges answered', () => publisher.stats.snapshotRequests);
  }
  if (hub) {
    totalOf(registry, 'tickmesh_cluster_mesh_up_total', "Mesh messages from the edges' sessions to this node's coordinator", () => hub.upMessages);
    totalOf(registry, 'tickmesh_cluster_mesh_down_total', "Mesh messages (signed frames, control) sent to the edges' sessions", () => hub.downMessages);
    totalOf(registry, 'tickmesh_cluster_mesh_held_back_total', 'Signed frames not sent to an edge because its session was over its queue limit', () => hub.framesHeldBack);
  }
  if (feed) {
    totalOf(registry, 'tickmesh_cluster_edge_batches_total', 'Batches from md forwarded by this edge (each once, however many subscribers)', () => feed.stats.batches);
    totalOf(registry, 'tickmesh_cluster_edge_resyncs_total', 'Streams that lost sync with md (gap, epoch, checksum, NATS or md gone)', () => feed.stats.resyncs);
    totalOf(registry, 'tickmesh_cluster_edge_snapshots_fetched_total', 'Snapshots fetched from md by request/reply', () => feed.stats.snapshotsFetched);
    totalOf(registry, 'tickmesh_cluster_edge_stale_markers_total', 'Subscribers told their book is stale (NATS or md gone)', () => feed.stats.staleMarkers);
  }
  if (orders) {
    totalOf(registry, 'tickmesh_cluster_edge_order_requests_total', 'Order requests this edge sent to the OMS', () => orders.stats.requests);
    totalOf(registry, 'tickmesh_cluster_edge_order_retries_total', 'Order request attempts after the first (same key: the OMS answers it once)', () => orders.stats.retries);
    totalOf(registry, 'tickmesh_cluster_edge_order_unanswered_total', 'Order requests refused for want of an OMS answer (OMS_TIMEOUT, OMS_UNAVAILABLE, CLUSTER_NATS_DOWN)', () => orders.stats.unanswered);
  }
  if (service) {
    totalOf(registry, 'tickmesh_cluster_oms_requests_total', 'Order requests from edges taken to the OMS', () => service.stats.requests);
    totalOf(registry, 'tickmesh_cluster_oms_duplicate_requests_total', 'Retried order requests answered with their first answer (not taken twice)', () => service.stats.duplicates);
    totalOf(registry, 'tickmesh_cluster_oms_rate_limited_requests_total', 'Order requests refused because the account spent its budget across every edge', () => service.stats.rateLimited);
    totalOf(registry, 'tickmesh_cluster_oms_expired_requests_total', 'Order requests that came after their deadline and were dropped unexecuted', () => service.stats.expired);
    totalOf(registry, 'tickmesh_cluster_oms_reports_total', 'Execution reports published to the edges', () => service.stats.reports);
    totalOf(registry, 'tickmesh_cluster_oms_api_calls_total', 'REST calls answered for edges', () => service.stats.apiCalls);
  }
}
