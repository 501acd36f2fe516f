import type { BookBatch, BookSnapshot, LevelChanges, Trade } from '../model/market-data';
import { allocFrame } from './frame-slab';
import {
  checkWireInt,
  int64Size,
  sint64Size,
  uvarintSize,
  writeInt64,
  writeSint64,
  writeUvarint,
} from './wire-writer';

/**
 * Hot-path encoders for the relay: one `ServerMessage` frame holding a `BookBatch` or a
 * `BookSnapshot`, built in two passes (exact size, then write) into a single Uint8Array.
 * The relay calls this once per stream per flush and sends the same bytes to every subscriber.
 * Output is byte-identical to protobufjs' generated encoder except that an empty `Levels`
 * side is omitted (decoders read an absent side as empty).
 *
 * Level prices are delta-coded (proto/market_data.proto): first absolute, then differences.
 * Inputs may be plain arrays or typed arrays. Non-integer or unsafe values are a caller bug
 * and throw RangeError.
 *
 * Small frames are views into a shared slab (see frame-slab.ts): wrap them with
 * `buffer`/`byteOffset`/`byteLength` (e.g. `Buffer.from(f.buffer, f.byteOffset, f.byteLength)`),
 * never transfer or detach `f.buffer`.
 */

// ServerMessage: request_id = 1 (varint); book_snapshot = 20, book_batch = 21 (length-delimited).
const TAG_REQUEST_ID = 0x08;
const TAG_SNAPSHOT = 20 * 8 + 2; // 162: a two-byte varint
const TAG_BATCH = 21 * 8 + 2; // 170: a two-byte varint

/** Encodes a `ServerMessage { book_batch }` frame. `requestId` 0 (default) is omitted. */
export function encodeBookBatch(batch: BookBatch, requestId = 0): Uint8Array {
  return encodeBookFrame(TAG_BATCH, batch, batch.trades, requestId);
}

/** Encodes a `ServerMessage { book_snapshot }` frame. `requestId` 0 (default) is omitted. */
export function encodeBookSnapshot(snapshot: BookSnapshot, requestId = 0): Uint8Array {
  return encodeBookFrame(TAG_SNAPSHOT, snapshot, snapshot.recentTrades, requestId);
}

type BookCommon = Omit<BookBatch, 'trades'>;

function encodeBookFrame(bodyTag: number, b: BookCommon, trades: readonly Trade[], requestId: number): Uint8Array {
  checkUint32(b.streamId, 'streamId');
  checkUint64(b.epoch, 'epoch');
  checkUint64(b.seq, 'seq');
  checkUint32(b.checksum, 'checksum');
  checkWireInt(b.state, 'state');
  checkUint64(b.timeUs, 'timeUs');
  checkUint64(requestId, 'requestId');

  const bidPriceBytes = packedPriceBytes(b.bids, 'bids');
  const bidSizeBytes = packedSizeBytes(b.bids, 'bids');
  const askPriceBytes = packedPriceBytes(b.asks, 'asks');
  const askSizeBytes = packedSizeBytes(b.asks, 'asks');
  const bidsLen = levelsLen(b.bids, bidPriceBytes, bidSizeBytes);
  const asksLen = levelsLen(b.asks, askPriceBytes, askSizeBytes);

  let body = 0;
  if (b.streamId !== 0) body += 1 + uvarintSize(b.streamId);
  if (b.epoch !== 0) body += 1 + uvarintSize(b.epoch);
  if (b.seq !== 0) body += 1 + uvarintSize(b.seq);
  if (b.bids.price.length) body += 1 + uvarintSize(bidsLen) + bidsLen;
  if (b.asks.price.length) body += 1 + uvarintSize(asksLen) + asksLen;
  for (let i = 0; i < trades.length; i++) {
    const len = tradeLen(trades[i]!);
    body += 1 + uvarintSize(len) + len;
  }
  if (b.checksum !== 0) body += 1 + uvarintSize(b.checksum);
  if (b.state !== 0) body += 1 + int64Size(b.state);
  if (b.timeUs !== 0) body += 1 + uvarintSize(b.timeUs);

  const total = (requestId !== 0 ? 1 + uvarintSize(requestId) : 0) + 2 + uvarintSize(body) + body;
  const buf = allocFrame(total);
  let p = 0;
  if (requestId !== 0) {
    buf[p++] = TAG_REQUEST_ID;
    p = writeUvarint(buf, p, requestId);
  }
  p = writeUvarint(buf, p, bodyTag);
  p = writeUvarint(buf, p, body);

  if (b.streamId !== 0) { buf[p++] = 0x08; p = writeUvarint(buf, p, b.streamId); }
  if (b.epoch !== 0) { buf[p++] = 0x10; p = writeUvarint(buf, p, b.epoch); }
  if (b.seq !== 0) { buf[p++] = 0x18; p = writeUvarint(buf, p, b.seq); }
  if (b.bids.price.length) p = writeLevels(buf, p, 0x22, b.bids, bidsLen, bidPriceBytes, bidSizeBytes);
  if (b.asks.price.length) p = writeLevels(buf, p, 0x2a, b.asks, asksLen, askPriceBytes, askSizeBytes);
  for (let i = 0; i < trades.length; i++) p = writeTrade(buf, p, trades[i]!);
  if (b.checksum !== 0) { buf[p++] = 0x38; p = writeUvarint(buf, p, b.checksum); }
  if (b.state !== 0) { buf[p++] = 0x40; p = writeInt64(buf, p, b.state); }
  if (b.timeUs !== 0) { buf[p++] = 0x48; p = writeUvarint(buf, p, b.timeUs); }
  if (p !== total) throw new Error(`book frame size mismatch: wrote ${p} of ${total}`);
  return buf;
}

function checkUint64(v: number, field: string): void {
  checkWireInt(v, field);
  if (v < 0) throw new RangeError(`${field}: ${v} is negative`);
}

function checkUint32(v: number, field: string): void {
  if (!(v >= 0 && v <= 0xffffffff && Number.isInteger(v))) throw new RangeError(`${field}: ${v} is not a uint32`);
}

/** Bytes of the packed, delta-coded price array; also validates the parallel arrays. */
function packedPriceBytes(l: LevelChanges, side: string): number {
  const price = l.price;
  const n = price.length;
  if (l.size.length !== n) throw new RangeError(`${side}: ${n} prices but ${l.size.length} sizes`);
  let bytes = 0;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const v = price[i]!;
    const d = v - prev;
    if (!Number.isSafeInteger(d) || !Number.isSafeInteger(v)) checkWireInt(NaN, `${side}.price[${i}]`);
    bytes += sint64Size(d);
    prev = v;
  }
  return bytes;
}

function packedSizeBytes(l: LevelChanges, side: string): number {
  const size = l.size;
  let bytes = 0;
  for (let i = 0; i < size.length; i++) {
    const v = size[i]!;
    if (!Number.isSafeInteger(v)) checkWireInt(v, `${side}.size[${i}]`);
    bytes += int64Size(v);
  }
  return bytes;
}

function levelsLen(l: LevelChanges, priceBytes: number, sizeBytes: number): number {
  if (l.price.length === 0) return 0;
  return 1 + uvarintSize(priceBytes) + priceBytes + 1 + uvarintSize(sizeBytes) + sizeBytes;
}

function writeLevels(
  buf: Uint8Array, p: number, tag: number, l: LevelChanges, len: number, priceBytes: number, sizeBytes: number,
): number {
  buf[p++] = tag;
  p = writeUvarint(buf, p, len);
  buf[p++] = 0x0a;
  p = writeUvarint(buf, p, priceBytes);
  const price = l.price;
  let prev = 0;
  for (let i = 0; i < price.length; i++) {
    const v = price[i]!;
    p = writeSint64(buf, p, v - prev);
    prev = v;
  }
  buf[p++] = 0x12;
  p = writeUvarint(buf, p, sizeBytes);
  const size = l.size;
  for (let i = 0; i < size.length; i++) p = writeInt64(buf, p, size[i]!);
  return p;
}

function tradeLen(t: Trade): number {
  checkUint64(t.tradeId, 'trade.tradeId');
  checkWireInt(t.price, 'trade.price');
  checkWireInt(t.size, 'trade.size');
  checkWireInt(t.aggressor, 'trade.aggressor');
  checkUint64(t.timeUs, 'trade.timeUs');
  let n = 0;
  if (t.tradeId !== 0) n += 1 + uvarintSize(t.tradeId);
  if (t.price !== 0) n += 1 + sint64Size(t.price);
  if (t.size !== 0) n += 1 + int64Size(t.size);
  if ((t.aggressor as number) !== 0) n += 1 + int64Size(t.aggressor);
  if (t.timeUs !== 0) n += 1 + uvarintSize(t.timeUs);
  return n;
}

function writeTrade(buf: Uint8Array, p: number, t: Trade): number {
  buf[p++] = 0x32;
  p = writeUvarint(buf, p, tradeLen(t));
  if (t.tradeId !== 0) { buf[p++] = 0x08; p = writeUvarint(buf, p, t.tradeId); }
  if (t.price !== 0) { buf[p++] = 0x10; p = writeSint64(buf, p, t.price); }
  if (t.size !== 0) { buf[p++] = 0x18; p = writeInt64(buf, p, t.size); }
  if ((t.aggressor as number) !== 0) { buf[p++] = 0x20; p = writeInt64(buf, p, t.aggressor); }
  if (t.timeUs !== 0) { buf[p++] = 0x28; p = writeUvarint(buf, p, t.timeUs); }
  return p;
}
