import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../model/random';
import { $protobuf } from './protobuf-runtime';
import { WireReader } from './wire-reader';
import { int64Size, sint64Size, uvarintSize, writeInt64, writeSint64, writeUvarint } from './wire-writer';

// The hand-rolled varint code must agree bit for bit with protobufjs on every magnitude.
const rand = mulberry32(42);
const EDGES = [0, 1, 127, 128, 16383, 16384, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 52, 2 ** 53 - 1];
const randomSafe = () => Math.floor(rand() * 2 ** Math.floor(rand() * 54));
const unsigned = [...EDGES, ...Array.from({ length: 2000 }, randomSafe)].filter((v) => v <= Number.MAX_SAFE_INTEGER);
const signed = [...unsigned, ...unsigned.filter((v) => v !== 0).map((v) => -v)];

function viaProtobufjs(write: (w: $protobuf.Writer) => void): number[] {
  const w = $protobuf.Writer.create();
  write(w);
  return Array.from(w.finish());
}

function viaOurs(size: number, write: (buf: Uint8Array) => number): number[] {
  const buf = new Uint8Array(size);
  expect(write(buf)).toBe(size);
  return Array.from(buf);
}

describe('wire primitives match protobufjs', () => {
  it('uint64 varints', () => {
    for (const v of unsigned) {
      expect(viaOurs(uvarintSize(v), (b) => writeUvarint(b, 0, v))).toEqual(viaProtobufjs((w) => w.uint64(v)));
      expect(new WireReader(Uint8Array.from(viaProtobufjs((w) => w.uint64(v))), 0, 10).uint64()).toBe(v);
    }
  });

  it('int64 varints, negatives as 10-byte two\'s complement', () => {
    for (const v of signed) {
      expect(viaOurs(int64Size(v), (b) => writeInt64(b, 0, v))).toEqual(viaProtobufjs((w) => w.int64(v)));
      const bytes = Uint8Array.from(viaProtobufjs((w) => w.int64(v)));
      expect(new WireReader(bytes, 0, bytes.length).int64()).toBe(v);
    }
  });

  it('sint64 zig-zag varints', () => {
    for (const v of [...signed, -Number.MAX_SAFE_INTEGER]) {
      expect(viaOurs(sint64Size(v), (b) => writeSint64(b, 0, v))).toEqual(viaProtobufjs((w) => w.sint64(v)));
      const bytes = Uint8Array.from(viaProtobufjs((w) => w.sint64(v)));
      expect(new WireReader(bytes, 0, bytes.length).sint64()).toBe(v);
    }
  });

  it('values beyond 2^53 read back as unsafe numbers, never as wrong safe ones', () => {
    const bytes = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(Number.isSafeInteger(new WireReader(bytes, 0, bytes.length).uint64())).toBe(false);
    expect(new WireReader(bytes, 0, bytes.length).int64()).toBe(-1);
  });
});
