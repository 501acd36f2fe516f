/**
 * Limits and timings of a MeshNode (DESIGN.md house style 5: every limit an option with a safe
 * default). Defaults are written out on each field.
 */
export interface MeshNodeOptions {
  /**
   * No frame from any mesh neighbour for this long: ask the relay for its direct feed. Time this
   * node's own thread was frozen (maintenance overdue by more than an interval) does not count:
   * the frames are then queued, not missing. Default 1000.
   */
  relayFallbackMs: number;
  /** After this long on the relay's direct feed, rejoin the mesh. Default 5000. */
  rejoinAfterMs: number;
  /** Frames per stream kept to answer neighbours' repairs. Default 256. */
  historyFrames: number;
  /** Seqs per stream the receive window spans beyond the next one to deliver. Default 1024. */
  windowFrames: number;
  /**
   * A frame this many seqs or more below the next one to deliver, or from an older epoch, cannot
   * be a late duplicate of our own traffic: it is a replay (MESH_REPLAY). Default 1024.
   */
  replayWindowFrames: number;
  /**
   * Wait before repairing a seq that only the other stripe's progress shows missing (stripes
   * travel different trees, so they arrive skewed). A seq missing behind a later seq of its own
   * stripe is repaired at once (links are FIFO). Default 2 (measured: 5 raised p99 added latency
   * by ~3 ms in the 200-peer simulation while saving only 0.2% duplicates).
   */
  repairDelayMs: number;
  /** Wait before repairing a seq known only from the relay's heartbeat (the mesh may still bring it). Default 50. */
  tailRepairDelayMs: number;
  /** Re-ask (the next source) when a repair has not arrived after this long. Default 20. */
  repairRetryMs: number;
  /** Repair attempts at mesh neighbours before asking the relay. Default 2. */
  relayRepairAfterAttempts: number;
  /** Most seqs served or asked in one MeshWant. Default 64. */
  maxRepairRange: number;
  /** Larger messages are misbehaviour (MESH_OVERSIZED). Default 65536. */
  maxMessageBytes: number;
  /** Sustained messages per second one neighbour may send (MESH_FLOOD beyond). Default 5000. */
  maxMessagesPerSecond: number;
  /** Burst of messages one neighbour may send at once. Default 2000. */
  burstMessages: number;
  /** Children one node feeds per stream stripe (the coordinator assigns fewer). Default 16. */
  maxChildren: number;
  /** Backpressure: bufferedAmount above which sends to a link are queued. Default 262144. */
  highWaterBytes: number;
  /** Backpressure: bytes queued per link before messages are dropped. Default 1048576. */
  maxQueuedBytes: number;
  /** Latency probe interval per neighbour. Default 1000. */
  pingIntervalMs: number;
  /**
   * Housekeeping interval: stalls, fallback, probes, queue pumping. A run overdue by more than one
   * interval marks a freeze of this node: neighbours are judged at the next run, and the frozen
   * time is taken out of round trips and silences. Default 50.
   */
  maintenanceMs: number;
  /**
   * A parent is stalled when this many frames of the stream arrived since its last frame of its
   * stripe (it re-attaches at half, reports MESH_STALLED at the full count). Default 16.
   */
  stallFrames: number;
  /** Frames of a stripe per delivery-ratio evaluation of its parent. Default 200. */
  deliveryWindowFrames: number;
  /** A parent delivering first fewer than this share of its stripe is replaced (MESH_POOR_DELIVERY). Default 0.7. */
  minDeliveryRatio: number;
  /** A parent with a round trip above this is replaced (MESH_SLOW). Default 200. */
  maxParentRttMs: number;
}

export const DEFAULT_MESH_NODE_OPTIONS: Readonly<MeshNodeOptions> = Object.freeze({
  relayFallbackMs: 1000,
  rejoinAfterMs: 5000,
  historyFrames: 256,
  windowFrames: 1024,
  replayWindowFrames: 1024,
  repairDelayMs: 2,
  tailRepairDelayMs: 50,
  repairRetryMs: 20,
  relayRepairAfterAttempts: 2,
  maxRepairRange: 64,
  maxMessageBytes: 65_536,
  maxMessagesPerSecond: 5000,
  burstMessages: 2000,
  maxChildren: 16,
  highWaterBytes: 256 * 1024,
  maxQueuedBytes: 1024 * 1024,
  pingIntervalMs: 1000,
  maintenanceMs: 50,
  stallFrames: 16,
  deliveryWindowFrames: 200,
  minDeliveryRatio: 0.7,
  maxParentRttMs: 200,
});
