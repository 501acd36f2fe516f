import type { BookBatch, LevelChanges, Trade } from '../model/market-data';
import { Side } from '../model/side';
import { allocFrame } from './frame-slab';
import { checkWireInt, int64Size, uvarintSize, writeInt64, writeUvarint, zigzag } from './wire-writer';

/**
 * Hot-path encoder of the compact batch frame, `ServerMessage { book_delta }` (layout in
 * proto/market_data.proto `BookDelta`): same two passes as book-frame-encoder.ts (exact size,
 * then write into one slab view), same result when decoded. The relay encodes it once per
 * batch, for the sessions that negotiated the "book_delta" feature.
 *
 * Returns undefined for a batch the compact form cannot carry (a size of 2^51 lots or more, a
 * trade without a Buy/Sell aggressor, a price step beyond ±2^52): the caller sends that one as a
 * BookBatch, which every client decodes. Invalid values (fractions, unsafe integers) are a
 * caller bug and throw RangeError, as in encodeBookBatch.
 */

// ServerMessage.book_delta = 2, length-delimited.
const TAG_DELTA = 0x12;
/** Sizes a level varint can carry: size * 4 + 3 must stay a safe integer. */
export const MAX_DELTA_LEVEL_SIZE = Math.floor((Number.MAX_SAFE_INTEGER - 3) / 4);
const MAX_DELTA_TRADE_SIZE = Math.floor((Number.MAX_SAFE_INTEGER - 1) / 2);
/** Price differences whose zig-zag is a safe integer. */
const MAX_STEP = 2 ** 52 - 1;
/** Level code meaning "an explicit zigzag price difference follows". */
export const DELTA_ESCAPE = 3;

/** Encodes a batch as `ServerMessage { book_delta }`, or undefined when it needs a BookBatch. */
export function encodeBookDelta(batch: BookBatch): Uint8Array | undefined {
  const b = batch;
  checkU(b.streamId, 'streamId', 0xffffffff);
  checkU(b.epoch, 'epoch', Number.MAX_SAFE_INTEGER);
  checkU(b.seq, 'seq', Number.MAX_SAFE_INTEGER);
  checkU(b.checksum, 'checksum', 0xffffffff);
  checkU(b.timeUs, 'timeUs', Number.MAX_SAFE_INTEGER);
  checkWireInt(b.state, 'state');

  const askRef = b.bids.price.length ? b.bids.price[0]! : 0;
  const tradeRef = b.bids.price.length ? b.bids.price[0]! : b.asks.price.length ? b.asks.price[0]! : 0;
  const bidBytes = levelBytes(b.bids, 0, -1, 'bids');
  const askBytes = levelBytes(b.asks, askRef, 1, 'asks');
  const tradeBytes = tradesBytes(b.trades, tradeRef, b.timeUs);
  if (bidBytes < 0 || askBytes < 0 || tradeBytes < 0) return undefined;

  let body = 0;
  if (b.streamId !== 0) body += 1 + uvarintSize(b.streamId);
  if (b.epoch !== 0) body += 1 + uvarintSize(b.epoch);
  if (b.seq !== 0) body += 1 + uvarintSize(b.seq);
  if (b.timeUs !== 0) body += 1 + uvarintSize(b.timeUs);
  if (b.checksum !== 0) body += 5;
  if (b.state !== 0) body += 1 + int64Size(b.state);
  if (bidBytes) body += 1 + uvarintSize(bidBytes) + bidBytes;
  if (askBytes) body += 1 + uvarintSize(askBytes) + askBytes;
  if (tradeBytes) body += 1 + uvarintSize(tradeBytes) + tradeBytes;

  const total = 1 + uvarintSize(body) + body;
  const buf = allocFrame(total);
  buf[0] = TAG_DELTA;
  let p = writeUvarint(buf, 1, body);
  if (b.streamId !== 0) { buf[p++] = 0x08; p = writeUvarint(buf, p, b.streamId); }
  if (b.epoch !== 0) { buf[p++] = 0x10; p = writeUvarint(buf, p, b.epoch); }
  if (b.seq !== 0) { buf[p++] = 0x18; p = writeUvarint(buf, p, b.seq); }
  if (b.timeUs !== 0) { buf[p++] = 0x20; p = writeUvarint(buf, p, b.timeUs); }
  if (b.checksum !== 0) {
    const c = b.checksum;
    buf[p++] = 0x2d;
    buf[p++] = c & 0xff; buf[p++] = (c >>> 8) & 0xff; buf[p++] = (c >>> 16) & 0xff; buf[p++] = (c >>> 24) & 0xff;
  }
  if (b.state !== 0) { buf[p++] = 0x30; p = writeInt64(buf, p, b.state); }
  if (bidBytes) p = writeLevels(buf, p, 0x3a, bidBytes, b.bids, 0, -1);
  if (askBytes) p = writeLevels(buf, p, 0x42, askBytes, b.asks, askRef, 1);
  if (tradeBytes) p = writeTrades(buf, p, tradeBytes, b.trades, tradeRef, b.timeUs);
  if (p !== total) throw new Error(`book delta size mismatch: wrote ${p} of ${total}`);
  return buf;
}

function checkU(v: number, field: string, max: number): void {
  if (!(Number.isSafeInteger(v) && v >= 0 && v <= max)) throw new RangeError(`${field}: ${v} out of range`);
}

/** The level code for a step from `prev` to `price` (dir -1 for bids, 1 for asks). */
function stepCode(price: number, prev: number, dir: number): number {
  const step = (price - prev) * dir;
  return step >= 1 && step <= 3 ? step - 1 : DELTA_ESCAPE;
}

/** Bytes of one side's varint run; -1 when the compact form cannot carry it. */
function levelBytes(l: LevelChanges, ref: number, dir: number, side: string): number {
  const { price, size } = l;
  const n = price.length;
  if (size.length !== n) throw new RangeError(`${side}: ${n} prices but ${size.length} sizes`);
  let bytes = 0;
  let prev = ref;
  for (let i = 0; i < n; i++) {
    const v = price[i]!;
    const s = size[i]!;
    checkWireInt(v, `${side}.price[${i}]`);
    checkWireInt(s, `${side}.size[${i}]`);
    if (s < 0 || s > MAX_DELTA_LEVEL_SIZE) return -1;
    const code = stepCode(v, prev, dir);
    bytes += uvarintSize(s * 4 + code);
    if (code === DELTA_ESCAPE) {
      const d = v - prev;
      if (d > MAX_STEP || d < -MAX_STEP) return -1;
      bytes += uvarintSize(zigzag(d));
    }
    prev = v;
  }
  return bytes;
}

function writeLevels(buf: Uint8Array, p: number, tag: number, bytes: number, l: LevelChanges, ref: number, dir: number): number {
  buf[p++] = tag;
  p = writeUvarint(buf, p, bytes);
  const { price, size } = l;
  let prev = ref;
  for (let i = 0; i < price.length; i++) {
    const v = price[i]!;
    const code = stepCode(v, prev, dir);
    p = writeUvarint(buf, p, size[i]! * 4 + code);
    if (code === DELTA_ESCAPE) p = writeUvarint(buf, p, zigzag(v - prev));
    prev = v;
  }
  return p;
}

/** Bytes of the trade tuples; -1 when the compact form cannot carry them. */
function tradesBytes(trades: readonly Trade[], ref: number, batchTimeUs: number): number {
  let bytes = 0;
  let prevId = 0;
  let prevPrice = ref;
  for (let i = 0; i < trades.length; i++) {
    const t = trades[i]!;
    checkU(t.tradeId, 'trade.tradeId', Number.MAX_SAFE_INTEGER);
    checkWireInt(t.price, 'trade.price');
    checkWireInt(t.size, 'trade.size');
    checkU(t.timeUs, 'trade.timeUs', Number.MAX_SAFE_INTEGER);
    if (t.aggressor !== Side.Buy && t.aggressor !== Side.Sell) return -1;
    if (t.size < 0 || t.size > MAX_DELTA_TRADE_SIZE) return -1;
    const dId = t.tradeId - prevId;
    const dPrice = t.price - prevPrice;
    const dTime = t.timeUs - batchTimeUs;
    if (Math.abs(dId) > MAX_STEP || Math.abs(dPrice) > MAX_STEP || Math.abs(dTime) > MAX_STEP) return -1;
    bytes += uvarintSize(zigzag(dId)) + uvarintSize(zigzag(dPrice)) + uvarintSize(t.size * 2 + (t.aggressor === Side.Sell ? 1 : 0)) + uvarintSize(zigzag(dTime));
    prevId = t.tradeId;
    prevPrice = t.price;
  }
  return bytes;
}

function writeTrades(buf: Uint8Array, p: number, bytes: number, trades: readonly Trade[], ref: number, batchTimeUs: number): number {
  buf[p++] = 0x4a;
  p = writeUvarint(buf, p, bytes);
  let prevId = 0;
  let prevPrice = ref;
  for (let i = 0; i < trades.length; i++) {
    const t = trades[i]!;
    p = writeUvarint(buf, p, zigzag(t.tradeId - prevId));
    p = writeUvarint(buf, p, zigzag(t.price - prevPrice));
    p = writeUvarint(buf, p, t.size * 2 + (t.aggressor === Side.Sell ? 1 : 0));
    p = writeUvarint(buf, p, zigzag(t.timeUs - batchTimeUs));
    prevId = t.tradeId;
    prevPrice = t.price;
  }
  return p;
}
