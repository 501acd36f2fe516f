import type { WireFrame } from './wire-frame';

/**
 * What the relay's mesh needs from one /ws session acting as a peer's relay link. The session
 * implements it; the mesh never sees sockets or protocol details.
 */
export interface MeshLink {
  /** Account the session authenticated as: a PeerJS id is accepted only if that account registered it. */
  readonly account: string;
  /** Bytes queued for the client and not yet handed to the kernel (the link's bufferedAmount). */
  readonly queuedBytes: number;
  /**
   * Sends one `ServerMessage { mesh }`. `droppable` marks signed frames: under backpressure the
   * session may drop them (the mesh repairs gaps), never control messages.
   */
  sendMesh(frame: WireFrame, droppable: boolean): void;
  /**
   * Switches one subscribed stream between mesh delivery (true: no direct batches) and direct
   * delivery (false: a fresh snapshot, then every batch, so the switch leaves no gap).
   */
  setViaMesh(streamId: number, viaMesh: boolean): void;
  /** Every stream back to direct delivery: the peer left, was evicted or lost its PeerJS id. */
  clearMesh(): void;
  /** Refuses one mesh request with a stable code; the session stays open (it may be trading). */
  refuseMesh(requestId: number, code: string, message: string): void;
}

/**
 * The mesh as a session sees it: MeshDistribution in a relay that runs its own market data, or
 * an edge's EdgeMesh (relay/src/cluster/edge-mesh.ts) forwarding to the cluster's mesh hub.
 */
export interface MeshPort {
  /** Raw public key for Welcome.md_public_key; empty when there is none (yet). */
  readonly publicKey: Uint8Array;
  /** One `ClientMessage.mesh` payload from a session. */
  receive(link: MeshLink, requestId: number, bytes: Uint8Array): void;
  /** The session ended. */
  linkClosed(link: MeshLink): void;
}
