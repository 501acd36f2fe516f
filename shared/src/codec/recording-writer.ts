/**
 * Writes recording files (RECORDING-FORMAT.md) as Uint8Array chunks, so the same code appends
 * to an IndexedDB store in the browser and to a file or buffer in Node.
 */
import { crc32 } from '../book/checksum';
import { decimalPlaces } from '../model/decimal';
import { pb } from './proto-types';
import { RECORDING_MAGIC, RECORDING_VERSION, type RecordedFrame, type RecordingHeader } from './recording-types';
import { uvarintSize, writeUvarint } from './wire-writer';

/** A header to write; `version` is always RECORDING_VERSION. */
export type RecordingHeaderInit = Omit<RecordingHeader, 'version'>;

/** Frames one record: varint(length) ‖ payload ‖ CRC-32(payload) as 4 bytes little-endian. */
export function frameRecord(payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const out = new Uint8Array(uvarintSize(n) + n + 4);
  let pos = writeUvarint(out, 0, n);
  out.set(payload, pos);
  pos += n;
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(pos, crc32(payload), true);
  return out;
}

/** The header record's payload (RecordingHeader protobuf). */
export function encodeRecordingHeader(h: RecordingHeaderInit): Uint8Array {
  return pb.RecordingHeader.encode({
    version: RECORDING_VERSION,
    createdBy: h.createdBy,
    createdTimeUs: h.createdTimeUs,
    instruments: h.instruments.map((i) => ({
      streamId: i.streamId, symbol: i.symbol, venue: i.venue, base: i.base, quote: i.quote,
      tickSize: i.tickSize, lotSize: i.lotSize,
      priceDecimals: decimalPlaces(i.tickSize), sizeDecimals: decimalPlaces(i.lotSize),
      minQty: i.minQty, maxQty: i.maxQty, makerFeeBpsX100: i.makerFeeBpsX100, takerFeeBpsX100: i.takerFeeBpsX100,
    })),
  }).finish();
}

/** One frame record's payload (RecordedFrame protobuf). */
export function encodeRecordedFrame(f: RecordedFrame): Uint8Array {
  return pb.RecordedFrame.encode({ streamId: f.streamId, receiveTimeUs: f.receiveTimeUs, frame: f.frame }).finish();
}

/**
 * Streaming writer: `head` (magic + header record) first, then one chunk per `append`. The
 * concatenation of every chunk, in order, is a valid file after any number of appends; a
 * file cut anywhere loses at most the record being written.
 */
export class RecordingWriter {
  /** Magic and header record: the first bytes of the file. */
  readonly head: Uint8Array;
  private count = 0;
  private lastTimeUs = 0;

  constructor(header: RecordingHeaderInit) {
    const record = frameRecord(encodeRecordingHeader(header));
    this.head = new Uint8Array(RECORDING_MAGIC.length + record.length);
    this.head.set(RECORDING_MAGIC, 0);
    this.head.set(record, RECORDING_MAGIC.length);
  }

  /** Frames appended so far. */
  get frames(): number {
    return this.count;
  }

  /**
   * The record of one more frame. Throws (a broken invariant, not a business failure) when
   * receive times go backwards: players schedule by their differences.
   */
  append(frame: RecordedFrame): Uint8Array {
    if (!Number.isSafeInteger(frame.receiveTimeUs) || frame.receiveTimeUs < this.lastTimeUs) {
      throw new RangeError(`receiveTimeUs ${frame.receiveTimeUs} before the previous frame's ${this.lastTimeUs}`);
    }
    this.lastTimeUs = frame.receiveTimeUs;
    this.count++;
    return frameRecord(encodeRecordedFrame(frame));
  }
}

/** A whole file in one buffer. */
export function encodeRecording(header: RecordingHeaderInit, frames: Iterable<RecordedFrame>): Uint8Array {
  const writer = new RecordingWriter(header);
  const chunks = [writer.head];
  let total = writer.head.length;
  for (const f of frames) {
    const c = writer.append(f);
    chunks.push(c);
    total += c.length;
  }
  return concatChunks(chunks, total);
}

/** Concatenates chunks (e.g. a writer's head and appends) into one buffer. */
export function concatChunks(chunks: readonly Uint8Array[], total = chunks.reduce((n, c) => n + c.length, 0)): Uint8Array {
  const out = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}
