import { ErrorCode, WIRE_FEATURE_BOOK_DELTA, decodeClient, encodeServer, fail, grantFeatures, ok, type Result, type ServerMsg } from '@tickmesh/shared';
import type { EncodedFrame } from '../md/encoded-frame';
import type { WireFrame } from '../md/wire-frame';
import type { SessionRequest, StreamSubscription, WireProtocol } from './wire-protocol';

/** /ws: one binary protobuf ClientMessage / ServerMessage per frame. */
export const protoProtocol: WireProtocol = {
  name: 'proto',
  decode(data: Buffer, isBinary: boolean): Result<SessionRequest> {
    if (!isBinary) return fail(ErrorCode.CODEC_WRONG_FRAME_TYPE, 'this endpoint takes binary protobuf frames; use /ws/json for JSON');
    const r = decodeClient(data);
    return r.ok ? ok({ msg: r.value }) : r;
  },
  encode(msg: ServerMsg): Buffer {
    const bytes = encodeServer(msg);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  },
  marketData(frame: EncodedFrame, _sub: StreamSubscription, write: (frame: WireFrame) => void): void {
    write(frame.proto);
  },
};

/** /ws for a client that asked for `book_delta`: its book batches go out as BookDelta (encoded once per batch for all such sessions). */
export const protoCompactProtocol: WireProtocol = {
  ...protoProtocol,
  features: [WIRE_FEATURE_BOOK_DELTA],
  marketData(frame: EncodedFrame, _sub: StreamSubscription, write: (frame: WireFrame) => void): void {
    write(frame.compact);
  },
};

/**
 * The /ws protocol for the features a client asked for in its upgrade URL (`/ws?features=book_delta`;
 * a browser's WebSocket cannot send Hello before the relay's Welcome, which says what was granted).
 */
export function protoProtocolFor(asked: string | null): WireProtocol {
  const granted = grantFeatures(asked ? asked.split(',').map((f) => f.trim()) : []);
  return granted.includes(WIRE_FEATURE_BOOK_DELTA) ? protoCompactProtocol : protoProtocol;
}
