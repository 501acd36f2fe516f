import { MESH_FRAME_TAG, encodeServer, type MeshTransport } from '@tickmesh/shared';
import type { MeshLink } from './mesh-link';
import { WireFrame } from './wire-frame';

/** Wraps one MeshMessage as the `ServerMessage { mesh }` frame a session sends. */
export function meshWireFrame(message: Uint8Array): WireFrame {
  const bytes = encodeServer({ type: 'mesh', requestId: 0, payload: message });
  return new WireFrame(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), true);
}

/**
 * The MeshCoordinator's link layer on the relay: peer id -> the /ws session that registered
 * it. The relay never dials peers (a peer's link is the session it opened), so `connect` does
 * nothing and `disconnect` only ends the session's mesh role, not the session, which may also
 * be trading.
 */
export class SessionMeshTransport implements MeshTransport {
  private readonly links = new Map<string, MeshLink>();
  // The coordinator sends one signed frame to several seeds in a row: wrap it once for all.
  private lastMessage: Uint8Array | undefined;
  private lastFrame: WireFrame | undefined;

  /** @param onDisconnect told when the coordinator drops a peer (eviction), after the binding is gone. */
  constructor(private readonly onDisconnect: (peerId: string, link: MeshLink, code: string) => void) {}

  bind(peerId: string, link: MeshLink): void {
    this.links.set(peerId, link);
  }

  unbind(peerId: string): void {
    this.links.delete(peerId);
  }

  linkOf(peerId: string): MeshLink | undefined {
    return this.links.get(peerId);
  }

  get size(): number {
    return this.links.size;
  }

  connect(_peerId: string): void {}

  disconnect(peerId: string, code: string): void {
    const link = this.links.get(peerId);
    if (!link) return;
    this.links.delete(peerId);
    this.onDisconnect(peerId, link, code);
  }

  send(peerId: string, bytes: Uint8Array): void {
    const link = this.links.get(peerId);
    if (!link) return;
    if (bytes !== this.lastMessage) {
      this.lastMessage = bytes;
      this.lastFrame = meshWireFrame(bytes);
    }
    link.sendMesh(this.lastFrame!, bytes[0] === MESH_FRAME_TAG);
  }

  bufferedAmount(peerId: string): number {
    return this.links.get(peerId)?.queuedBytes ?? 0;
  }

  isOpen(peerId: string): boolean {
    return this.links.has(peerId);
  }
}
