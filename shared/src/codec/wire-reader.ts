import { malformed } from './decode-error';

const TWO_32 = 4294967296;

/**
 * Minimal protobuf wire reader for the hand-rolled hot-path decoders. Unlike protobufjs'
 * Reader it allocates nothing per varint (no LongBits object). 64-bit values come back as
 * numbers; beyond 2^53 they are inexact and therefore fail `Number.isSafeInteger`, which the
 * decoders check. Truncated or overlong input throws `DecodeError(CODEC_MALFORMED)`.
 */
export class WireReader {
  pos: number;
  /** Low and high 32 bits of the last varint read by `varint64()`. */
  private lo = 0;
  private hi = 0;

  constructor(
    readonly buf: Uint8Array,
    start: number,
    public end: number,
  ) {
    this.pos = start;
  }

  private byte(): number {
    if (this.pos >= this.end) throw malformed('truncated varint');
    return this.buf[this.pos++]!;
  }

  /** Reads any varint into lo/hi. */
  private varint64(): void {
    let b = this.byte();
    let lo = b & 0x7f;
    if (b < 0x80) { this.lo = lo; this.hi = 0; return; }
    b = this.byte(); lo |= (b & 0x7f) << 7;
    if (b < 0x80) { this.lo = lo; this.hi = 0; return; }
    b = this.byte(); lo |= (b & 0x7f) << 14;
    if (b < 0x80) { this.lo = lo; this.hi = 0; return; }
    b = this.byte(); lo |= (b & 0x7f) << 21;
    if (b < 0x80) { this.lo = lo; this.hi = 0; return; }
    b = this.byte(); lo = (lo | (b << 28)) >>> 0;
    let hi = (b & 0x7f) >> 4;
    if (b < 0x80) { this.lo = lo; this.hi = hi; return; }
    for (let shift = 3; shift < 32; shift += 7) {
      b = this.byte();
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) { this.lo = lo; this.hi = hi >>> 0; return; }
    }
    throw malformed('varint longer than 10 bytes');
  }

  /** Field tag (field number << 3 | wire type). */
  tag(): number {
    const b = this.pos < this.end ? this.buf[this.pos]! : 0x80;
    if (b < 0x80) {
      if (b < 8) throw malformed('field number 0');
      this.pos++;
      return b;
    }
    this.varint64();
    // Field numbers are 29 bits: a tag needs at most 32 bits.
    if (this.hi !== 0) throw malformed('tag out of range');
    return this.lo;
  }

  /** uint64 as a number (inexact beyond 2^53). */
  uint64(): number {
    const b = this.pos < this.end ? this.buf[this.pos]! : 0x80;
    if (b < 0x80) { this.pos++; return b; }
    this.varint64();
    return this.hi * TWO_32 + this.lo;
  }

  /** int64 as a number (two's complement; inexact beyond ±2^53). */
  int64(): number {
    this.varint64();
    if (this.hi >>> 31) {
      // -(~value + 1) on 64 bits.
      let lo = (~this.lo + 1) >>> 0;
      let hi = ~this.hi >>> 0;
      if (lo === 0) hi = (hi + 1) >>> 0;
      return -(hi * TWO_32 + lo);
    }
    return this.hi * TWO_32 + this.lo;
  }

  /** Zig-zag sint64 as a number. */
  sint64(): number {
    const b = this.pos < this.end ? this.buf[this.pos]! : 0x80;
    if (b < 0x80) { this.pos++; return (b >>> 1) ^ -(b & 1); }
    this.varint64();
    const lo = this.lo, hi = this.hi;
    if (hi === 0 && lo < 0x80000000) return (lo >>> 1) ^ -(lo & 1);
    const mask = -(lo & 1);
    const zlo = (((lo >>> 1) | (hi << 31)) ^ mask) >>> 0;
    const zhi = ((hi >>> 1) ^ mask) >>> 0;
    if (zhi >>> 31) {
      let nlo = (~zlo + 1) >>> 0;
      let nhi = ~zhi >>> 0;
      if (nlo === 0) nhi = (nhi + 1) >>> 0;
      return -(nhi * TWO_32 + nlo);
    }
    return zhi * TWO_32 + zlo;
  }

  /** uint32 / enum field: protobuf keeps the low 32 bits. */
  uint32(): number {
    this.varint64();
    return this.lo >>> 0;
  }

  /** int32 / enum field. */
  int32(): number {
    this.varint64();
    return this.lo | 0;
  }

  /** Length prefix of a length-delimited field; returns its end offset. */
  delimitedEnd(): number {
    const len = this.uint64();
    const end = this.pos + len;
    if (end > this.end) throw malformed('length beyond end of message');
    return end;
  }

  /** Skips a field's value. Groups (proto2 only) are treated as malformed. */
  skip(wireType: number): void {
    switch (wireType) {
      case 0: this.varint64(); return;
      case 1: this.advance(8); return;
      case 2: this.pos = this.delimitedEnd(); return;
      case 5: this.advance(4); return;
      default: throw malformed(`unsupported wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw malformed('truncated field');
    this.pos += n;
  }
}
