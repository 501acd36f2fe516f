import {
  ErrorCode, MESH_FRAME_TAG, MESH_PROTOCOL_VERSION, MeshCoordinator, RELAY_PEER_ID, decodeMeshControl, encodeMeshControl,
  type FrameSigner, type MeshClock, type MeshCoordinatorOptions,
} from '@tickmesh/shared';
import type { Logger } from 'pino';
import type { RelayMetrics } from '../metrics/relay-metrics';
import type { EncodedFrame } from './encoded-frame';
import type { MarketDataService } from './market-data-service';
import type { MeshLink, MeshPort } from './mesh-link';
import { SessionMeshTransport, meshWireFrame } from './session-mesh-transport';
import type { WireFrame } from './wire-frame';
import { SignedBatchPipeline, type SignedBatchPipelineOptions } from './signed-batch-pipeline';

export interface MeshDistributionDeps {
  /** The relay's market-data key (keyId 1); its public key goes in every Welcome. */
  signer: FrameSigner;
  /** True when `peerId` is registered in signalling right now by `account` (signalling.peers()). */
  isRegistered(peerId: string, account: string): boolean;
  md: MarketDataService;
  metrics: RelayMetrics;
  log: Logger;
  /** Default DEFAULT_MESH_COORDINATOR_OPTIONS. */
  coordinator?: Partial<MeshCoordinatorOptions>;
  /** Default DEFAULT_SIGNED_BATCH_PIPELINE_OPTIONS. */
  pipeline?: Partial<SignedBatchPipelineOptions>;
  /** Default the system clock (tests of the coordinator use virtual ones). */
  clock?: MeshClock;
}

/** A session acting as a mesh peer: its PeerJS id and the streams it joined. */
interface PeerLinkState {
  peerId: string;
  joined: Set<number>;
}

/**
 * The relay side of the market-data mesh: signs each batch once (SignedBatchPipeline), feeds
 * the signed frames to the MeshCoordinator, and speaks the mesh's control protocol with peers
 * over their authenticated /ws sessions (`ClientMessage.mesh` / `ServerMessage.mesh`).
 *
 * Relay-link protocol, per session:
 * 1. `hello {peer_id, protocol_version: 1}` binds a PeerJS id. Accepted only if signalling has
 *    that id registered by the session's own account (a peer cannot claim someone else's id),
 *    else Error MESH_PEER_NOT_REGISTERED. Answered with `hello {peer_id: "relay"}`. A second
 *    session of the account presenting the same id (a reload) takes it over.
 * 2. `join {stream_id}` (after Subscribe and its snapshot) places the peer in the stream's
 *    trees; from then on the session gets no direct batches of that stream, only mesh frames.
 * 3. `fallback {active: true}` is answered by the session itself: a fresh snapshot and direct
 *    batches again (the relay's direct feed is the fallback; the coordinator's signed fallback
 *    feed would duplicate it, so it is not engaged). `fallback {active: false}` or a new `join`
 *    switches back to the mesh.
 * 4. `leave`, `want`, `report`, `goodbye` go to the coordinator; leave and goodbye restore direct
 *    delivery. Closing the session, eviction, or the id leaving signalling do the same.
 */
export class MeshDistribution implements MeshPort {
  readonly coordinator: MeshCoordinator;
  private readonly transport: SessionMeshTransport;
  private readonly pipeline: SignedBatchPipeline;
  private readonly links = new Map<MeshLink, PeerLinkState>();
  /** The answer to a hello; it names the key this node signs with (an edge's sessions may hold an older one). */
  private readonly helloAck: WireFrame;

  constructor(private readonly deps: MeshDistributionDeps) {
    const mdPublicKey = Buffer.from(deps.signer.publicKey).toString('base64');
    this.helloAck = meshWireFrame(encodeMeshControl({ type: 'hello', peerId: RELAY_PEER_ID, protocolVersion: MESH_PROTOCOL_VERSION, mdPublicKey }));
    this.transport = new SessionMeshTransport((_peerId, link) => this.forget(link));
    this.coordinator = new MeshCoordinator(this.transport, deps.coordinator, deps.clock);
    this.pipeline = new SignedBatchPipeline(
      deps.signer,
      (streamId, epoch, seq, message) => this.coordinator.publish(streamId, epoch, seq, message),
      deps.metrics,
      deps.log,
      deps.pipeline,
    );
    deps.metrics.attachMesh(this.coordinator);
  }

  /** Raw public key for Welcome.md_public_key (32 bytes Ed25519, 65 bytes P-256). */
  get publicKey(): Uint8Array {
    return this.deps.signer.publicKey;
  }

  /** Sessions currently bound to a PeerJS id. */
  get peerLinks(): number {
    return this.links.size;
  }

  /**
   * One encoded batch, after it went to direct subscribers. Signing costs ~90 µs of a core per
   * batch, so it runs only while some session is bound as a mesh peer. A peer binds (hello)
   * before it subscribes, so every batch after its snapshot is signed and in the history.
   */
  readonly publishBatch = (frame: EncodedFrame): void => {
    if (this.links.size > 0) this.pipeline.push(frame);
  };

  /** Resolves once every batch flushed so far reached the coordinator (tests). */
  idle(): Promise<void> {
    return this.pipeline.idle();
  }

  /** One `ClientMessage.mesh` payload from a session. */
  receive(link: MeshLink, requestId: number, bytes: Uint8Array): void {
    if (bytes[0] === MESH_FRAME_TAG) {
      link.refuseMesh(requestId, ErrorCode.MESH_PROTOCOL, 'peers do not send frames to the relay');
      return;
    }
    const m = decodeMeshControl(bytes);
    if (m === undefined) {
      link.refuseMesh(requestId, ErrorCode.MESH_MALFORMED, 'undecodable mesh message');
      return;
    }
    if (m.type === 'hello') {
      this.hello(link, requestId, m.peerId, m.protocolVersion);
      return;
    }
    const state = this.links.get(link);
    if (!state) {
      link.refuseMesh(requestId, ErrorCode.MESH_PEER_NOT_REGISTERED, 'send a mesh hello with your PeerJS id first');
      return;
    }
    const peerId = state.peerId;
    switch (m.type) {
      case 'join':
        if (!this.deps.md.stream(m.streamId)) {
          link.refuseMesh(requestId, ErrorCode.MD_UNKNOWN_STREAM, `unknown stream ${m.streamId}`);
          return;
        }
        state.joined.add(m.streamId);
        link.setViaMesh(m.streamId, true);
        this.coordinator.onMessage(peerId, bytes);
        return;
      case 'fallback':
        if (state.joined.has(m.streamId)) link.setViaMesh(m.streamId, !m.active);
        return;
      case 'leave':
        if (state.joined.delete(m.streamId)) link.setViaMesh(m.streamId, false);
        this.coordinator.onMessage(peerId, bytes);
        return;
      case 'goodbye':
        this.coordinator.onMessage(peerId, bytes);
        this.unbind(link, state);
        return;
      case 'want':
      case 'report':
        this.coordinator.onMessage(peerId, bytes);
        return;
      default:
        // assign, have, missing, attach, detach, ping, pong: not peer -> relay messages.
        link.refuseMesh(requestId, ErrorCode.MESH_PROTOCOL, `mesh ${m.type} is not sent to the relay`);
    }
  }

  /** The session ended: the coordinator re-parents the peer's children. */
  linkClosed(link: MeshLink): void {
    const state = this.links.get(link);
    if (state) this.unbind(link, state, ErrorCode.MESH_PEER_CLOSED);
  }

  /** The PeerJS id left signalling (not a reclaim): the peer can no longer be reached by others. */
  peerUnregistered(peerId: string): void {
    const link = this.transport.linkOf(peerId);
    const state = link && this.links.get(link);
    if (link && state) this.dismiss(link, state, ErrorCode.MESH_PEER_CLOSED);
  }

  close(): void {
    this.pipeline.close();
    this.coordinator.close();
  }

  private hello(link: MeshLink, requestId: number, peerId: string, version: number): void {
    if (version !== MESH_PROTOCOL_VERSION) {
      link.refuseMesh(requestId, ErrorCode.MESH_PROTOCOL, `mesh protocol ${version} unsupported; this relay speaks ${MESH_PROTOCOL_VERSION}`);
      return;
    }
    const current = this.links.get(link);
    if (current?.peerId === peerId) {
      link.sendMesh(this.helloAck, false);
      return;
    }
    if (!peerId || !this.deps.isRegistered(peerId, link.account)) {
      link.refuseMesh(requestId, ErrorCode.MESH_PEER_NOT_REGISTERED, `peer id ${peerId} is not registered in signalling by account ${link.account}`);
      return;
    }
    if (this.coordinator.isEvicted(peerId)) {
      link.refuseMesh(requestId, ErrorCode.MESH_EVICTED, `peer ${peerId} was evicted from the mesh`);
      return;
    }
    if (current) this.unbind(link, current);
    // Same account (checked above): a reloaded tab or a reconnected worker takes its id over.
    const holder = this.transport.linkOf(peerId);
    const held = holder && this.links.get(holder);
    if (holder && held) this.dismiss(holder, held, ErrorCode.MESH_PEER_CLOSED);
    this.links.set(link, { peerId, joined: new Set() });
    this.transport.bind(peerId, link);
    link.sendMesh(this.helloAck, false);
    this.deps.log.debug({ peerId, account: link.account }, 'mesh peer registered');
  }

  /**
   * Unbinds a peer that did not ask to go, and tells it: its session is fed direct again, and a
   * node that still counted itself in the mesh would never rejoin (and show the mesh as on).
   */
  private dismiss(link: MeshLink, state: PeerLinkState, code: string): void {
    link.sendMesh(meshWireFrame(encodeMeshControl({ type: 'goodbye', code })), false);
    this.unbind(link, state, code);
  }

  private unbind(link: MeshLink, state: PeerLinkState, code: string = ErrorCode.MESH_LEAVING): void {
    this.transport.unbind(state.peerId);
    this.forget(link);
    this.coordinator.onClose(state.peerId, code);
  }

  private forget(link: MeshLink): void {
    if (!this.links.delete(link)) return;
    link.clearMesh();
  }
}
