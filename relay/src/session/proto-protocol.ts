import { ErrorCode, decodeClient, encodeServer, fail, ok, type Result, type ServerMsg } from '@tickmesh/shared';
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
