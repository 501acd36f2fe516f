import { FastBook } from '../../book/fast-book';
import { completeSignedFrame, prepareSignedFrame } from '../../codec/frame-signing';
import { encodeBookBatch, encodeBookSnapshot } from '../../codec/book-frame-encoder';
import { encodeBookDelta } from '../../codec/book-delta-encoder';
import { encodeFlushFrames, readFlushFrames } from '../../codec/flush-frames';
import { decodeServer } from '../../codec/proto-codec';
import { StreamState, type BookBatch } from '../../model/market-data';
import { mulberry32, randomInt, type RandomSource } from '../../model/random';
import { Side } from '../../model/side';
import { BookStream } from '../../stream/book-stream';
import { MeshCoordinator } from '../mesh-coordinator';
import type { MeshCoordinatorOptions } from '../mesh-coordinator-options';
import { MeshNode } from '../mesh-node';
import type { MeshNodeOptions } from '../mesh-node-options';
import { RELAY_PEER_ID } from '../mesh-transport';
import { EventQueue } from './event-queue';
import { testSignature, testVerifier } from './test-signer';
import { VirtualNetwork } from './virtual-network';

/** Parameters of `runMeshSimulation`; defaults are the scenario. */
export interface MeshSimulationOptions {
  /** Peers at the start. Default 200. */
  peers: number;
  /** Market-data streams, every peer subscribes to all. Default 3. */
  streams: number;
  /** Frames (relay flushes) per stream. Default 1000. */
  framesPerStream: number;
  /** Relay flush interval per stream in ms. Default 10. */
  frameIntervalMs: number;
  /** Share of peers that leave during the run, replaced by as many new ones. Default 0.2. */
  churn: number;
  /** Share of leaving peers that say goodbye; the rest vanish. Default 0.5. */
  gracefulShare: number;
  /** How long until the others notice a vanished peer (ICE/WebSocket timeouts). Default 100. */
  vanishNoticeMs: number;
  /** Loss on peer-to-peer links. Default 0.01. */
  lossRate: number;
  /** Link one-way latency range. Default 0.2 .. 2 ms. */
  minLatencyMs: number;
  maxLatencyMs: number;
  /** Run on after the last frame so repairs finish. Default 1000. */
  drainMs: number;
  /** PRNG seed. Default 1. */
  seed: number;
  /** Batch frames as BookBatch or the compact BookDelta (Hello.features "book_delta"). Default 'batch'. */
  frames: 'batch' | 'delta';
  /**
   * 'per-stream': one signed frame per stream per flush, streams flushing at staggered offsets.
   * 'per-flush': every stream flushes at the same instant (as MarketDataService.flush does) and
   * the relay signs one FlushFrames per flush on one mesh channel carrying all streams.
   * Default 'per-stream'.
   */
  signing: 'per-stream' | 'per-flush';
  node: Partial<MeshNodeOptions>;
  coordinator: Partial<MeshCoordinatorOptions>;
}

export const DEFAULT_MESH_SIMULATION_OPTIONS: Readonly<MeshSimulationOptions> = Object.freeze({
  peers: 200, streams: 3, framesPerStream: 1000, frameIntervalMs: 10, churn: 0.2, gracefulShare: 0.5, vanishNoticeMs: 100,
  lossRate: 0.01, minLatencyMs: 0.2, maxLatencyMs: 2, drainMs: 1000, seed: 1, frames: 'batch', signing: 'per-stream',
  node: {}, coordinator: {},
});

/** Measured outcome of one simulation run. */
export interface MeshSimulationResult {
  peersAtEnd: number;
  peersJoined: number;
  peersLeft: number;
  framesPublished: number;
  /** Over peers present at the end: stream seqs behind the relay's last seq (0 = no gap left). */
  missingFrames: number;
  /** Streams (peer x stream, present at the end) whose book checksum differs from the relay's. */
  checksumMismatches: number;
  /** Batches the BookStream refused (gap, checksum): must be 0. */
  applyErrors: number;
  /** Snapshots re-fetched because the mesh could not repair. */
  resyncs: number;
  /** In-order deliveries to owners (all peers). */
  deliveries: number;
  /** Frame messages received by peers / first copies accepted. */
  duplicateFactor: number;
  /** Delivery time minus what the relay's direct link would have taken, ms. */
  addedLatencyP50Ms: number;
  addedLatencyP99Ms: number;
  addedLatencyMaxMs: number;
  /** Relay market-data frames sent (seed + repair + fallback + join snapshots) and their bytes. */
  relayFrames: number;
  relayFrameBytes: number;
  /** Relay mesh control bytes (assign, have heartbeat, missing). */
  relayControlBytes: number;
  seedFrames: number;
  repairFrames: number;
  fallbackFrames: number;
  /** Direct delivery: every present peer gets every frame (plus its join snapshots). */
  directFrames: number;
  directFrameBytes: number;
  /** relayFrames / directFrames, and (relayFrameBytes + relayControlBytes) / directFrameBytes. */
  egressFrameRatio: number;
  egressByteRatio: number;
  peerRepairRequests: number;
  relayRepairRequests: number;
  fallbacks: number;
  misbehaviour: number;
  simulatedMs: number;
  events: number;
}

interface SimPeer {
  id: string;
  node: MeshNode;
  books: BookStream[];
  alive: boolean;
}

const EPOCH = 1;
const SECRET = 0x5eed;

/**
 * Runs the mesh on an in-process network with a virtual clock: one relay (MeshCoordinator plus
 * a synthetic book per stream, signing every batch), `peers` MeshNodes applying what they get to
 * BookStreams, loss, latency and churn. Deterministic for a given seed; takes a few seconds of
 * CPU for the default 200 peers x 3 streams x 1000 frames.
 */
export function runMeshSimulation(overrides: Partial<MeshSimulationOptions> = {}): MeshSimulationResult {
  const o: MeshSimulationOptions = { ...DEFAULT_MESH_SIMULATION_OPTIONS, ...overrides };
  const rand = mulberry32(o.seed);
  const queue = new EventQueue();
  const net = new VirtualNetwork(queue, { rand, lossRate: o.lossRate, minLatencyMs: o.minLatencyMs, maxLatencyMs: o.maxLatencyMs });
  const relayTransport = net.add(RELAY_PEER_ID);
  const coordinator = new MeshCoordinator(relayTransport, o.coordinator, queue);
  net.bind(RELAY_PEER_ID, coordinator);
  const verifier = testVerifier(SECRET);

  const books = Array.from({ length: o.streams }, () => seedBook(rand));
  const latestSeq = new Array<number>(o.streams).fill(0);
  const publishedAt: Float64Array[] = Array.from({ length: o.streams }, () => new Float64Array(o.framesPerStream + 1));
  const latencies: number[] = [];
  const peers: SimPeer[] = [];
  let snapshotFrames = 0;
  let snapshotBytes = 0;
  let directFrames = 0;
  let directFrameBytes = 0;
  let applyErrors = 0;
  let resyncs = 0;
  let alive = 0;

  const perFlush = o.signing === 'per-flush';
  // The mesh stream id of the flush channel: one past the market-data streams.
  const channel = o.streams;
  let flushSeq = 0;
  const flushPublishedAt = new Float64Array(o.framesPerStream + 1);
  const encodeBatch = (b: BookBatch) => (o.frames === 'delta' ? encodeBookDelta(b) ?? encodeBookBatch(b) : encodeBookBatch(b));
  const applyFrame = (peer: SimPeer, frame: Uint8Array) => {
    const r = decodeServer(frame);
    if (!r.ok || r.value.type !== 'bookBatch') { applyErrors++; return; }
    const stream = peer.books[r.value.streamId];
    if (!stream) { applyErrors++; return; }
    // A flush may hold a batch the peer's snapshot already covers.
    if (perFlush && r.value.seq <= stream.seq) return;
    if (stream.applyBatch(r.value).action !== 'applied') applyErrors++;
  };

  const snapshotInto = (peer: SimPeer, streamId: number) => {
    const book = books[streamId]!;
    const frame = encodeBookSnapshot({
      streamId, epoch: EPOCH, seq: latestSeq[streamId]!, bids: book.levels(Side.Buy), asks: book.levels(Side.Sell),
      recentTrades: [], checksum: book.checksum(), state: StreamState.Live, timeUs: Math.round(queue.now() * 1000),
    });
    snapshotFrames++;
    snapshotBytes += frame.length;
    const r = decodeServer(frame);
    if (!r.ok || r.value.type !== 'bookSnapshot' || peer.books[streamId]!.applySnapshot(r.value).action !== 'applied') applyErrors++;
    if (!perFlush) peer.node.subscribe(streamId, EPOCH, latestSeq[streamId]!);
  };
  const snapshotAll = (peer: SimPeer) => {
    for (let s = 0; s < o.streams; s++) snapshotInto(peer, s);
    if (perFlush) peer.node.subscribe(channel, EPOCH, flushSeq);
  };

  let nextPeer = 0;
  const join = () => {
    const id = `p${nextPeer++}`;
    const transport = net.add(id);
    const peer: SimPeer = { id, node: undefined as unknown as MeshNode, books: [], alive: true };
    const directLatency = net.latency(id, RELAY_PEER_ID);
    peer.node = new MeshNode(id, transport, verifier, {
      onFrame(streamId, _epoch, seq, frame) {
        if (!perFlush) {
          latencies.push(queue.now() - publishedAt[streamId]![seq]! - directLatency);
          applyFrame(peer, frame);
          return;
        }
        latencies.push(queue.now() - flushPublishedAt[seq]! - directLatency);
        const frames = readFlushFrames(frame);
        if (!frames.ok) { applyErrors++; return; }
        for (const f of frames.value) applyFrame(peer, f);
      },
      onResync(streamId) {
        resyncs++;
        if (perFlush) snapshotAll(peer);
        else snapshotInto(peer, streamId);
      },
    }, o.node, queue);
    net.bind(id, peer.node);
    for (let s = 0; s < o.streams; s++) peer.books.push(new BookStream(s));
    snapshotAll(peer);
    peers.push(peer);
    alive++;
  };

  const leave = () => {
    const candidates = peers.filter((p) => p.alive);
    if (!candidates.length) return;
    const peer = candidates[randomInt(rand, 0, candidates.length - 1)]!;
    peer.alive = false;
    alive--;
    if (rand() < o.gracefulShare) {
      peer.node.close();
      net.remove(peer.id, 0);
    } else {
      net.remove(peer.id, o.vanishNoticeMs);
      peer.node.close(); // its goodbyes go nowhere: the endpoint is already gone
    }
  };

  // Initial peers arrive over the first 200 ms; churn happens between 10% and 70% of the run.
  for (let i = 0; i < o.peers; i++) queue.at(rand() * 200, join);
  const runMs = o.framesPerStream * o.frameIntervalMs;
  const churnCount = Math.round(o.peers * o.churn);
  for (let i = 0; i < churnCount; i++) {
    queue.at(runMs * (0.1 + 0.6 * rand()), leave);
    queue.at(runMs * (0.1 + 0.6 * rand()), join);
  }

  const sign = (streamId: number, seq: number, frame: Uint8Array) => {
    const prepared = prepareSignedFrame({ streamId, epoch: EPOCH, seq, keyId: 1 }, frame);
    return completeSignedFrame(prepared, testSignature(SECRET, prepared.signed));
  };
  /** Takes stream s's next batch and counts its direct delivery (one /ws frame per stream). */
  const nextFrame = (s: number, seq: number) => {
    const frame = encodeBatch(randomBatch(rand, books[s]!, s, seq, Math.round(queue.now() * 1000)));
    latestSeq[s] = seq;
    publishedAt[s]![seq] = queue.now();
    directFrames += alive;
    directFrameBytes += alive * frame.length;
    return frame;
  };
  for (let seq = 1; seq <= o.framesPerStream; seq++) {
    if (perFlush) {
      queue.at((seq - 1) * o.frameIntervalMs + 1, () => {
        const frames = Array.from({ length: o.streams }, (_, s) => nextFrame(s, seq));
        flushSeq = seq;
        flushPublishedAt[seq] = queue.now();
        coordinator.publish(channel, EPOCH, seq, sign(channel, seq, encodeFlushFrames(frames)));
      });
      continue;
    }
    for (let s = 0; s < o.streams; s++) {
      // Streams flush at staggered offsets, as venues' updates do not align.
      queue.at((seq - 1) * o.frameIntervalMs + (s * o.frameIntervalMs) / o.streams + 1, () => {
        coordinator.publish(s, EPOCH, seq, sign(s, seq, nextFrame(s, seq)));
      });
    }
  }

  const end = runMs + o.frameIntervalMs + o.drainMs;
  queue.runUntil(end);

  let missingFrames = 0;
  let checksumMismatches = 0;
  let peersAtEnd = 0;
  for (const p of peers) {
    if (!p.alive) continue;
    peersAtEnd++;
    for (let s = 0; s < o.streams; s++) {
      const bs = p.books[s]!;
      missingFrames += latestSeq[s]! - bs.seq;
      if (bs.book.checksum() !== books[s]!.checksum() || !bs.isLive) checksumMismatches++;
    }
  }
  let received = 0, first = 0, deliveries = 0, peerRepairs = 0, relayRepairs = 0, fallbacks = 0, misbehaviour = 0;
  for (const p of peers) {
    const st = p.node.stats;
    received += st.framesReceived;
    first += st.firstCopies;
    deliveries += st.delivered;
    peerRepairs += st.repairRequests;
    relayRepairs += st.relayRepairRequests;
    fallbacks += st.fallbacks;
    for (const n of Object.values(st.misbehaviour)) misbehaviour += n;
    p.node.close();
  }
  coordinator.close();
  const e = coordinator.egress;
  const relayFrames = e.seedFrames + e.repairFrames + e.fallbackFrames + snapshotFrames;
  const relayFrameBytes = e.frameBytes + snapshotBytes;
  const lat = Float64Array.from(latencies).sort();
  const pct = (q: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.max(0, Math.ceil(q * lat.length) - 1))]! : NaN);
  return {
    peersAtEnd, peersJoined: nextPeer, peersLeft: nextPeer - peersAtEnd, framesPublished: o.framesPerStream * o.streams,
    missingFrames, checksumMismatches, applyErrors, resyncs, deliveries,
    duplicateFactor: first ? received / first : NaN,
    addedLatencyP50Ms: pct(0.5), addedLatencyP99Ms: pct(0.99), addedLatencyMaxMs: lat.length ? lat[lat.length - 1]! : NaN,
    relayFrames, relayFrameBytes, relayControlBytes: e.controlBytes,
    seedFrames: e.seedFrames, repairFrames: e.repairFrames, fallbackFrames: e.fallbackFrames,
    directFrames: directFrames + snapshotFrames, directFrameBytes: directFrameBytes + snapshotBytes,
    egressFrameRatio: relayFrames / (directFrames + snapshotFrames),
    egressByteRatio: (relayFrameBytes + e.controlBytes) / (directFrameBytes + snapshotBytes),
    peerRepairRequests: peerRepairs, relayRepairRequests: relayRepairs, fallbacks, misbehaviour,
    simulatedMs: end, events: queue.executed,
  };
}

/** A book with 20 levels a side around 10,000 ticks. */
function seedBook(rand: RandomSource): FastBook {
  const book = new FastBook();
  for (let i = 1; i <= 20; i++) {
    book.apply(Side.Buy, 10_000 - i, randomInt(rand, 1, 100));
    book.apply(Side.Sell, 10_000 + i, randomInt(rand, 1, 100));
  }
  return book;
}

/** 1..4 level changes per side near the touch (some deletes), applied to the relay's book. */
function randomBatch(rand: RandomSource, book: FastBook, streamId: number, seq: number, timeUs: number): BookBatch {
  const side = () => {
    const n = randomInt(rand, 1, 4);
    const price: number[] = [];
    const size: number[] = [];
    for (let i = 0; i < n; i++) {
      price.push(randomInt(rand, 1, 30));
      size.push(rand() < 0.2 ? 0 : randomInt(rand, 1, 500));
    }
    return { price, size };
  };
  const b = side();
  const a = side();
  b.price = b.price.map((d) => 10_000 - d);
  a.price = a.price.map((d) => 10_000 + d);
  book.applyLevels(Side.Buy, b);
  book.applyLevels(Side.Sell, a);
  return { streamId, epoch: EPOCH, seq, bids: b, asks: a, trades: [], checksum: book.checksum(), state: StreamState.Unspecified, timeUs };
}
