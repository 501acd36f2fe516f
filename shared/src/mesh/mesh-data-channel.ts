/**
 * What the mesh needs of one data channel to a neighbour: the browser's RTCDataChannel as it
 * is, werift's RTCDataChannel behind a small wrapper (it sends Buffers), a fake in tests.
 * Events (open, message, bufferedamountlow, close) are wired by the adapter, which hands them
 * to `MeshLinkTable.add`.
 */
export interface MeshDataChannel {
  /** 'connecting' | 'open' | 'closing' | 'closed' (RTCDataChannel.readyState). */
  readonly readyState: string;
  readonly bufferedAmount: number;
  send(bytes: Uint8Array): void;
  close(): void;
}

/** bufferedAmountLowThreshold every adapter sets on its channels: below it the node's sender drains. */
export const MESH_LOW_WATER_BYTES = 64 * 1024;

export function isChannelOpen(ch: MeshDataChannel): boolean {
  return ch.readyState === 'open';
}
