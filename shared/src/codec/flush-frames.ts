import { ok, type Result } from '../model/result';
import { failFromError, malformed } from './decode-error';
import { WireReader } from './wire-reader';

/**
 * `FlushFrames` (proto/mesh.proto): the book frames of one relay flush across streams, carried
 * by one SignedFrame so the mesh pays one signature per flush instead of one per stream.
 *
 * Each entry is a whole `ServerMessage { book_delta }` or `{ book_batch }` frame without a
 * request id: FlushFrames reuses those field numbers, so encoding is concatenation and
 * splitting returns views that `decodeServer` reads as they are.
 */

// Tags of the ServerMessage book bodies a flush may hold: book_delta = 2, book_batch = 21.
const TAG_DELTA = 0x12;
const TAG_BATCH = 21 * 8 + 2;

/** Concatenates book frames (encodeBookDelta / encodeBookBatch output, request id 0) into one FlushFrames. */
export function encodeFlushFrames(frames: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const f of frames) len += f.length;
  const out = new Uint8Array(len);
  let p = 0;
  for (const f of frames) {
    // Only the first tag byte is checked: a caller bug (a frame with a request id, or not a book frame).
    if (f[0] !== TAG_DELTA && !(f[0] === ((TAG_BATCH & 0x7f) | 0x80) && f[1] === TAG_BATCH >>> 7)) {
      throw new RangeError('a flush holds book_delta or book_batch frames without a request id');
    }
    out.set(f, p);
    p += f.length;
  }
  return out;
}

/**
 * Splits a FlushFrames into its ServerMessage frames (views, nothing copied). Never throws:
 * another field or a truncated entry is CODEC_MALFORMED. The frames are decoded (and
 * validated) by `decodeServer` like any other.
 */
export function readFlushFrames(bytes: Uint8Array): Result<Uint8Array[]> {
  try {
    const r = new WireReader(bytes, 0, bytes.length);
    const frames: Uint8Array[] = [];
    while (r.pos < r.end) {
      const start = r.pos;
      const tag = r.tag();
      if (tag !== TAG_DELTA && tag !== TAG_BATCH) throw malformed(`unexpected field tag ${tag} in a flush`);
      const end = r.delimitedEnd();
      frames.push(bytes.subarray(start, end));
      r.pos = end;
    }
    return ok(frames);
  } catch (e) {
    return failFromError(e);
  }
}
