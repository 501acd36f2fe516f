import { uvarintSize, writeUvarint } from '@tickmesh/shared';

/**
 * A chunk: the frames of one stream received over a short span, packed into one byte array so
 * IndexedDB stores one value per chunk, not per frame (a put costs far more than a frame).
 *
 * Layout, repeated per frame: uvarint(receiveTimeUs − chunk start) ‖ uvarint(length) ‖ frame
 * bytes (one ServerMessage exactly as received).
 */
export class FrameChunkBuilder {
  private buf: Uint8Array;
  private len = 0;
  /** Receive time of the first frame, µs (0 while empty). */
  startUs = 0;
  /** Receive time of the last frame, µs. */
  endUs = 0;
  count = 0;

  constructor(initialBytes = 16 * 1024) {
    this.buf = new Uint8Array(initialBytes);
  }

  get byteLength(): number {
    return this.len;
  }

  /** Appends one frame; `timeUs` must not go below the chunk's start (callers keep receive times monotonic). */
  append(timeUs: number, frame: Uint8Array): void {
    if (this.count === 0) this.startUs = timeUs;
    const delta = timeUs - this.startUs;
    const need = this.len + uvarintSize(delta) + uvarintSize(frame.length) + frame.length;
    if (need > this.buf.length) this.grow(need);
    let pos = writeUvarint(this.buf, this.len, delta);
    pos = writeUvarint(this.buf, pos, frame.length);
    this.buf.set(frame, pos);
    this.len = pos + frame.length;
    this.endUs = timeUs;
    this.count++;
  }

  /** The packed bytes (a copy the caller owns) and empties the builder for reuse. */
  take(): ArrayBuffer {
    const out = this.buf.slice(0, this.len).buffer;
    this.len = 0;
    this.count = 0;
    this.startUs = 0;
    this.endUs = 0;
    return out;
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

/**
 * Reads a chunk's frames back: `next()` moves to the following frame and returns false at
 * the end; `timeUs` and `frame` (a view into the chunk, valid until the next call) describe
 * the current one. Throws RangeError on a malformed chunk (stored data we wrote ourselves:
 * damage there is a broken invariant, and the player reports it as RECORDING_CORRUPT).
 */
export class FrameChunkReader {
  private pos = 0;
  timeUs = 0;
  frame: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly bytes: Uint8Array,
    private readonly startUs: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  next(): boolean {
    if (this.pos >= this.bytes.length) return false;
    const delta = this.uvarint();
    const len = this.uvarint();
    const end = this.pos + len;
    if (end > this.bytes.length) throw new RangeError('chunk frame runs past the chunk');
    this.timeUs = this.startUs + delta;
    this.frame = this.bytes.subarray(this.pos, end);
    this.pos = end;
    return true;
  }

  private uvarint(): number {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.bytes.length) throw new RangeError('chunk ends inside a varint');
      const b = this.bytes[this.pos++]!;
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 128;
    }
    throw new RangeError('chunk varint too long');
  }
}
