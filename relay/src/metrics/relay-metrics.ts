import type { MeshEgressStats } from '@tickmesh/shared';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { runningTotalCounter, type Labels } from './running-total-counter';

export type Protocol = 'proto' | 'json';

/**
 * Frames and bytes sent on one protocol, as plain numbers: the send path runs up to a million
 * times a second, so it bumps these and Prometheus reads them at scrape time.
 */
export class TrafficCounter {
  frames = 0;
  bytes = 0;
  add(bytes: number): void {
    this.frames++;
    this.bytes += bytes;
  }
}

/** What the mesh metrics read at scrape time (the relay's MeshCoordinator). */
export interface MeshMetricsSource {
  readonly egress: MeshEgressStats;
  readonly peerCount: number;
}

/**
 * Every Prometheus metric of one relay, in its own registry (several relays can live in one
 * process, as in tests). Hot paths add per flush or per message in bulk, never per level.
 */
export class RelayMetrics {
  readonly registry = new Registry();
  readonly connections: Gauge<'protocol'>;
  readonly connectionsTotal: Counter<'protocol'>;
  readonly framesSent: Counter<'protocol'>;
  readonly bytesSent: Counter<'protocol'>;
  readonly framesReceived: Counter<'protocol'>;
  readonly clientErrors: Counter<'protocol' | 'code'>;
  readonly closes: Counter<'protocol' | 'code'>;
  readonly conflations: Counter<'protocol'>;
  readonly sendQueueBytes: Histogram<'protocol'>;
  readonly mdBatches: Counter;
  readonly mdBatchAge: Histogram;
  readonly mdFlushDuration: Histogram;
  readonly subscriptions: Gauge;
  readonly traffic: Record<Protocol, TrafficCounter> = { proto: new TrafficCounter(), json: new TrafficCounter() };
  /**
   * Market-data batches written straight to sessions (snapshots excluded: the mesh never carries
   * them), so direct egress can be set against the mesh's seed and repair egress below.
   */
  readonly mdDirect: Record<Protocol, TrafficCounter> = { proto: new TrafficCounter(), json: new TrafficCounter() };
  readonly mdDirectFrames: Counter<'protocol'>;
  readonly mdDirectBytes: Counter<'protocol'>;
  /** Batches signed for the mesh. */
  readonly mdSigned: Counter;
  /** Batches not handed to the mesh: signing failed or too many were waiting for a signature. */
  readonly mdSignDropped: Counter<'reason'>;
  readonly mdSignLatency: Histogram;
  readonly meshFramesSent: Counter<'kind'>;
  readonly meshFrameBytesSent: Counter;
  readonly meshControlMessagesSent: Counter;
  readonly meshControlBytesSent: Counter;
  readonly meshPeers: Gauge;
  private meshSource: MeshMetricsSource | undefined;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'tickmesh_' });
    this.connections = new Gauge({ name: 'tickmesh_ws_connections', help: 'Open WebSocket connections', labelNames: ['protocol'], registers });
    this.connectionsTotal = new Counter({ name: 'tickmesh_ws_connections_total', help: 'WebSocket connections accepted', labelNames: ['protocol'], registers });
    this.framesSent = trafficCounter('tickmesh_ws_frames_sent_total', 'Frames sent to clients', this.traffic, 'frames', registers);
    this.bytesSent = trafficCounter('tickmesh_ws_bytes_sent_total', 'Payload bytes sent to clients (before compression)', this.traffic, 'bytes', registers);
    this.framesReceived = new Counter({ name: 'tickmesh_ws_frames_received_total', help: 'Frames received from clients', labelNames: ['protocol'], registers });
    this.clientErrors = new Counter({ name: 'tickmesh_ws_client_errors_total', help: 'Client requests refused, by stable code', labelNames: ['protocol', 'code'], registers });
    this.closes = new Counter({ name: 'tickmesh_ws_closes_total', help: 'Connections closed, by close code', labelNames: ['protocol', 'code'], registers });
    this.conflations = new Counter({ name: 'tickmesh_ws_conflations_total', help: 'Times a slow connection had its book streams conflated to a snapshot', labelNames: ['protocol'], registers });
    this.sendQueueBytes = new Histogram({
      name: 'tickmesh_ws_send_queue_bytes',
      help: 'Send-queue depth of a connection, sampled at each heartbeat',
      labelNames: ['protocol'],
      buckets: [0, 1024, 16384, 65536, 262144, 1048576, 4194304],
      registers,
    });
    this.mdBatches = new Counter({ name: 'tickmesh_md_batches_total', help: 'Market-data batches published (one per stream per flush with changes)', registers });
    this.mdBatchAge = new Histogram({
      name: 'tickmesh_md_batch_age_seconds',
      help: 'Time from the first venue update of a batch to its publication',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
      registers,
    });
    this.mdFlushDuration = new Histogram({
      name: 'tickmesh_md_flush_duration_seconds',
      help: 'Time to encode and hand one flush to every subscriber',
      buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05],
      registers,
    });
    this.subscriptions = new Gauge({ name: 'tickmesh_md_subscriptions', help: 'Stream subscriptions held by all connections', registers });
    this.mdDirectFrames = trafficCounter('tickmesh_md_direct_frames_total', 'Market-data batch frames sent directly to sessions (not via the mesh)', this.mdDirect, 'frames', registers);
    this.mdDirectBytes = trafficCounter('tickmesh_md_direct_bytes_total', 'Payload bytes of market-data batches sent directly to sessions', this.mdDirect, 'bytes', registers);
    this.mdSigned = new Counter({ name: 'tickmesh_md_signed_frames_total', help: 'Market-data batches signed for the mesh (one signature per batch)', registers });
    this.mdSignDropped = new Counter({
      name: 'tickmesh_md_sign_dropped_total', help: 'Batches not published to the mesh, by reason (backlog, error)', labelNames: ['reason'], registers,
    });
    this.mdSignLatency = new Histogram({
      name: 'tickmesh_md_sign_latency_seconds',
      help: 'Time from a batch being encoded to its signed frame reaching the mesh coordinator',
      buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05],
      registers,
    });
    // The coordinator counts in plain numbers (shared code, no prom-client); read them at scrape time.
    const source = (): MeshMetricsSource | undefined => this.meshSource;
    this.meshFramesSent = runningTotalCounter('tickmesh_mesh_frames_sent_total', 'Signed frames the relay sent to mesh peers, by kind (seed feed, fallback, repair)', ['kind'], registers, function* () {
      const e = source()?.egress;
      if (e) yield* [[{ kind: 'seed' }, e.seedFrames], [{ kind: 'fallback' }, e.fallbackFrames], [{ kind: 'repair' }, e.repairFrames]] as Array<[Labels, number]>;
    });
    this.meshFrameBytesSent = egressCounter('tickmesh_mesh_frame_bytes_sent_total', 'Bytes of signed frames sent to mesh peers (seed, fallback, repair)', source, 'frameBytes', registers);
    this.meshControlMessagesSent = egressCounter('tickmesh_mesh_control_messages_sent_total', 'Mesh control messages sent to peers (assign, have, missing, goodbye)', source, 'controlMessages', registers);
    this.meshControlBytesSent = egressCounter('tickmesh_mesh_control_bytes_sent_total', 'Bytes of mesh control messages sent to peers', source, 'controlBytes', registers);
    this.meshPeers = new Gauge({
      name: 'tickmesh_mesh_peers', help: 'Peers registered with the mesh coordinator', registers,
      collect() {
        this.set(source()?.peerCount ?? 0);
      },
    });
  }

  /** Points the mesh metrics at the relay's coordinator (set once the relay has one). */
  attachMesh(source: MeshMetricsSource): void {
    this.meshSource = source;
  }
}

/** A Prometheus counter that reads one MeshEgressStats field at scrape time. */
function egressCounter(
  name: string,
  help: string,
  source: () => MeshMetricsSource | undefined,
  field: Exclude<keyof MeshEgressStats, 'seedFrames' | 'fallbackFrames' | 'repairFrames'>,
  registers: Registry[],
): Counter {
  return runningTotalCounter(name, help, [], registers, function* () {
    const e = source()?.egress;
    if (e) yield [{}, e[field]];
  });
}

/** A Prometheus counter that reads a TrafficCounter field at scrape time. */
function trafficCounter(
  name: string,
  help: string,
  traffic: Record<Protocol, TrafficCounter>,
  field: 'frames' | 'bytes',
  registers: Registry[],
): Counter<'protocol'> {
  return runningTotalCounter(name, help, ['protocol'], registers, function* () {
    for (const p of ['proto', 'json'] as const) yield [{ protocol: p }, traffic[p][field]];
  });
}
