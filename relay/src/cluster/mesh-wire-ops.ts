/**
 * What the mesh hub and an edge say about the edge's sessions (mesh-hub.ts, edge-mesh.ts).
 *
 * Up (edge → hub, JSON, control only: hello, join, want, report …): one session's mesh message,
 * that the session closed, or (no payload) that its send queue crossed its limit either way. Down (hub → edge, binary, carries every signed frame to a seed on
 * the edge): `[op u8][link u32 LE][body]`, where the body of
 * - SEND is `[droppable u8]` + the ServerMessage bytes the session writes as they are;
 * - VIA is `[streamId u32 LE][on u8]` (mesh delivery on or off for one stream);
 * - CLEAR is empty (every stream back to direct delivery);
 * - REFUSE is JSON `{ requestId, code, message }`.
 */
export interface MeshUp {
  edge: string;
  /** The edge's number for the session (never reused by that edge). */
  link: number;
  account: string;
  requestId: number;
  /** Base64 MeshMessage; absent when `closed` and in a queue report. */
  payload?: string;
  /** The session's bytes queued and not yet written (the hub's view of its backpressure). */
  queued: number;
  /** Over its queue limit: the session drops signed frames, so the hub holds them back. */
  full?: boolean;
  closed?: true;
}

/** The op byte of a down message. */
export const MeshDownOp = { Send: 1, Via: 2, Clear: 3, Refuse: 4 } as const;

export function encodeMeshDown(op: (typeof MeshDownOp)[keyof typeof MeshDownOp], link: number, body: Uint8Array, head?: number): Buffer {
  const extra = head === undefined ? 0 : 1;
  const out = Buffer.allocUnsafe(5 + extra + body.length);
  out[0] = op;
  out.writeUInt32LE(link, 1);
  if (head !== undefined) out[5] = head;
  out.set(body, 5 + extra);
  return out;
}

export function viaBody(streamId: number, on: boolean): Uint8Array {
  const b = Buffer.allocUnsafe(5);
  b.writeUInt32LE(streamId, 0);
  b[4] = on ? 1 : 0;
  return b;
}

export type MeshDown =
  | { op: 'send'; link: number; droppable: boolean; frame: Buffer }
  | { op: 'via'; link: number; streamId: number; on: boolean }
  | { op: 'clear'; link: number }
  | { op: 'refuse'; link: number; requestId: number; code: string; message: string };

/** Reads one down message; undefined when it is not one. */
export function decodeMeshDown(data: Uint8Array): MeshDown | undefined {
  if (data.length < 5) return undefined;
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const link = b.readUInt32LE(1);
  switch (b[0]) {
    case MeshDownOp.Send:
      return b.length < 6 ? undefined : { op: 'send', link, droppable: b[5] === 1, frame: b.subarray(6) };
    case MeshDownOp.Via:
      return b.length < 10 ? undefined : { op: 'via', link, streamId: b.readUInt32LE(5), on: b[9] === 1 };
    case MeshDownOp.Clear:
      return { op: 'clear', link };
    case MeshDownOp.Refuse: {
      try {
        const r = JSON.parse(b.subarray(5).toString('utf8')) as { requestId: number; code: string; message: string };
        return { op: 'refuse', link, requestId: Number(r.requestId) || 0, code: String(r.code), message: String(r.message) };
      } catch {
        return undefined;
      }
    }
    default:
      return undefined;
  }
}
