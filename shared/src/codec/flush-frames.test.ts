import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../model/codes';
import { mulberry32 } from '../model/random';
import { encodeBookDelta } from './book-delta-encoder';
import { encodeBookBatch } from './book-frame-encoder';
import { BTC, ETH, randomBatch } from './codec-fixtures';
import { encodeFlushFrames, readFlushFrames } from './flush-frames';
import { decodeServer } from './proto-codec';
import { pb } from './proto-types';

describe('FlushFrames (one signed mesh message per relay flush)', () => {
  const rand = mulberry32(5);
  const a = encodeBookDelta(randomBatch(rand, BTC, 1))!;
  const b = encodeBookBatch(randomBatch(rand, ETH, 1));

  it('is the concatenation of the frames, and splits back into views decodeServer reads', () => {
    const flush = encodeFlushFrames([a, b]);
    expect(flush.length).toBe(a.length + b.length);
    const r = readFlushFrames(flush);
    if (!r.ok) throw new Error(r.reason.code);
    expect(r.value.map((f) => Array.from(f))).toEqual([Array.from(a), Array.from(b)]);
    expect(r.value[0]!.buffer).toBe(flush.buffer);
    expect(decodeServer(r.value[0]!)).toEqual(decodeServer(a));
    expect(decodeServer(r.value[1]!)).toEqual(decodeServer(b));
  });

  it('is the FlushFrames message of proto/mesh.proto for the generated decoder', () => {
    const m = pb.FlushFrames.decode(encodeFlushFrames([a, b, a]));
    expect(m.bookDelta.length).toBe(2);
    expect(m.bookBatch.length).toBe(1);
  });

  it('refuses frames that are not request-id-less book frames (a caller bug)', () => {
    expect(() => encodeFlushFrames([encodeBookBatch(randomBatch(rand, BTC, 2), 7)])).toThrow(RangeError);
  });

  it('reads other fields or truncated entries as CODEC_MALFORMED, never throwing', () => {
    const bad = (bytes: Uint8Array) => { const r = readFlushFrames(bytes); return r.ok ? 'ok' : r.reason.code; };
    expect(bad(Uint8Array.of(0x08, 1))).toBe(ErrorCode.CODEC_MALFORMED);
    expect(bad(a.subarray(0, a.length - 1))).toBe(ErrorCode.CODEC_MALFORMED);
    expect(bad(new Uint8Array(0))).toBe('ok');
  });
});
