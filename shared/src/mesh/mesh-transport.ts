/**
 * What the mesh needs from a link layer: WebRTC data channels (PeerJS) in the browser, a
 * WebSocket to the relay, or the in-process virtual network of the tests. Peer ids are opaque
 * strings; `RELAY_PEER_ID` names the relay link.
 */

/** Peer id of the relay in every MeshNode's transport. */
export const RELAY_PEER_ID = 'relay';

export interface MeshTransport {
  /** Opens a link to `peerId` if none is open or opening; the handler's onOpen fires once usable. */
  connect(peerId: string): void;
  /** Closes the link; the far side sees onClose with `code` (a MESH_* code). */
  disconnect(peerId: string, code: string): void;
  /** Sends one message; dropped silently when the link is not open (the mesh repairs gaps). */
  send(peerId: string, bytes: Uint8Array): void;
  /** Bytes queued on the link and not yet sent (RTCDataChannel.bufferedAmount). */
  bufferedAmount(peerId: string): number;
  isOpen(peerId: string): boolean;
}

/** Callbacks a transport adapter invokes on a MeshNode or MeshCoordinator. */
export interface MeshLinkHandler {
  onOpen(peerId: string): void;
  /** One received message; `bytes` may be kept (history) so it must not be reused by the adapter. */
  onMessage(peerId: string, bytes: Uint8Array): void;
  onClose(peerId: string, code: string): void;
  /** bufferedAmount fell below the adapter's low-water mark (bufferedamountlow). */
  onDrain(peerId: string): void;
}

/** Opaque timer handle. */
export type MeshTimer = unknown;

/** Time source and timers, injectable so the simulation runs on a virtual clock. */
export interface MeshClock {
  /** Milliseconds, monotonic; fractional allowed. */
  now(): number;
  setTimer(delayMs: number, fn: () => void): MeshTimer;
  clearTimer(timer: MeshTimer): void;
}

/** performance.now and setTimeout: works in Node 20, browsers and workers. */
export const systemMeshClock: MeshClock = {
  now: () => performance.now(),
  setTimer: (ms, fn) => setTimeout(fn, ms),
  clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
};
