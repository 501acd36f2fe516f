/** Topology and limits of a MeshCoordinator; defaults written out on each field. */
export interface MeshCoordinatorOptions {
  /** Stripes per stream: each travels its own tree, so every peer has this many upstreams. Default 2. */
  stripes: number;
  /** Seeds the relay feeds per stripe: max(1, min(maxSeedsPerStripe, floor(peers / peersPerSeed))). Default 50. */
  peersPerSeed: number;
  /** Default 4. */
  maxSeedsPerStripe: number;
  /** Children one peer feeds in one stripe tree. Default 6. */
  maxChildrenPerTree: number;
  /** Child links one peer feeds over all trees (its upload budget, in half-streams at 2 stripes). Default 16. */
  maxChildrenTotal: number;
  /** Frames per stream kept for peers' repairs. Default 4096. */
  historyFrames: number;
  /** Interval of the per-stream MeshHave heartbeat to every member. Default 500. */
  haveIntervalMs: number;
  /** Distinct peers reporting misbehaviour before the accused is evicted. Default 2. */
  evictAfterReports: number;
  /** Largest repair range served per MeshWant. Default 64. */
  maxRepairRange: number;
}

export const DEFAULT_MESH_COORDINATOR_OPTIONS: Readonly<MeshCoordinatorOptions> = Object.freeze({
  stripes: 2,
  peersPerSeed: 50,
  maxSeedsPerStripe: 4,
  maxChildrenPerTree: 6,
  maxChildrenTotal: 16,
  historyFrames: 4096,
  haveIntervalMs: 500,
  evictAfterReports: 2,
  maxRepairRange: 64,
});
