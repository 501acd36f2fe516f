import { ErrorCode } from '../model/codes';
import { HistoryRing } from './history-ring';
import { DEFAULT_MESH_COORDINATOR_OPTIONS, type MeshCoordinatorOptions } from './mesh-coordinator-options';
import { RELAY_PEER_ID, systemMeshClock, type MeshClock, type MeshLinkHandler, type MeshTimer, type MeshTransport } from './mesh-transport';
import { decodeMeshControl, encodeMeshControl, type MeshControl } from './mesh-wire';
import { StripeTree } from './stripe-tree';

/** Relay market-data egress caused by the mesh, by cause. Frames are signed-frame messages. */
export interface MeshEgressStats {
  /** Frames sent to seed peers (the mesh's feed). */
  seedFrames: number;
  /** Frames sent to peers on relay fallback. */
  fallbackFrames: number;
  /** Frames sent answering peers' repair requests. */
  repairFrames: number;
  /** Bytes of all frames above. */
  frameBytes: number;
  /** Mesh control messages (assign, have, missing, goodbye) and their bytes. */
  controlMessages: number;
  controlBytes: number;
}

interface PeerInfo {
  /** Join order: the peer's home stripe is order % stripes (interior there, leaf elsewhere). */
  order: number;
  streams: Set<number>;
  /** Child links fed over all trees. */
  load: number;
  /** Peers it must not be given as parent again (it reported them for misbehaviour). */
  avoid: Set<string>;
  /**
   * Its quality complaints (stall, slow, poor delivery, closed link, slow consumer) per
   * upstream: a cost, not a ban. On a loaded machine every peer stalls now and then; banning
   * each one complained about empties a small mesh of candidates and leaves the peer on the
   * relay for good (the relay, once a peer's parent, stays its cheapest choice).
   */
  complaints: Map<string, number>;
  /** Complaints about it as an upstream (stall, poor delivery, slow). */
  badness: number;
  /** Round trip its children measured, EWMA in ms (NaN = unknown). */
  upRttMs: number;
  /** Distinct peers that reported it for misbehaviour. */
  accusers: Set<string>;
}

interface StreamInfo {
  epoch: number;
  latestSeq: number;
  history: HistoryRing;
  trees: StripeTree[];
  fallback: Set<string>;
}

/** Complaints of one peer about one upstream that add to its cost (more do not: a preference, not a ban). */
const COUNTED_COMPLAINTS = 4;

const MISBEHAVIOUR = new Set<string>([
  ErrorCode.MESH_BAD_SIGNATURE, ErrorCode.MESH_REPLAY, ErrorCode.MESH_MALFORMED, ErrorCode.MESH_OVERSIZED,
  ErrorCode.MESH_FLOOD, ErrorCode.MESH_PROTOCOL,
]);

/**
 * Relay side of the mesh: tracks peers, builds per stream one tree per stripe rooted at the
 * relay, feeds each stripe's seeds, serves repairs from a long history, feeds peers on
 * fallback directly, replaces upstreams peers complain about and evicts peers that several
 * others report for misbehaviour. It counts every byte of market data it sends.
 *
 * Parent choice (per stream, per stripe): the relay while it has fewer than the seed quota of
 * children; else the member with the lowest cost = depth + 1, +1 outside its home stripe
 * (SplitStream's interior-disjoint trees keep both stripes shallow), +3 when it already is the
 * peer's upstream in another stripe, +0.5 per complaint, +2 per complaint of this peer about
 * it (at most 4 counted), +RTT/5 ms as its children measured. Never the upstream just
 * complained about (nor, on a rejoin after a fallback, any it complained about), never a
 * descendant (no cycles), never a peer it reported for misbehaviour, never over its fan-out
 * budget.
 */
export class MeshCoordinator implements MeshLinkHandler {
  readonly egress: MeshEgressStats = { seedFrames: 0, fallbackFrames: 0, repairFrames: 0, frameBytes: 0, controlMessages: 0, controlBytes: 0 };
  private readonly options: MeshCoordinatorOptions;
  private readonly peers = new Map<string, PeerInfo>();
  private readonly streams = new Map<number, StreamInfo>();
  private readonly evicted = new Set<string>();
  private joins = 0;
  private haveTimer: MeshTimer | undefined;

  constructor(
    private readonly transport: MeshTransport,
    options: Partial<MeshCoordinatorOptions> = {},
    private readonly clock: MeshClock = systemMeshClock,
  ) {
    this.options = { ...DEFAULT_MESH_COORDINATOR_OPTIONS, ...options };
    this.haveTimer = clock.setTimer(this.options.haveIntervalMs, () => this.heartbeat());
  }

  /**
   * Sends one signed frame (`signFrame` output) to the seeds of its stripe and to peers on
   * fallback, and keeps it for repairs. Call once per frame, in seq order per stream.
   */
  publish(streamId: number, epoch: number, seq: number, message: Uint8Array): void {
    const st = this.stream(streamId);
    if (epoch !== st.epoch) {
      st.history.clear();
      st.epoch = epoch;
    }
    st.latestSeq = seq;
    st.history.put(seq, message);
    const seeds = st.trees[seq % this.options.stripes]!.childrenOf(RELAY_PEER_ID);
    for (const id of seeds) this.sendFrame(id, message, 'seed');
    for (const id of st.fallback) if (!seeds.has(id)) this.sendFrame(id, message, 'fallback');
  }

  /** Stops the heartbeat. */
  close(): void {
    if (this.haveTimer !== undefined) this.clock.clearTimer(this.haveTimer);
    this.haveTimer = undefined;
  }

  get peerCount(): number {
    return this.peers.size;
  }

  /** A peer's upstream in one stripe tree ('relay' for a seed; undefined when not a member). */
  parentOf(peerId: string, streamId: number, stripe: number): string | undefined {
    return this.streams.get(streamId)?.trees[stripe]?.parentOf(peerId);
  }

  /** Hops from the relay in one stripe tree. */
  depthOf(peerId: string, streamId: number, stripe: number): number {
    return this.streams.get(streamId)?.trees[stripe]?.depth(peerId) ?? Infinity;
  }

  isEvicted(peerId: string): boolean {
    return this.evicted.has(peerId);
  }

  // ---------------------------------------------------------------- link events

  onOpen(_peerId: string): void {}

  onClose(peerId: string, _code: string): void {
    this.removePeer(peerId);
  }

  onDrain(_peerId: string): void {}

  onMessage(peerId: string, bytes: Uint8Array): void {
    if (this.evicted.has(peerId)) return;
    const m = decodeMeshControl(bytes);
    if (m === undefined) return; // the relay session counts malformed input; peers never send frames up
    switch (m.type) {
      case 'join': return this.join(peerId, m.streamId);
      case 'leave': return this.leave(peerId, m.streamId);
      case 'want': return this.serveWant(peerId, m.streamId, m.epoch, m.fromSeq, m.toSeq);
      case 'fallback': {
        const st = this.streams.get(m.streamId);
        if (!st || !this.peers.get(peerId)?.streams.has(m.streamId)) return;
        if (m.active) st.fallback.add(peerId);
        else st.fallback.delete(peerId);
        return;
      }
      case 'report': return this.onReport(peerId, m);
      case 'goodbye': return this.removePeer(peerId);
      default:
    }
  }

  // ---------------------------------------------------------------- membership

  private join(peerId: string, streamId: number): void {
    let info = this.peers.get(peerId);
    if (!info) {
      info = { order: this.joins++, streams: new Set(), load: 0, avoid: new Set(), complaints: new Map(), badness: 0, upRttMs: NaN, accusers: new Set() };
      this.peers.set(peerId, info);
    }
    const st = this.stream(streamId);
    st.fallback.delete(peerId);
    const rejoin = info.streams.has(streamId);
    info.streams.add(streamId);
    for (let stripe = 0; stripe < st.trees.length; stripe++) {
      const tree = st.trees[stripe]!;
      // A rejoin follows a fallback: the whole mesh fell silent towards this peer for
      // relayFallbackMs (its neighbours, or its path to them, failed), so find new upstreams
      // and none it has complained about.
      const exclude = rejoin ? tree.parentOf(peerId) : undefined;
      if (!tree.has(peerId)) tree.setParent(peerId, '');
      this.assign(streamId, stripe, peerId, exclude, rejoin);
    }
  }

  private leave(peerId: string, streamId: number): void {
    const info = this.peers.get(peerId);
    const st = this.streams.get(streamId);
    if (!info || !st || !info.streams.delete(streamId)) return;
    st.fallback.delete(peerId);
    for (let stripe = 0; stripe < st.trees.length; stripe++) this.removeFromTree(streamId, stripe, peerId);
  }

  private removePeer(peerId: string): void {
    const info = this.peers.get(peerId);
    if (!info) return;
    for (const streamId of [...info.streams]) this.leave(peerId, streamId);
    this.peers.delete(peerId);
  }

  private removeFromTree(streamId: number, stripe: number, peerId: string): void {
    const tree = this.streams.get(streamId)!.trees[stripe]!;
    const parent = tree.parentOf(peerId);
    if (parent) this.adjustLoad(parent, -1);
    const orphans = tree.remove(peerId);
    const info = this.peers.get(peerId);
    if (info) info.load -= orphans.length;
    for (const c of orphans) this.assign(streamId, stripe, c, peerId);
  }

  private evict(peerId: string): void {
    this.evicted.add(peerId);
    this.sendControl(peerId, { type: 'goodbye', code: ErrorCode.MESH_EVICTED });
    this.transport.disconnect(peerId, ErrorCode.MESH_EVICTED);
    this.removePeer(peerId);
  }

  // ---------------------------------------------------------------- topology

  /** Picks and sends a new upstream for `peerId` in one stripe tree. */
  private assign(streamId: number, stripe: number, peerId: string, exclude?: string, skipComplained = false): void {
    const st = this.streams.get(streamId)!;
    const tree = st.trees[stripe]!;
    const me = this.peers.get(peerId);
    if (!me || !tree.has(peerId)) return;
    const o = this.options;
    const seedQuota = Math.max(1, Math.min(o.maxSeedsPerStripe, Math.floor(tree.size / o.peersPerSeed)));
    const otherParents: string[] = [];
    for (let k = 0; k < st.trees.length; k++) if (k !== stripe) otherParents.push(st.trees[k]!.parentOf(peerId) ?? '');

    let best = '';
    let bestCost = Infinity;
    if (tree.childCount(RELAY_PEER_ID) < seedQuota || (tree.parentOf(peerId) === RELAY_PEER_ID && exclude !== RELAY_PEER_ID)) {
      best = RELAY_PEER_ID;
      bestCost = 1;
    }
    for (const c of tree.members()) {
      if (c === peerId || c === exclude || me.avoid.has(c) || (skipComplained && me.complaints.has(c))) continue;
      const info = this.peers.get(c);
      if (!info || info.load >= o.maxChildrenTotal || tree.childCount(c) >= o.maxChildrenPerTree) continue;
      if (tree.isAncestor(peerId, c)) continue;
      const d = tree.depth(c);
      if (d === Infinity) continue;
      let cost = d + 1;
      if (info.order % st.trees.length !== stripe) cost += 1;
      if (otherParents.includes(c)) cost += 3;
      cost += info.badness * 0.5;
      cost += Math.min(COUNTED_COMPLAINTS, me.complaints.get(c) ?? 0) * 2;
      if (!Number.isNaN(info.upRttMs)) cost += info.upRttMs / 5;
      if (cost < bestCost) {
        best = c;
        bestCost = cost;
      }
    }
    // Nobody can take it: the relay feeds it directly rather than leave it without a stripe.
    if (!best) best = RELAY_PEER_ID;
    const old = tree.parentOf(peerId);
    if (old) this.adjustLoad(old, -1);
    tree.setParent(peerId, best);
    this.adjustLoad(best, +1);
    this.sendControl(peerId, { type: 'assign', streamId, stripe, stripes: st.trees.length, parentId: best });
  }

  private adjustLoad(peerId: string, delta: number): void {
    if (peerId === RELAY_PEER_ID) return;
    const info = this.peers.get(peerId);
    if (info) info.load += delta;
  }

  private onReport(reporter: string, m: Extract<MeshControl, { type: 'report' }>): void {
    const me = this.peers.get(reporter);
    if (!me || m.peerId === reporter) return;
    const accused = this.peers.get(m.peerId);
    if (m.code === '') {
      if (accused && m.rttUs > 0) {
        const rtt = m.rttUs / 1000;
        accused.upRttMs = Number.isNaN(accused.upRttMs) ? rtt : accused.upRttMs * 0.8 + rtt * 0.2;
      }
      return;
    }
    if (m.code === ErrorCode.MESH_SLOW_CONSUMER) {
      // The reporter is the parent: move its child elsewhere in that tree.
      const st = this.streams.get(m.streamId);
      if (!st || st.trees[m.stripe]?.parentOf(m.peerId) !== reporter) return;
      accused?.complaints.set(reporter, (accused.complaints.get(reporter) ?? 0) + 1);
      return this.assign(m.streamId, m.stripe, m.peerId, reporter);
    }
    if (MISBEHAVIOUR.has(m.code)) {
      me.avoid.add(m.peerId);
      if (accused) {
        accused.accusers.add(reporter);
        if (accused.accusers.size >= this.options.evictAfterReports) this.evict(m.peerId);
      }
      // Wherever the accused feeds the reporter, replace it.
      for (const streamId of me.streams) {
        const st = this.streams.get(streamId)!;
        for (let stripe = 0; stripe < st.trees.length; stripe++) {
          const p = st.trees[stripe]!.parentOf(reporter);
          if (p === m.peerId || p === '') this.assign(streamId, stripe, reporter, m.peerId);
        }
      }
      return;
    }
    me.complaints.set(m.peerId, (me.complaints.get(m.peerId) ?? 0) + 1);
    if (accused && m.code !== ErrorCode.MESH_PEER_CLOSED) accused.badness++;
    const tree = this.streams.get(m.streamId)?.trees[m.stripe];
    const p = tree?.parentOf(reporter);
    if (p === m.peerId || p === '') this.assign(m.streamId, m.stripe, reporter, m.peerId);
  }

  // ---------------------------------------------------------------- data

  private serveWant(peerId: string, streamId: number, epoch: number, from: number, to: number): void {
    const st = this.streams.get(streamId);
    const last = Math.min(to, from + this.options.maxRepairRange - 1);
    if (!st || epoch !== st.epoch || !this.peers.has(peerId)) {
      this.sendControl(peerId, { type: 'missing', streamId, epoch, fromSeq: from, toSeq: last });
      return;
    }
    let missFrom = -1;
    for (let seq = from; seq <= last; seq++) {
      const b = st.history.get(seq);
      if (b) this.sendFrame(peerId, b, 'repair');
      else if (missFrom < 0) missFrom = seq;
    }
    if (missFrom >= 0) this.sendControl(peerId, { type: 'missing', streamId, epoch, fromSeq: missFrom, toSeq: last });
  }

  private heartbeat(): void {
    for (const [streamId, st] of this.streams) {
      if (st.latestSeq === 0) continue;
      const have: MeshControl = { type: 'have', streamId, epoch: st.epoch, fromSeq: st.history.low, toSeq: st.latestSeq };
      const bytes = encodeMeshControl(have);
      for (const id of st.trees[0]!.members()) this.sendBytes(id, bytes);
    }
    this.haveTimer = this.clock.setTimer(this.options.haveIntervalMs, () => this.heartbeat());
  }

  private sendFrame(peerId: string, message: Uint8Array, kind: 'seed' | 'fallback' | 'repair'): void {
    if (kind === 'seed') this.egress.seedFrames++;
    else if (kind === 'fallback') this.egress.fallbackFrames++;
    else this.egress.repairFrames++;
    this.egress.frameBytes += message.length;
    this.transport.send(peerId, message);
  }

  private sendControl(peerId: string, msg: MeshControl): void {
    this.sendBytes(peerId, encodeMeshControl(msg));
  }

  private sendBytes(peerId: string, bytes: Uint8Array): void {
    this.egress.controlMessages++;
    this.egress.controlBytes += bytes.length;
    this.transport.send(peerId, bytes);
  }

  private stream(streamId: number): StreamInfo {
    let st = this.streams.get(streamId);
    if (!st) {
      st = {
        epoch: 0, latestSeq: 0, history: new HistoryRing(this.options.historyFrames),
        trees: Array.from({ length: this.options.stripes }, () => new StripeTree()), fallback: new Set(),
      };
      this.streams.set(streamId, st);
    }
    return st;
  }
}
