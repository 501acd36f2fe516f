/**
 * Protobuf wire primitives for the hand-rolled hot-path encoders: size a message exactly, then
 * write it into one right-sized Uint8Array. protobufjs' Writer queues an op object per field
 * and copies on finish(); these functions allocate nothing.
 *
 * Values are JS numbers holding integers. Encoders size every value before writing it, so an
 * invalid value (NaN, fraction, beyond ±2^53) is caught by `checkWireInt` during sizing.
 */

const TWO_32 = 4294967296;

/** Throws on a value the wire cannot carry exactly: a broken invariant of the caller. */
export function checkWireInt(v: number, field: string): void {
  if (!Number.isSafeInteger(v)) throw new RangeError(`${field}: ${v} is not a safe integer`);
}

/** Bytes of an unsigned varint of `n` (0 <= n < 2^53). */
export function uvarintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  if (n < 0x800000000) return 5;
  if (n < 0x40000000000) return 6;
  if (n < 0x2000000000000) return 7;
  return 8; // < 2^56 covers every safe integer
}

/** Bytes of an int64/int32/enum varint: negatives take 10 bytes (two's complement). */
export function int64Size(n: number): number {
  return n < 0 ? 10 : uvarintSize(n);
}

/** Zig-zag of a safe integer as a number (exact: |n| <= 2^53 keeps 2|n| within 2^54, even). */
export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/** Bytes of an sint64 varint. */
export function sint64Size(n: number): number {
  // -2n-1 is inexact above 2^53; such magnitudes take 8 bytes either way.
  return n >= -0x10000000000000 ? uvarintSize(zigzag(n)) : 8;
}

/** Writes an unsigned varint (0 <= n < 2^53); returns the new position. */
export function writeUvarint(buf: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80000000) {
    // `n & 0x7f` is exact for integers beyond 32 bits: ToInt32 keeps the low bits.
    const low = n & 0x7f;
    buf[pos++] = low | 0x80;
    n = (n - low) / 128;
  }
  while (n > 0x7f) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[pos++] = n;
  return pos;
}

function writeVarint64Bits(buf: Uint8Array, pos: number, lo: number, hi: number): number {
  while (hi !== 0 || lo > 0x7f) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[pos++] = lo;
  return pos;
}

/** Writes an int64 varint (negative = 10-byte two's complement). */
export function writeInt64(buf: Uint8Array, pos: number, n: number): number {
  if (n >= 0) return writeUvarint(buf, pos, n);
  return writeVarint64Bits(buf, pos, n >>> 0, Math.floor(n / TWO_32) >>> 0);
}

/** Writes a zig-zag sint64 varint. */
export function writeSint64(buf: Uint8Array, pos: number, n: number): number {
  if (n >= -0x10000000000000) return writeUvarint(buf, pos, zigzag(n));
  // Beyond -2^52 the zig-zag number is inexact as a double: zig-zag the 64 bits instead.
  const lo = n >>> 0;
  const hi = Math.floor(n / TWO_32) >>> 0;
  const mask = hi >> 31;
  return writeVarint64Bits(buf, pos, ((lo << 1) ^ mask) >>> 0, (((hi << 1) | (lo >>> 31)) ^ mask) >>> 0);
}
