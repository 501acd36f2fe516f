import { readSignedFrame, type FrameVerifier, type SignedFrameView } from '../codec/frame-signing';
import { ErrorCode } from '../model/codes';
import { HistoryRing } from './history-ring';
import { DEFAULT_MESH_NODE_OPTIONS, type MeshNodeOptions } from './mesh-node-options';
import { RELAY_PEER_ID, systemMeshClock, type MeshClock, type MeshLinkHandler, type MeshTimer, type MeshTransport } from './mesh-transport';
import { decodeMeshControl, encodeMeshControl, MESH_FRAME_TAG, MESH_PROTOCOL_VERSION, type MeshControl } from './mesh-wire';
import { PacedSender } from './paced-sender';
import { ReceiveWindow, SeqClass } from './receive-window';
import { TokenBucket } from './token-bucket';

/** What a MeshNode hands to its owner (the market-data worker). */
export interface MeshNodeEvents {
  /**
   * A verified frame, in seq order per stream, each seq once: the exact ServerMessage bytes the
   * relay encoded (decode with `decodeServer`, apply with `BookStream`).
   */
  onFrame(streamId: number, epoch: number, seq: number, frame: Uint8Array): void;
  /** The stream cannot be continued from the mesh (new epoch, too far behind, history gone): fetch a snapshot, then `subscribe` again. */
  onResync?(streamId: number, code: string): void;
  /** A neighbour misbehaved and was disconnected (`code` is a MESH_* code). */
  onMisbehaviour?(peerId: string, code: string): void;
  /** The stream switched to (true) or back from (false) the relay's direct feed. */
  onFallback?(streamId: number, active: boolean): void;
  /**
   * The relay dropped this peer from the mesh (its PeerJS id left signalling, another session
   * took the id over): it delivers direct again and this node's joins are void. `code` is a MESH_* code.
   */
  onRelayGoodbye?(code: string): void;
}

/** Counters of one node; never reset. */
export interface MeshNodeStats {
  /** Signed-frame messages received from anyone, duplicates included. */
  framesReceived: number;
  /** Frames accepted (first verified copy of a seq). */
  firstCopies: number;
  /** Copies of seqs already held or delivered, dropped before verification. */
  duplicates: number;
  delivered: number;
  forwarded: number;
  /** MeshWant messages sent to neighbours. */
  repairRequests: number;
  /** MeshWant messages sent to the relay. */
  relayRepairRequests: number;
  /** Frames sent in answer to neighbours' MeshWants. */
  repairsServed: number;
  /** Messages dropped by backpressure. */
  droppedSends: number;
  fallbacks: number;
  /** Frames of streams this node does not hold. */
  unsolicited: number;
  /** Misbehaviour by MESH_* code. */
  misbehaviour: Record<string, number>;
}

interface Neighbour {
  open: boolean;
  bucket: TokenBucket;
  /** Round trip EWMA in ms; NaN before the first pong. */
  rttMs: number;
  pingNonce: number;
  pingSentAt: number;
  /** `frozenMs` when the last ping was sent (our own stall during the round trip is not the neighbour's). */
  pingFrozenMs: number;
  /** Control messages waiting for the link to open. */
  pending: Uint8Array[];
  /** Last time a slow-consumer report named it. */
  slowReportedAt: number;
}

interface Child {
  id: string;
  stripe: number;
  stripes: number;
}

interface StreamEntry {
  streamId: number;
  epoch: number;
  /** Bumped on every subscribe, so a verification that straddles a reset is discarded. */
  generation: number;
  window: ReceiveWindow;
  history: HistoryRing;
  stripes: number;
  /** Upstream per stripe; '' while unassigned. */
  parents: string[];
  /** Per stripe: highest seq of that stripe held. */
  stripeHigh: number[];
  /** Per stripe: frames of the stream stored since the stripe's parent last delivered one first. */
  sinceParent: number[];
  /** Per stripe: frames of the stripe the parent delivered first, and all frames of the stripe, this window. */
  firstFromParent: number[];
  stripeCount: number[];
  reattached: boolean[];
  reportedAt: number[];
  children: Child[];
  /** Highest seq received as a frame (not merely announced). */
  meshHigh: number;
  lastMeshFrameAt: number;
  fallback: boolean;
  fallbackSince: number;
  resyncAsked: boolean;
  deliver: (seq: number, frame: Uint8Array) => void;
}

const MISBEHAVIOUR_STALE_REPORT_MS = 250;

/**
 * One peer of the market-data mesh, transport-agnostic (DESIGN.md: shared/src/mesh).
 *
 * Topology: per stream the seq space is split into `stripes` (2) stripes, seq % stripes; each
 * stripe travels its own tree rooted at the relay (the coordinator assigns one parent per
 * stripe, distinct where possible), so a node has at least two upstream neighbours yet
 * receives each seq about once. The node takes the first verified copy of each
 * (stream, epoch, seq), drops duplicates before verifying them, forwards the exact message
 * bytes to the children of that seq's stripe at once (cut-through, before in-order delivery),
 * and delivers frames to its owner in seq order.
 *
 * Repair: a seq missing behind a later seq of its own stripe is lost (links are FIFO) and is
 * asked for at once; one missing only relative to the other stripe waits `repairDelayMs`;
 * requests go to the other stripes' parents, then the stripe's own parent, then the relay.
 * Silence from the mesh for `relayFallbackMs` switches the stream to the relay's direct feed
 * for `rejoinAfterMs`. Parents that stall, deliver poorly or answer slowly are reported to the
 * coordinator, which replaces them; neighbours that send forged, altered, replayed, malformed or
 * oversized messages, or flood, are disconnected with a MESH_* code and reported.
 */
export class MeshNode implements MeshLinkHandler {
  readonly stats: MeshNodeStats = {
    framesReceived: 0, firstCopies: 0, duplicates: 0, delivered: 0, forwarded: 0, repairRequests: 0,
    relayRepairRequests: 0, repairsServed: 0, droppedSends: 0, fallbacks: 0, unsolicited: 0, misbehaviour: {},
  };
  private readonly options: MeshNodeOptions;
  private readonly streams = new Map<number, StreamEntry>();
  private readonly neighbours = new Map<string, Neighbour>();
  private readonly sender: PacedSender;
  private wakeTimer: MeshTimer | undefined;
  private wakeAt = Infinity;
  private maintenanceTimer: MeshTimer | undefined;
  private nonce = 0;
  private closed = false;
  /** When maintenance last ran (NaN before the first run). */
  private lastMaintainAt = Number.NaN;
  /**
   * Time this node's own thread could not run, summed: maintenance ran this much later than
   * scheduled beyond one interval (a busy main thread, a loaded machine, a throttled tab).
   * Silence and round trips measured across such a freeze are ours, not the neighbours'.
   */
  private frozenMs = 0;
  /** Verifications in flight (async verifiers). */
  inFlight = 0;

  constructor(
    readonly id: string,
    private readonly transport: MeshTransport,
    private readonly verifier: FrameVerifier,
    private readonly events: MeshNodeEvents,
    options: Partial<MeshNodeOptions> = {},
    private readonly clock: MeshClock = systemMeshClock,
  ) {
    this.options = { ...DEFAULT_MESH_NODE_OPTIONS, ...options };
    this.sender = new PacedSender(transport, { highWaterBytes: this.options.highWaterBytes, maxQueuedBytes: this.options.maxQueuedBytes });
    this.maintenanceTimer = clock.setTimer(this.options.maintenanceMs, () => this.maintain());
  }

  /**
   * Starts (or restarts after a resync) a stream: the owner applied a snapshot valid at
   * `afterSeq`, so frames from `afterSeq + 1` are wanted. Joins the stream's trees the first time.
   */
  subscribe(streamId: number, epoch: number, afterSeq: number): void {
    let s = this.streams.get(streamId);
    const now = this.clock.now();
    if (!s) {
      s = this.newStream(streamId);
      this.streams.set(streamId, s);
      this.toRelay({ type: 'join', streamId });
    }
    if (epoch !== s.epoch) s.history.clear();
    s.epoch = epoch;
    s.generation++;
    s.window.reset(afterSeq);
    s.meshHigh = afterSeq;
    s.stripeHigh.fill(afterSeq);
    s.lastMeshFrameAt = now;
    s.resyncAsked = false;
  }

  /** Leaves a stream's trees. */
  unsubscribe(streamId: number): void {
    const s = this.streams.get(streamId);
    if (!s) return;
    for (let i = 0; i < s.parents.length; i++) {
      const p = s.parents[i]!;
      if (p && p !== RELAY_PEER_ID) this.sendControl(p, { type: 'detach', streamId, stripe: i });
    }
    this.streams.delete(streamId);
    this.toRelay({ type: 'leave', streamId });
  }

  /** Says goodbye to every neighbour and the relay and stops all timers. */
  close(code: string = ErrorCode.MESH_LEAVING): void {
    if (this.closed) return;
    this.closed = true;
    const bye = encodeMeshControl({ type: 'goodbye', code });
    for (const [id, nb] of this.neighbours) {
      if (nb.open) this.transport.send(id, bye);
      this.transport.disconnect(id, code);
    }
    this.transport.send(RELAY_PEER_ID, bye);
    this.neighbours.clear();
    this.streams.clear();
    if (this.wakeTimer !== undefined) this.clock.clearTimer(this.wakeTimer);
    if (this.maintenanceTimer !== undefined) this.clock.clearTimer(this.maintenanceTimer);
  }

  /** Current upstream per stripe of a stream ('' = unassigned). */
  parentsOf(streamId: number): readonly string[] {
    return this.streams.get(streamId)?.parents ?? [];
  }

  /** Children fed per stream (for tests and the mesh panel). */
  childrenOf(streamId: number): readonly string[] {
    return (this.streams.get(streamId)?.children ?? []).map((c) => c.id);
  }

  /** Next seq the owner will receive for a stream (0 when not subscribed). */
  nextSeq(streamId: number): number {
    return this.streams.get(streamId)?.window.nextSeq ?? 0;
  }

  isFallback(streamId: number): boolean {
    return this.streams.get(streamId)?.fallback ?? false;
  }

  /** Measured round trip to a neighbour in ms (NaN before the first pong). */
  rttTo(peerId: string): number {
    return this.neighbours.get(peerId)?.rttMs ?? NaN;
  }

  // ---------------------------------------------------------------- link events

  onOpen(peerId: string): void {
    if (this.closed || peerId === RELAY_PEER_ID) return;
    const nb = this.neighbour(peerId);
    nb.open = true;
    this.transport.send(peerId, encodeMeshControl({ type: 'hello', peerId: this.id, protocolVersion: MESH_PROTOCOL_VERSION }));
    const pending = nb.pending;
    nb.pending = [];
    for (const b of pending) this.sender.send(peerId, b);
  }

  onClose(peerId: string, _code: string): void {
    if (this.closed || peerId === RELAY_PEER_ID) return;
    this.dropPeer(peerId, ErrorCode.MESH_PEER_CLOSED);
  }

  onDrain(peerId: string): void {
    this.sender.pump(peerId);
  }

  onMessage(peerId: string, bytes: Uint8Array): void {
    if (this.closed) return;
    const fromRelay = peerId === RELAY_PEER_ID;
    if (!fromRelay) {
      // Checked before parsing: a flooding or oversized sender costs us as little as possible.
      if (bytes.length > this.options.maxMessageBytes) return this.misbehave(peerId, ErrorCode.MESH_OVERSIZED);
      const nb = this.neighbours.get(peerId) ?? this.neighbour(peerId);
      if (!nb.bucket.take(this.clock.now())) return this.misbehave(peerId, ErrorCode.MESH_FLOOD);
    }
    if (bytes[0] === MESH_FRAME_TAG) return this.onFrameMessage(peerId, bytes);
    const msg = decodeMeshControl(bytes);
    if (msg === undefined) return this.misbehave(peerId, ErrorCode.MESH_MALFORMED);
    this.onControl(peerId, msg, fromRelay);
  }

  // ---------------------------------------------------------------- frames

  private onFrameMessage(peerId: string, bytes: Uint8Array): void {
    const r = readSignedFrame(bytes);
    if (!r.ok) return this.misbehave(peerId, ErrorCode.MESH_MALFORMED);
    const v = r.value;
    this.stats.framesReceived++;
    const s = this.streams.get(v.streamId);
    if (!s) {
      this.stats.unsolicited++;
      return;
    }
    if (v.epoch < s.epoch) return this.misbehave(peerId, ErrorCode.MESH_REPLAY);
    if (v.epoch > s.epoch) return this.verifyThen(v, (ok) => (ok ? this.resync(s) : this.misbehave(peerId, ErrorCode.MESH_BAD_SIGNATURE)));
    const w = s.window;
    switch (w.classify(v.seq)) {
      case SeqClass.Behind:
        if (v.seq < w.nextSeq - this.options.replayWindowFrames) return this.misbehave(peerId, ErrorCode.MESH_REPLAY);
        this.stats.duplicates++;
        return;
      case SeqClass.Held:
        this.stats.duplicates++;
        return;
      case SeqClass.Ahead:
        return this.verifyThen(v, (ok) => (ok ? this.resync(s) : this.misbehave(peerId, ErrorCode.MESH_BAD_SIGNATURE)));
    }
    w.markVerifying(v.seq);
    const generation = s.generation;
    this.verifyThen(v, (ok) => this.accept(s, generation, peerId, v, bytes, ok));
  }

  private verifyThen(v: SignedFrameView, then: (ok: boolean) => void): void {
    let res: boolean | Promise<boolean>;
    try {
      res = this.verifier.verify(v.keyId, v.signed, v.signature);
    } catch {
      res = false;
    }
    if (typeof res === 'boolean') return then(res);
    this.inFlight++;
    res.then(
      (ok) => { this.inFlight--; if (!this.closed) then(ok); },
      () => { this.inFlight--; if (!this.closed) then(false); },
    );
  }

  private accept(s: StreamEntry, generation: number, peerId: string, v: SignedFrameView, bytes: Uint8Array, ok: boolean): void {
    if (this.streams.get(s.streamId) !== s || s.generation !== generation) return;
    const w = s.window;
    const seq = v.seq;
    if (!ok) {
      w.unmark(seq);
      return this.misbehave(peerId, ErrorCode.MESH_BAD_SIGNATURE);
    }
    if (w.classify(seq) !== SeqClass.Held) return; // delivered meanwhile by another copy
    const now = this.clock.now();
    w.store(seq, bytes, v.frame);
    s.history.put(seq, bytes);
    this.stats.firstCopies++;
    const stripes = s.stripes;
    const stripe = seq % stripes;
    if (seq > s.stripeHigh[stripe]!) s.stripeHigh[stripe] = seq;
    if (seq > s.meshHigh) s.meshHigh = seq;
    // The relay as an assigned parent (a seed) is the mesh's feed, not the fallback feed.
    if (peerId !== RELAY_PEER_ID || s.parents.includes(RELAY_PEER_ID)) s.lastMeshFrameAt = now;
    for (let i = 0; i < stripes; i++) s.sinceParent[i]!++;
    if (peerId === s.parents[stripe]) {
      s.sinceParent[stripe] = 0;
      s.firstFromParent[stripe]!++;
    }
    if (++s.stripeCount[stripe]! >= this.options.deliveryWindowFrames) this.evaluateDelivery(s, stripe);

    const children = s.children;
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      if (c.id === peerId || seq % c.stripes !== c.stripe) continue;
      if (this.sender.send(c.id, bytes)) this.stats.forwarded++;
      else this.slowChild(s, c);
    }
    w.deliver(s.deliver);
    if (w.highSeq >= w.nextSeq) this.scheduleWake(now);
  }

  private resync(s: StreamEntry): void {
    if (s.resyncAsked) return;
    s.resyncAsked = true;
    this.events.onResync?.(s.streamId, ErrorCode.MESH_RESYNC);
  }

  // ---------------------------------------------------------------- control

  private onControl(peerId: string, m: MeshControl, fromRelay: boolean): void {
    switch (m.type) {
      case 'attach': {
        if (fromRelay) return;
        if (m.stripes < 1 || m.stripe >= m.stripes) return this.misbehave(peerId, ErrorCode.MESH_PROTOCOL);
        const s = this.streams.get(m.streamId);
        if (!s) return;
        if (s.children.some((c) => c.id === peerId && c.stripe === m.stripe && c.stripes === m.stripes)) return;
        if (s.children.length >= this.options.maxChildren) return; // the child reports us stalled; the coordinator moves it
        s.children.push({ id: peerId, stripe: m.stripe, stripes: m.stripes });
        return;
      }
      case 'detach': {
        const s = this.streams.get(m.streamId);
        if (s) s.children = s.children.filter((c) => !(c.id === peerId && c.stripe === m.stripe));
        return;
      }
      case 'want':
        return this.serveWant(peerId, m.streamId, m.epoch, m.fromSeq, m.toSeq);
      case 'missing':
        return this.onMissing(peerId, m.streamId, m.epoch, m.fromSeq, m.toSeq);
      case 'have': {
        const s = this.streams.get(m.streamId);
        if (!s || !fromRelay) return;
        if (m.epoch > s.epoch) return this.resync(s);
        if (m.epoch === s.epoch && m.toSeq >= s.window.nextSeq) {
          if (m.toSeq >= s.window.nextSeq + s.window.capacity) return this.resync(s);
          s.window.announce(m.toSeq);
          this.scheduleWake(this.clock.now());
        }
        return;
      }
      case 'ping':
        return this.sendControl(peerId, { type: 'pong', nonce: m.nonce, timeUs: m.timeUs });
      case 'pong': {
        const nb = this.neighbours.get(peerId);
        if (!nb || m.nonce !== nb.pingNonce) return;
        const now = this.clock.now();
        const frozen = this.frozenMs - nb.pingFrozenMs + this.overdueMs(now);
        const rtt = Math.max(0, now - m.timeUs / 1000 - frozen);
        nb.rttMs = Number.isNaN(nb.rttMs) ? rtt : nb.rttMs * 0.75 + rtt * 0.25;
        return;
      }
      case 'goodbye':
        if (fromRelay) return this.events.onRelayGoodbye?.(m.code);
        this.transport.disconnect(peerId, ErrorCode.MESH_LEAVING);
        return this.dropPeer(peerId, ErrorCode.MESH_PEER_CLOSED);
      case 'assign':
        if (fromRelay) this.onAssign(m.streamId, m.stripe, m.stripes, m.parentId);
        return;
      case 'hello':
        if (!fromRelay && m.protocolVersion !== MESH_PROTOCOL_VERSION) this.misbehave(peerId, ErrorCode.MESH_PROTOCOL);
        return;
      default:
        // join/report/fallback/leave go peer -> relay only; a peer sending them is broken.
        if (!fromRelay) this.misbehave(peerId, ErrorCode.MESH_PROTOCOL);
    }
  }

  private onAssign(streamId: number, stripe: number, stripes: number, parentId: string): void {
    const s = this.streams.get(streamId);
    if (!s || stripes < 1 || stripe >= stripes || parentId === this.id) return;
    this.setStripes(s, stripes);
    const old = s.parents[stripe]!;
    if (old === parentId) return;
    if (old && old !== RELAY_PEER_ID) this.sendControl(old, { type: 'detach', streamId, stripe });
    s.parents[stripe] = parentId;
    s.sinceParent[stripe] = 0;
    s.firstFromParent[stripe] = 0;
    s.stripeCount[stripe] = 0;
    s.reattached[stripe] = false;
    if (parentId && parentId !== RELAY_PEER_ID) this.sendControl(parentId, { type: 'attach', streamId, stripe, stripes });
  }

  private serveWant(peerId: string, streamId: number, epoch: number, from: number, to: number): void {
    const s = this.streams.get(streamId);
    const last = Math.min(to, from + this.options.maxRepairRange - 1);
    if (!s || epoch !== s.epoch) {
      this.sendControl(peerId, { type: 'missing', streamId, epoch, fromSeq: from, toSeq: last });
      return;
    }
    let missFrom = -1;
    for (let seq = from; seq <= last; seq++) {
      const b = s.history.get(seq) ?? s.window.message(seq);
      if (b) {
        if (missFrom >= 0) {
          this.sendControl(peerId, { type: 'missing', streamId, epoch, fromSeq: missFrom, toSeq: seq - 1 });
          missFrom = -1;
        }
        if (this.sender.send(peerId, b)) this.stats.repairsServed++;
        else this.stats.droppedSends++;
      } else if (missFrom < 0) {
        missFrom = seq;
      }
    }
    if (missFrom >= 0) this.sendControl(peerId, { type: 'missing', streamId, epoch, fromSeq: missFrom, toSeq: last });
  }

  private onMissing(peerId: string, streamId: number, epoch: number, from: number, to: number): void {
    const s = this.streams.get(streamId);
    if (!s || epoch !== s.epoch) return;
    const w = s.window;
    let any = false;
    for (let seq = Math.max(from, w.nextSeq); seq <= to && seq < w.nextSeq + w.capacity; seq++) {
      if (!w.isMissing(seq)) continue;
      any = true;
      // The next scan asks the next source at once (attempts already counted this one).
      w.requestedAt[seq % w.capacity] = NaN;
    }
    if (!any) return;
    if (peerId === RELAY_PEER_ID) return this.resync(s); // history gone everywhere: only a snapshot helps
    this.scheduleWake(this.clock.now());
  }

  // ---------------------------------------------------------------- repair

  private scheduleWake(at: number): void {
    if (this.closed || at >= this.wakeAt) return;
    if (this.wakeTimer !== undefined) this.clock.clearTimer(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => this.wake());
  }

  private wake(): void {
    this.wakeTimer = undefined;
    this.wakeAt = Infinity;
    if (this.closed) return;
    const now = this.clock.now();
    let next = Infinity;
    for (const s of this.streams.values()) next = Math.min(next, this.repairScan(s, now));
    if (next < Infinity) this.scheduleWake(next);
  }

  /** Asks for every missing seq that is due; returns when the next one falls due. */
  private repairScan(s: StreamEntry, now: number): number {
    const w = s.window;
    const o = this.options;
    const cap = w.capacity;
    const end = Math.min(w.highSeq, w.nextSeq + cap - 1);
    let next = Infinity;
    let runTarget = '';
    let runFrom = 0;
    let runTo = -1;
    const flush = () => {
      if (runTo >= runFrom && runTarget) this.sendWant(runTarget, s, runFrom, runTo);
      runTarget = '';
      runTo = -1;
    };
    for (let seq = w.nextSeq; seq <= end; seq++) {
      if (!w.isMissing(seq)) { flush(); continue; }
      const i = seq % cap;
      if (Number.isNaN(w.missingSince[i]!)) w.missingSince[i] = now;
      const since = w.missingSince[i]!;
      const stripe = seq % s.stripes;
      let due = seq > s.meshHigh ? since + o.tailRepairDelayMs : s.stripeHigh[stripe]! > seq ? since : since + o.repairDelayMs;
      const asked = w.requestedAt[i]!;
      if (!Number.isNaN(asked)) due = Math.max(due, asked + o.repairRetryMs);
      if (due > now) { next = Math.min(next, due); flush(); continue; }
      const target = this.repairSource(s, stripe, w.attempts[i]!);
      w.attempts[i] = Math.min(255, w.attempts[i]! + 1);
      w.requestedAt[i] = now;
      next = Math.min(next, now + o.repairRetryMs);
      if (target === runTarget && seq === runTo + 1 && seq - runFrom < o.maxRepairRange) {
        runTo = seq;
      } else {
        flush();
        runTarget = target;
        runFrom = runTo = seq;
      }
    }
    flush();
    return next;
  }

  /** Other stripes' parents first (their tree did not lose it), then the stripe's own parent, then the relay. */
  private repairSource(s: StreamEntry, stripe: number, attempts: number): string {
    const candidates: string[] = [];
    for (let k = 1; k <= s.stripes; k++) {
      const p = s.parents[(stripe + k) % s.stripes]!;
      if (p && p !== RELAY_PEER_ID && this.neighbours.get(p)?.open && !candidates.includes(p)) candidates.push(p);
    }
    const peerAttempts = Math.min(this.options.relayRepairAfterAttempts, candidates.length);
    return attempts < peerAttempts ? candidates[attempts]! : RELAY_PEER_ID;
  }

  private sendWant(target: string, s: StreamEntry, from: number, to: number): void {
    if (target === RELAY_PEER_ID) this.stats.relayRepairRequests++;
    else this.stats.repairRequests++;
    this.sendControl(target, { type: 'want', streamId: s.streamId, epoch: s.epoch, fromSeq: from, toSeq: to });
  }

  // ---------------------------------------------------------------- neighbour quality

  private evaluateDelivery(s: StreamEntry, stripe: number): void {
    const parent = s.parents[stripe]!;
    const ratio = s.firstFromParent[stripe]! / s.stripeCount[stripe]!;
    s.firstFromParent[stripe] = 0;
    s.stripeCount[stripe] = 0;
    if (!parent || parent === RELAY_PEER_ID) return;
    const poor = ratio < this.options.minDeliveryRatio;
    if (poor) s.reportedAt[stripe] = this.clock.now();
    this.report(s.streamId, stripe, parent, poor ? ErrorCode.MESH_POOR_DELIVERY : '', Math.round(ratio * 1000));
  }

  private slowChild(s: StreamEntry, c: Child): void {
    this.stats.droppedSends++;
    const nb = this.neighbours.get(c.id);
    const now = this.clock.now();
    if (!nb || now - nb.slowReportedAt < 1000) return;
    nb.slowReportedAt = now;
    this.report(s.streamId, c.stripe, c.id, ErrorCode.MESH_SLOW_CONSUMER, 0);
  }

  private report(streamId: number, stripe: number, peerId: string, code: string, deliveryPermille: number): void {
    const rtt = this.neighbours.get(peerId)?.rttMs ?? NaN;
    this.toRelay({
      type: 'report', streamId, stripe, peerId, code,
      rttUs: Number.isNaN(rtt) ? 0 : Math.round(rtt * 1000), deliveryPermille,
    });
  }

  private maintain(): void {
    if (this.closed) return;
    const now = this.clock.now();
    const o = this.options;
    // Ran late by more than an interval: this thread was frozen. Messages that arrived meanwhile
    // are still queued behind this timer, so judging silence or stalls now would blame
    // neighbours for our own freeze (and on a loaded machine drop healthy parents and fall back
    // to the relay): the frozen time does not count as silence, and parents are judged next run.
    const late = this.overdueMs(now);
    const frozen = late > 0;
    this.lastMaintainAt = now;
    if (frozen) this.frozenMs += late;
    this.sender.pumpAll();
    for (const [id, nb] of this.neighbours) {
      if (!nb.open || now - nb.pingSentAt < o.pingIntervalMs) continue;
      nb.pingSentAt = now;
      nb.pingFrozenMs = this.frozenMs;
      nb.pingNonce = ++this.nonce;
      this.sendControl(id, { type: 'ping', nonce: nb.pingNonce, timeUs: Math.round(now * 1000) });
    }
    for (const s of this.streams.values()) {
      if (frozen) {
        s.lastMeshFrameAt += late;
        continue;
      }
      if (s.fallback) {
        if (now - s.fallbackSince >= o.rejoinAfterMs) {
          s.fallback = false;
          s.lastMeshFrameAt = now;
          this.toRelay({ type: 'join', streamId: s.streamId });
          this.toRelay({ type: 'fallback', streamId: s.streamId, active: false });
          this.events.onFallback?.(s.streamId, false);
        }
      } else if (now - s.lastMeshFrameAt >= o.relayFallbackMs && s.window.highSeq >= s.window.nextSeq) {
        // Only when frames are known to be missing: a quiet stream is not a dead mesh.
        s.fallback = true;
        s.fallbackSince = now;
        this.stats.fallbacks++;
        this.toRelay({ type: 'fallback', streamId: s.streamId, active: true });
        this.events.onFallback?.(s.streamId, true);
      }
      for (let stripe = 0; stripe < s.stripes; stripe++) {
        const p = s.parents[stripe]!;
        if (!p || p === RELAY_PEER_ID || now - s.reportedAt[stripe]! < MISBEHAVIOUR_STALE_REPORT_MS) continue;
        if (!this.neighbours.get(p)?.open) {
          // Silence before the link to a new parent is even open (WebRTC setup takes hundreds
          // of ms) is not a stall; the transport reports a link that never opens as closed.
          s.sinceParent[stripe] = 0;
          continue;
        }
        if (s.sinceParent[stripe]! >= o.stallFrames) {
          s.reportedAt[stripe] = now;
          s.sinceParent[stripe] = 0;
          this.report(s.streamId, stripe, p, ErrorCode.MESH_STALLED, 0);
        } else if (s.sinceParent[stripe]! >= o.stallFrames / 2 && !s.reattached[stripe]) {
          // An attach lost on a lossy link looks like a stall: ask once more before complaining.
          s.reattached[stripe] = true;
          this.sendControl(p, { type: 'attach', streamId: s.streamId, stripe, stripes: s.stripes });
        } else if ((this.neighbours.get(p)?.rttMs ?? 0) > o.maxParentRttMs) {
          s.reportedAt[stripe] = now;
          this.report(s.streamId, stripe, p, ErrorCode.MESH_SLOW, 0);
        }
      }
    }
    this.maintenanceTimer = this.clock.setTimer(o.maintenanceMs, () => this.maintain());
  }

  /** How much later than one interval after the last run maintenance is now (0 = on time). */
  private overdueMs(now: number): number {
    if (Number.isNaN(this.lastMaintainAt)) return 0;
    return Math.max(0, now - this.lastMaintainAt - 2 * this.options.maintenanceMs);
  }

  // ---------------------------------------------------------------- peers

  private misbehave(peerId: string, code: string): void {
    this.stats.misbehaviour[code] = (this.stats.misbehaviour[code] ?? 0) + 1;
    this.events.onMisbehaviour?.(peerId, code);
    if (peerId === RELAY_PEER_ID) return;
    if (this.neighbours.get(peerId)?.open) this.transport.send(peerId, encodeMeshControl({ type: 'goodbye', code }));
    this.transport.disconnect(peerId, code);
    this.dropPeer(peerId, code);
  }

  /** Forgets a neighbour; every stripe it fed is reported to the coordinator for replacement. */
  private dropPeer(peerId: string, code: string): void {
    this.neighbours.delete(peerId);
    this.sender.forget(peerId);
    let reported = false;
    for (const s of this.streams.values()) {
      if (s.children.length) s.children = s.children.filter((c) => c.id !== peerId);
      for (let stripe = 0; stripe < s.parents.length; stripe++) {
        if (s.parents[stripe] !== peerId) continue;
        s.parents[stripe] = '';
        reported = true;
        this.report(s.streamId, stripe, peerId, code, 0);
      }
    }
    // Misbehaviour is reported even by a non-child so the coordinator can evict the peer.
    if (!reported && code !== ErrorCode.MESH_PEER_CLOSED) this.report(0, 0, peerId, code, 0);
  }

  private neighbour(peerId: string): Neighbour {
    let nb = this.neighbours.get(peerId);
    if (!nb) {
      const o = this.options;
      nb = {
        open: this.transport.isOpen(peerId), bucket: new TokenBucket(o.maxMessagesPerSecond, o.burstMessages, this.clock.now()),
        rttMs: NaN, pingNonce: 0, pingSentAt: -Infinity, pingFrozenMs: 0, pending: [], slowReportedAt: -Infinity,
      };
      this.neighbours.set(peerId, nb);
    }
    return nb;
  }

  private sendControl(peerId: string, msg: MeshControl): void {
    if (peerId === RELAY_PEER_ID) return this.toRelay(msg);
    const bytes = encodeMeshControl(msg);
    const nb = this.neighbour(peerId);
    if (nb.open) {
      this.sender.send(peerId, bytes);
    } else {
      if (nb.pending.length < 64) nb.pending.push(bytes);
      this.transport.connect(peerId);
    }
  }

  private toRelay(msg: MeshControl): void {
    this.transport.send(RELAY_PEER_ID, encodeMeshControl(msg));
  }

  private setStripes(s: StreamEntry, stripes: number): void {
    if (stripes === s.stripes) return;
    s.stripes = stripes;
    const grow = <T>(a: T[], v: T) => { while (a.length < stripes) a.push(v); a.length = stripes; };
    grow(s.parents, '');
    grow(s.stripeHigh, s.window.nextSeq - 1);
    grow(s.sinceParent, 0);
    grow(s.firstFromParent, 0);
    grow(s.stripeCount, 0);
    grow(s.reattached, false);
    grow(s.reportedAt, -Infinity);
  }

  private newStream(streamId: number): StreamEntry {
    const o = this.options;
    const s: StreamEntry = {
      streamId, epoch: 0, generation: 0,
      window: new ReceiveWindow(o.windowFrames), history: new HistoryRing(o.historyFrames),
      stripes: 1, parents: [''], stripeHigh: [0], sinceParent: [0], firstFromParent: [0], stripeCount: [0],
      reattached: [false], reportedAt: [-Infinity], children: [],
      meshHigh: 0, lastMeshFrameAt: this.clock.now(), fallback: false, fallbackSince: 0, resyncAsked: false,
      deliver: (seq, frame) => {
        this.stats.delivered++;
        this.events.onFrame(streamId, s.epoch, seq, frame);
      },
    };
    return s;
  }
}
