import { ErrorCode } from '../model/codes';
import type { ClientMsg, ServerMsg } from '../model/messages';
import { fail, ok, type Result } from '../model/result';
import { finishBookBatch, finishBookSnapshot, newBookAccumulator, readBookBody, type BookAccumulator } from './book-frame-decoder';
import { encodeBookBatch, encodeBookSnapshot } from './book-frame-encoder';
import { finishBookDelta, newDeltaAccumulator, readDeltaBody, type DeltaAccumulator } from './book-delta-decoder';
import { DEFAULT_CODEC_LIMITS, type CodecLimits } from './codec-limits';
import { failFromError } from './decode-error';
import { checkUint } from './field-checks';
import { clientFromProto, clientToProto } from './proto-client-map';
import { serverFromProto, serverToProto } from './proto-server-map';
import { pb } from './proto-types';
import { WireReader } from './wire-reader';

/**
 * The /ws "enhanced" protocol: one protobuf `ServerMessage` / `ClientMessage` per WebSocket
 * frame. Encoders take domain messages; decoders return `Result`s and never throw, whatever
 * the bytes: malformed -> CODEC_MALFORMED, no known body -> CODEC_UNKNOWN_MESSAGE, a field out
 * of range -> CODEC_INVALID_FIELD, a frame over the limit -> CODEC_PAYLOAD_TOO_LARGE.
 */

/** Encodes a relay -> client frame. Book frames take the hand-rolled fast path. */
export function encodeServer(msg: ServerMsg): Uint8Array {
  if (msg.type === 'bookBatch') return encodeBookBatch(msg, msg.requestId);
  if (msg.type === 'bookSnapshot') return encodeBookSnapshot(msg, msg.requestId);
  return pb.ServerMessage.encode(serverToProto(msg)).finish();
}

/** Encodes a client -> relay frame. */
export function encodeClient(msg: ClientMsg): Uint8Array {
  return pb.ClientMessage.encode(clientToProto(msg)).finish();
}

// ServerMessage body field numbers (proto/messages.proto). Book bodies are 20, 21 and 2 (the
// compact batch); 40 is mesh.
const SERVER_BODY_FIELDS = new Set([2, 10, 11, 12, 13, 14, 15, 16, 20, 21, 30, 40, 50]);
const BODY_DELTA = 2;
const BODY_SNAPSHOT = 20;
const BODY_BATCH = 21;

/**
 * Decodes a relay -> client frame. Book frames (nearly all traffic) are read by a hand-rolled
 * scanner into Float64Arrays without protobufjs' per-field objects; other bodies go through
 * the generated decoder. Both validate every field.
 * @param limits defaults to `DEFAULT_CODEC_LIMITS`
 */
export function decodeServer(bytes: Uint8Array, limits: CodecLimits = DEFAULT_CODEC_LIMITS): Result<ServerMsg> {
  if (bytes.length > limits.maxServerFrameBytes) return fail(ErrorCode.CODEC_PAYLOAD_TOO_LARGE, `frame of ${bytes.length} bytes`);
  try {
    const r = new WireReader(bytes, 0, bytes.length);
    let requestId = 0;
    let body = 0;
    let book: BookAccumulator | undefined;
    let delta: DeltaAccumulator | undefined;
    while (r.pos < r.end) {
      const tag = r.tag();
      const field = tag >>> 3;
      const wireType = tag & 7;
      if (field === 1 && wireType === 0) {
        requestId = r.uint64();
      } else if (wireType === 2 && SERVER_BODY_FIELDS.has(field)) {
        if (field === BODY_BATCH || field === BODY_SNAPSHOT) {
          // oneof: a different body in between resets; the same body again merges.
          if (body !== field || book === undefined) book = newBookAccumulator();
          readBookBody(r, r.delimitedEnd(), book, limits);
        } else if (field === BODY_DELTA) {
          if (body !== field || delta === undefined) delta = newDeltaAccumulator();
          readDeltaBody(r, r.delimitedEnd(), delta, limits);
        } else {
          r.skip(wireType);
        }
        body = field;
      } else {
        r.skip(wireType);
      }
    }
    if (body === 0) return fail(ErrorCode.CODEC_UNKNOWN_MESSAGE, 'server message without a known body');
    if (body === BODY_DELTA) {
      checkUint(requestId, 'requestId');
      return ok(finishBookDelta(delta!, requestId, limits));
    }
    if (body === BODY_BATCH || body === BODY_SNAPSHOT) {
      checkUint(requestId, 'requestId');
      return ok(body === BODY_BATCH ? finishBookBatch(book!, requestId) : finishBookSnapshot(book!, requestId));
    }
    return ok(serverFromProto(pb.ServerMessage.decode(bytes), limits));
  } catch (e) {
    return failFromError(e);
  }
}

/**
 * Decodes a client -> relay frame: untrusted input, validated against `limits`.
 * @param limits defaults to `DEFAULT_CODEC_LIMITS` (ids <= 64 chars, lists <= 1000 entries, frame <= 64 KiB)
 */
export function decodeClient(bytes: Uint8Array, limits: CodecLimits = DEFAULT_CODEC_LIMITS): Result<ClientMsg> {
  if (bytes.length > limits.maxClientFrameBytes) return fail(ErrorCode.CODEC_PAYLOAD_TOO_LARGE, `frame of ${bytes.length} bytes`);
  try {
    return ok(clientFromProto(pb.ClientMessage.decode(bytes), limits));
  } catch (e) {
    return failFromError(e);
  }
}
