import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../model/codes';
import type { BookBatch } from '../model/market-data';
import { StreamState } from '../model/market-data';
import { mulberry32, randomInt } from '../model/random';
import type { Result } from '../model/result';
import { Side } from '../model/side';
import { MAX_DELTA_LEVEL_SIZE, encodeBookDelta } from './book-delta-encoder';
import { encodeBookBatch } from './book-frame-encoder';
import { BTC, plainBatch, randomBatch } from './codec-fixtures';
import { codecLimits } from './codec-limits';
import { decodeServer } from './proto-codec';
import { pb } from './proto-types';

function code(r: Result<unknown>): string {
  return r.ok ? 'ok' : r.reason.code;
}

function decoded(bytes: Uint8Array): BookBatch {
  const r = decodeServer(bytes);
  if (!r.ok) throw new Error(r.reason.code);
  if (r.value.type !== 'bookBatch') throw new Error(r.value.type);
  const { type: _t, requestId: _r, ...b } = r.value;
  return plainBatch(b);
}

const empty = (): BookBatch => ({
  streamId: 1, epoch: 1, seq: 1, bids: { price: [], size: [] }, asks: { price: [], size: [] }, trades: [], checksum: 0,
  state: StreamState.Unspecified, timeUs: 0,
});

/** Any order, duplicates, crossed sides, negative prices: the relay's sorted input is only the common case. */
function wildBatch(rand: () => number, seq: number): BookBatch {
  const side = () => {
    const n = randomInt(rand, 0, 8);
    return {
      price: Array.from({ length: n }, () => randomInt(rand, -(2 ** 50), 2 ** 50)).map((p, i, a) => (rand() < 0.5 && i ? a[i - 1]! + randomInt(rand, -4, 4) : p)),
      size: Array.from({ length: n }, () => (rand() < 0.3 ? 0 : randomInt(rand, 0, MAX_DELTA_LEVEL_SIZE))),
    };
  };
  return {
    streamId: randomInt(rand, 0, 0xffffffff), epoch: randomInt(rand, 0, 2 ** 53 - 1), seq,
    bids: side(), asks: side(),
    trades: Array.from({ length: randomInt(rand, 0, 3) }, () => ({
      tradeId: randomInt(rand, 0, 2 ** 52), price: randomInt(rand, -(2 ** 50), 2 ** 50), size: randomInt(rand, 0, 2 ** 51),
      aggressor: rand() < 0.5 ? Side.Buy : Side.Sell, timeUs: randomInt(rand, 0, 2 ** 51),
    })),
    checksum: randomInt(rand, 0, 0xffffffff), state: randomInt(rand, 0, 3) as StreamState, timeUs: randomInt(rand, 0, 2 ** 51),
  };
}

describe('BookDelta (compact batch frame)', () => {
  it('decodes to exactly what the BookBatch frame of the same batch decodes to', () => {
    const rand = mulberry32(3);
    for (let seq = 1; seq <= 2000; seq++) {
      const b = seq % 2 ? randomBatch(rand, BTC, seq) : wildBatch(rand, seq);
      const delta = encodeBookDelta(b);
      expect(delta).toBeDefined();
      expect(decoded(delta!)).toEqual(decoded(encodeBookBatch(b)));
    }
  });

  it('is smaller than the BookBatch frame on sorted near-touch batches', () => {
    const rand = mulberry32(4);
    let full = 0;
    let compact = 0;
    for (let seq = 1; seq <= 500; seq++) {
      const b = randomBatch(rand, BTC, seq);
      full += encodeBookBatch(b).length;
      compact += encodeBookDelta(b)!.length;
    }
    expect(compact).toBeLessThan(full);
  });

  it('declines what it cannot carry, so the relay sends that batch as a BookBatch', () => {
    expect(encodeBookDelta({ ...empty(), bids: { price: [1], size: [MAX_DELTA_LEVEL_SIZE + 1] } })).toBeUndefined();
    expect(encodeBookDelta({ ...empty(), asks: { price: [2 ** 53 - 1, -(2 ** 53 - 1)], size: [1, 1] } })).toBeUndefined();
    expect(encodeBookDelta({ ...empty(), trades: [{ tradeId: 1, price: 1, size: 1, aggressor: 0 as Side, timeUs: 1 }] })).toBeUndefined();
    expect(encodeBookDelta({ ...empty(), trades: [{ tradeId: 1, price: 1, size: -1, aggressor: Side.Buy, timeUs: 1 }] })).toBeUndefined();
  });

  it('throws RangeError on values no frame can carry (a relay bug), as encodeBookBatch does', () => {
    expect(() => encodeBookDelta({ ...empty(), seq: -1 })).toThrow(RangeError);
    expect(() => encodeBookDelta({ ...empty(), bids: { price: [1.5], size: [1] } })).toThrow(RangeError);
    expect(() => encodeBookDelta({ ...empty(), bids: { price: [1, 2], size: [1] } })).toThrow(RangeError);
  });

  it('the generated protobufjs decoder reads the same fields (valid protobuf, one-byte body tag)', () => {
    const b: BookBatch = {
      streamId: 7, epoch: 3, seq: 9, checksum: 0xfedcba98, state: StreamState.Halted, timeUs: 1_732_560_000_123_456,
      bids: { price: [5_000_000, 4_999_999, 4_999_990], size: [15_000, 0, 2] },
      asks: { price: [5_000_001], size: [1] },
      trades: [{ tradeId: 77, price: 5_000_002, size: 3, aggressor: Side.Sell, timeUs: 1_732_560_000_123_450 }],
    };
    const bytes = encodeBookDelta(b)!;
    expect(bytes[0]).toBe(0x12);
    const m = pb.ServerMessage.decode(bytes).bookDelta!;
    expect(m.streamId).toBe(7);
    expect(m.checksum).toBe(0xfedcba98);
    // 4_999_999 is one tick below 5_000_000 (code 0); 4_999_990 nine below (escape, zigzag(-9) = 17).
    expect(m.bids).toEqual([15_000 * 4 + 3, 10_000_000, 0, 2 * 4 + 3, 17]);
    // The first ask is one tick above the first bid.
    expect(m.asks).toEqual([1 * 4 + 0]);
    expect(m.trades).toEqual([154, 4, 7, 11]);
  });

  it('merges a body split over two occurrences as protobuf requires', () => {
    const b = randomBatch(mulberry32(9), BTC, 5);
    const first = pb.ServerMessage.encode({ bookDelta: { streamId: 99, bids: [] } }).finish();
    const whole = encodeBookDelta(b)!;
    const joined = new Uint8Array(first.length + whole.length);
    joined.set(first);
    joined.set(whole, first.length);
    expect(decoded(joined)).toEqual(decoded(whole));
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['escape without a price step', { bids: [3] }, ErrorCode.CODEC_INVALID_FIELD],
    ['a partial trade', { trades: [1, 2, 3] }, ErrorCode.CODEC_INVALID_FIELD],
    ['unknown stream state', { state: 9 }, ErrorCode.CODEC_INVALID_FIELD],
    ['value beyond 2^53', { asks: [2 ** 60] }, ErrorCode.CODEC_INVALID_FIELD],
    ['price walking past 2^53', { bids: [3, 2 ** 53 - 2, 3, 2 ** 53 - 2, 3, 2 ** 53 - 2] }, ErrorCode.CODEC_INVALID_FIELD],
  ])('rejects %s with its code', (_name, bookDelta, expected) => {
    expect(code(decodeServer(pb.ServerMessage.encode({ bookDelta } as object).finish()))).toBe(expected);
  });

  it('level and trade limits are options', () => {
    const b: BookBatch = { ...empty(), bids: { price: Array.from({ length: 20 }, (_, i) => 100 - i), size: new Array(20).fill(1) } };
    expect(code(decodeServer(encodeBookDelta(b)!, codecLimits({ maxLevels: 19 })))).toBe(ErrorCode.CODEC_INVALID_FIELD);
    expect(code(decodeServer(encodeBookDelta(b)!, codecLimits({ maxLevels: 20 })))).toBe('ok');
  });

  it('fuzz: 10k bit-flipped frames never throw', () => {
    const rand = mulberry32(11);
    const frames = Array.from({ length: 50 }, (_, i) => Uint8Array.from(encodeBookDelta(randomBatch(rand, BTC, i + 1))!));
    for (let i = 0; i < 10_000; i++) {
      const bytes = Uint8Array.from(frames[i % frames.length]!);
      bytes[Math.floor(rand() * bytes.length)] ^= 1 << Math.floor(rand() * 8);
      expect(() => decodeServer(bytes)).not.toThrow();
    }
  });
});
