import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../model/codes';
import type { Instrument } from '../model/instrument';
import type { BookBatch, BookSnapshot, Trade } from '../model/market-data';
import { StreamState } from '../model/market-data';
import type { ClientMsg, ServerMsg } from '../model/messages';
import { mulberry32 } from '../model/random';
import type { Result } from '../model/result';
import { Side } from '../model/side';
import { encodeBookDelta } from './book-delta-encoder';
import { encodeBookBatch, encodeBookSnapshot } from './book-frame-encoder';
import {
  BTC, CLIENT_SAMPLES, COARSE, ETH, INSTRUMENTS, lookup, plainBatch, plainServer, plainSnapshot, randomBatch,
  randomSnapshot, serverSamples,
} from './codec-fixtures';
import { codecLimits } from './codec-limits';
import { legacyDecodeClient, legacyDecodeServer } from './legacy-json-decode';
import { legacyEncodeBook, legacyEncodeClient, legacyEncodeServer, legacyEncodeTrades } from './legacy-json-encode';
import type { LegacyClientMsg, LegacyServerControlMsg } from './legacy-json-types';
import { decodeClient, decodeServer, encodeClient, encodeServer } from './proto-codec';
import { pb } from './proto-types';

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.reason.code}: ${r.reason.message}`);
  return r.value;
}

function code(r: Result<unknown>): string {
  return r.ok ? 'ok' : r.reason.code;
}

// ---------------------------------------------------------------------------------------------
// Contract suite: the same market-data cases through every codec must give the same domain values.

interface MarketDataCodec {
  name: string;
  batch(inst: Instrument, b: BookBatch): BookBatch;
  snapshot(inst: Instrument, s: BookSnapshot): BookSnapshot;
  trades(inst: Instrument, t: Trade[]): Trade[];
}

const protobufCodec: MarketDataCodec = {
  name: 'protobuf',
  batch(_inst, b) {
    const m = value(decodeServer(encodeBookBatch(b)));
    if (m.type !== 'bookBatch') throw new Error(m.type);
    const { type: _t, requestId: _r, ...batch } = m;
    return batch;
  },
  snapshot(_inst, s) {
    const m = value(decodeServer(encodeBookSnapshot(s)));
    if (m.type !== 'bookSnapshot') throw new Error(m.type);
    const { type: _t, requestId: _r, ...snap } = m;
    return snap;
  },
  trades(inst, trades) {
    return protobufCodec.batch(inst, { ...emptyBatch(inst), trades }).trades;
  },
};

/** The compact batch (BookDelta, negotiated by Hello.features); snapshots stay BookSnapshot. */
const bookDeltaCodec: MarketDataCodec = {
  name: 'protobuf BookDelta',
  batch(_inst, b) {
    const bytes = encodeBookDelta(b);
    if (!bytes) throw new Error('batch not representable as a BookDelta');
    const m = value(decodeServer(bytes));
    if (m.type !== 'bookBatch') throw new Error(m.type);
    const { type: _t, requestId: _r, ...batch } = m;
    return batch;
  },
  snapshot: (inst, s) => protobufCodec.snapshot(inst, s),
  trades(inst, trades) {
    return bookDeltaCodec.batch(inst, { ...emptyBatch(inst), trades }).trades;
  },
};

/** A legacy batch is one "book" message plus one "marketData" message per trade. */
const legacyJsonCodec: MarketDataCodec = {
  name: 'legacy JSON',
  batch(inst, b) {
    const m = value(legacyDecodeServer(legacyEncodeBook(inst, 'batch', b), lookup));
    if (m.type !== 'book') throw new Error(m.type);
    return { ...m.batch, trades: legacyJsonCodec.trades(inst, b.trades) };
  },
  snapshot(inst, s) {
    const m = value(legacyDecodeServer(legacyEncodeBook(inst, 'snapshot', s), lookup));
    if (m.type !== 'bookSnapshot') throw new Error(m.type);
    return m.snapshot;
  },
  trades(inst, trades) {
    return legacyEncodeTrades(inst, trades).map((text) => {
      const m = value(legacyDecodeServer(text, lookup));
      if (m.type !== 'marketData') throw new Error(m.type);
      return m.trade;
    });
  },
};

function emptyBatch(inst: Instrument): BookBatch {
  return {
    streamId: inst.streamId, epoch: 1, seq: 1, bids: { price: [], size: [] }, asks: { price: [], size: [] },
    trades: [], checksum: 0, state: StreamState.Unspecified, timeUs: 0,
  };
}

const CODECS = [protobufCodec, bookDeltaCodec, legacyJsonCodec];

describe.each(CODECS)('market-data contract: $name', (codec) => {
  it.each(INSTRUMENTS.map((i) => [i.symbol, i] as const))('round-trips 300 seeded batches of %s', (_s, inst) => {
    const rand = mulberry32(inst.streamId);
    for (let seq = 1; seq <= 300; seq++) {
      const b = randomBatch(rand, inst, seq, inst === COARSE ? 2_000 : 5_000_000);
      expect(plainBatch(codec.batch(inst, b))).toEqual(b);
    }
  });

  it('round-trips a deep snapshot with recent trades', () => {
    const s = randomSnapshot(mulberry32(11), BTC, 500, 1000);
    expect(plainSnapshot(codec.snapshot(BTC, s))).toEqual(s);
  });

  it('round-trips an empty batch, every stream state and large counters', () => {
    expect(plainBatch(codec.batch(BTC, emptyBatch(BTC)))).toEqual(emptyBatch(BTC));
    for (const state of Object.values(StreamState)) {
      const b = { ...emptyBatch(BTC), state, epoch: 2 ** 53 - 1, seq: 2 ** 40 + 3, checksum: 0xffffffff, timeUs: 4_102_444_800_000_000 };
      expect(plainBatch(codec.batch(BTC, b))).toEqual(b);
    }
  });

  it('round-trips trades of both aggressors, including the documented 50000 / 1.5 trade', () => {
    const trades: Trade[] = [
      { tradeId: 1, price: 5_000_000, size: 15_000, aggressor: Side.Buy, timeUs: 1_732_560_000_000_000 },
      { tradeId: 2 ** 50, price: 1, size: 1, aggressor: Side.Sell, timeUs: 1 },
    ];
    expect(codec.trades(BTC, trades)).toEqual(trades);
  });

  it('accepts typed arrays as input levels', () => {
    const b = { ...emptyBatch(ETH), bids: { price: Float64Array.of(100, 99, 90), size: Int32Array.of(5, 0, 7) } };
    expect(plainBatch(codec.batch(ETH, b))).toEqual(plainBatch(b));
  });
});

it('protobuf and legacy JSON agree on the same seeded stream', () => {
  const rand = mulberry32(99);
  for (let seq = 1; seq <= 200; seq++) {
    const b = randomBatch(rand, BTC, seq);
    expect(plainBatch(protobufCodec.batch(BTC, b))).toEqual(plainBatch(legacyJsonCodec.batch(BTC, b)));
  }
});

// ---------------------------------------------------------------------------------------------
// Protobuf codec

describe('protobuf codec', () => {
  it.each(CLIENT_SAMPLES.map((m) => [m.type, m] as const))('round-trips client %s', (_t, m) => {
    expect(value(decodeClient(encodeClient(m)))).toEqual(m);
  });

  it.each(serverSamples(mulberry32(5)).map((m) => [m.type, m] as const))('round-trips server %s', (_t, m) => {
    expect(plainServer(value(decodeServer(encodeServer(m))))).toEqual(plainServer(m));
  });

  it('decodes TIME_IN_FORCE_UNSPECIFIED as GTC', () => {
    const bytes = pb.ClientMessage.encode({
      newOrder: { clientOrderId: 'a', symbol: 'BTC-USD', side: 1, type: 1, timeInForce: 0, price: 1, qty: 1 },
    }).finish();
    const m = value(decodeClient(bytes));
    expect(m.type === 'newOrder' && m.timeInForce).toBe(1);
  });

  it('hand-rolled book encoder is byte-identical to the generated encoder', () => {
    const rand = mulberry32(3);
    for (let seq = 1; seq <= 200; seq++) {
      const b = randomBatch(rand, BTC, seq);
      const levels = (l: BookBatch['bids']) => {
        const price = Array.from(l.price, (p, i) => (i === 0 ? p : p - l.price[i - 1]!));
        return price.length ? { price, size: Array.from(l.size) } : null;
      };
      const generated = pb.ServerMessage.encode({
        requestId: seq % 3,
        bookBatch: { ...b, bids: levels(b.bids), asks: levels(b.asks) },
      }).finish();
      expect(Array.from(encodeBookBatch(b, seq % 3))).toEqual(Array.from(generated));
    }
  });

  it('hand-rolled book decoder agrees with the generated decoder, also for unpacked and repeated fields', () => {
    const w = pb.ServerMessage.encode({ requestId: 4, bookBatch: { streamId: 7, epoch: 1, seq: 2, bids: { price: [100, -1], size: [5, 6] } } });
    const packed = w.finish();
    // Append a second book_batch occurrence: protobuf merges it (lists concatenate, scalars win).
    const extra = pb.ServerMessage.encode({ bookBatch: { seq: 3, bids: { price: [-1], size: [7] } } }).finish();
    const merged = new Uint8Array([...packed, ...extra]);
    const m = plainServer(value(decodeServer(merged)));
    expect(m).toMatchObject({ type: 'bookBatch', requestId: 4, seq: 3, bids: { price: [100, 99, 98], size: [5, 6, 7] } });
    // Unpacked repeated scalars: field 1 (price) and 2 (size) as individual varints.
    const unpackedLevels = [0x08, 0xc8, 0x01, 0x08, 0x01, 0x10, 0x05, 0x10, 0x06]; // prices 100, -1; sizes 5, 6
    const frame = [0xaa, 0x01, unpackedLevels.length + 2, 0x22, unpackedLevels.length, ...unpackedLevels];
    const u = plainServer(value(decodeServer(new Uint8Array(frame))));
    expect(u).toMatchObject({ type: 'bookBatch', bids: { price: [100, 99], size: [5, 6] } });
  });

  it('frames carved from the shared slab stay intact while later frames are encoded', () => {
    const rand = mulberry32(12);
    const batches = Array.from({ length: 3000 }, (_, i) => randomBatch(rand, BTC, i + 1));
    const frames = batches.map((b) => encodeBookBatch(b));
    frames.forEach((f, i) => expect(plainServer(value(decodeServer(f)))).toEqual({ type: 'bookBatch', requestId: 0, ...batches[i] }));
  });

  it('skips unknown fields in known messages (forward compatibility)', () => {
    const base = encodeBookBatch({ ...emptyBatch(BTC), seq: 5 });
    // unknown field 99 (varint) at the top level
    const withUnknown = new Uint8Array([...base, 0x98, 0x06, 0x01]);
    expect(value(decodeServer(withUnknown))).toMatchObject({ type: 'bookBatch', seq: 5 });
  });
});

describe('protobuf decodeClient rejects bad input with its code', () => {
  // `object`: bad cases carry enum values the generated types rightly refuse.
  const enc = (m: object) => pb.ClientMessage.encode(m as tickmeshClient).finish();
  type tickmeshClient = Parameters<typeof pb.ClientMessage.encode>[0];
  const order = { clientOrderId: 'c1', symbol: 'BTC-USD', side: 1, type: 1, timeInForce: 1, price: 5, qty: 1 };

  it.each<[string, Uint8Array | number[], string]>([
    ['truncated varint', [0x08, 0xff], ErrorCode.CODEC_MALFORMED],
    ['length beyond end', [0x52, 0x05, 0x0a], ErrorCode.CODEC_MALFORMED],
    ['invalid wire type 7', [0x0f], ErrorCode.CODEC_MALFORMED],
    ['field number 0', [0x00, 0x01], ErrorCode.CODEC_MALFORMED],
    ['overlong varint', [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], ErrorCode.CODEC_MALFORMED],
    ['empty frame', [], ErrorCode.CODEC_UNKNOWN_MESSAGE],
    ['request id only', [0x08, 0x05], ErrorCode.CODEC_UNKNOWN_MESSAGE],
    ['unknown body field 99', [0x9a, 0x06, 0x00], ErrorCode.CODEC_UNKNOWN_MESSAGE],
    ['body with the wrong wire type', [0x50, 0x01], ErrorCode.CODEC_UNKNOWN_MESSAGE],
    ['request id beyond 2^53', enc({ requestId: 2 ** 60, ping: {} }), ErrorCode.CODEC_INVALID_FIELD],
    ['negative qty', enc({ newOrder: { ...order, qty: -1 } }), ErrorCode.CODEC_INVALID_FIELD],
    ['zero qty', enc({ newOrder: { ...order, qty: 0 } }), ErrorCode.CODEC_INVALID_FIELD],
    ['unknown side', enc({ newOrder: { ...order, side: 7 } }), ErrorCode.CODEC_INVALID_FIELD],
    ['unspecified side', enc({ newOrder: { ...order, side: 0 } }), ErrorCode.CODEC_INVALID_FIELD],
    ['unknown order type', enc({ newOrder: { ...order, type: 3 } }), ErrorCode.CODEC_INVALID_FIELD],
    ['unknown time in force', enc({ newOrder: { ...order, timeInForce: 9 } }), ErrorCode.CODEC_INVALID_FIELD],
    ['unknown algo', enc({ newOrder: { ...order, algo: 4 } }), ErrorCode.CODEC_INVALID_FIELD],
    ['price beyond 2^53', enc({ newOrder: { ...order, price: -(2 ** 60) } }), ErrorCode.CODEC_INVALID_FIELD],
    ['65-char client order id', enc({ newOrder: { ...order, clientOrderId: 'x'.repeat(65) } }), ErrorCode.CODEC_INVALID_FIELD],
    ['empty client order id', enc({ newOrder: { ...order, clientOrderId: '' } }), ErrorCode.CODEC_INVALID_FIELD],
    ['control character in symbol', enc({ newOrder: { ...order, symbol: 'BTC\nUSD' } }), ErrorCode.CODEC_INVALID_FIELD],
    ['65-char symbol in subscribe', enc({ subscribe: { symbols: ['S'.repeat(65)] } }), ErrorCode.CODEC_INVALID_FIELD],
    ['1001 stream ids', enc({ subscribe: { streamIds: Array.from({ length: 1001 }, (_, i) => i + 1) } }), ErrorCode.CODEC_INVALID_FIELD],
    ['stream id 0', enc({ subscribe: { streamIds: [0] } }), ErrorCode.CODEC_INVALID_FIELD],
    ['empty subscribe', enc({ subscribe: {} }), ErrorCode.CODEC_INVALID_FIELD],
    ['over-long token', enc({ hello: { token: 't'.repeat(4097) } }), ErrorCode.CODEC_INVALID_FIELD],
    ['nonce beyond 2^53', enc({ ping: { nonce: 2 ** 62 } }), ErrorCode.CODEC_INVALID_FIELD],
    ['frame over 64 KiB', new Uint8Array(65_537), ErrorCode.CODEC_PAYLOAD_TOO_LARGE],
  ])('%s', (_name, bytes, expected) => {
    expect(code(decodeClient(Uint8Array.from(bytes)))).toBe(expected);
  });

  it('1000 stream ids pass; the list limit is an option', () => {
    const bytes = enc({ subscribe: { streamIds: Array.from({ length: 1000 }, (_, i) => i + 1) } });
    expect(code(decodeClient(bytes))).toBe('ok');
    expect(code(decodeClient(bytes, codecLimits({ maxListLength: 10 })))).toBe(ErrorCode.CODEC_INVALID_FIELD);
  });

  it('fuzz: 10k random byte strings never throw and always yield a codec code', () => {
    const rand = mulberry32(2024);
    const codes = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const bytes = new Uint8Array(Math.floor(rand() * 64));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rand() * 256);
      const r = decodeClient(bytes);
      codes.add(code(r));
    }
    for (const c of codes) expect(['ok', ErrorCode.CODEC_MALFORMED, ErrorCode.CODEC_UNKNOWN_MESSAGE, ErrorCode.CODEC_INVALID_FIELD]).toContain(c);
  });

  it('fuzz: 10k bit-flipped valid client frames never throw', () => {
    const rand = mulberry32(7);
    const frames = CLIENT_SAMPLES.map(encodeClient);
    for (let i = 0; i < 10_000; i++) {
      const bytes = Uint8Array.from(frames[i % frames.length]!);
      const flips = 1 + Math.floor(rand() * 3);
      for (let f = 0; f < flips; f++) bytes[Math.floor(rand() * bytes.length)] ^= 1 << Math.floor(rand() * 8);
      expect(() => decodeClient(bytes)).not.toThrow();
    }
  });
});

describe('protobuf decodeServer rejects bad frames with its code (the worker must not crash)', () => {
  const frame = (bookBatch: Record<string, unknown>) => pb.ServerMessage.encode({ bookBatch }).finish();

  it.each<[string, Uint8Array | number[], string]>([
    ['empty frame', [], ErrorCode.CODEC_UNKNOWN_MESSAGE],
    ['truncated book batch', Array.from(encodeBookBatch(randomBatch(mulberry32(1), BTC, 1))).slice(0, -1), ErrorCode.CODEC_MALFORMED],
    ['prices without sizes', frame({ bids: { price: [1, 2], size: [1] } }), ErrorCode.CODEC_INVALID_FIELD],
    ['negative size', frame({ bids: { price: [1], size: [-1] } }), ErrorCode.CODEC_INVALID_FIELD],
    ['unknown stream state', frame({ state: 9 }), ErrorCode.CODEC_INVALID_FIELD],
    ['trade without aggressor', frame({ trades: [{ tradeId: 1, price: 1, size: 1 }] }), ErrorCode.CODEC_INVALID_FIELD],
    ['seq beyond 2^53', frame({ seq: 2 ** 60 }), ErrorCode.CODEC_INVALID_FIELD],
    ['delta-coded price overflowing 2^53', frame({ asks: { price: [2 ** 52, 2 ** 52], size: [1, 1] } }), ErrorCode.CODEC_INVALID_FIELD],
    ['unknown execution report status', pb.ServerMessage.encode({ executionReport: { status: 99, execType: 1, side: 1, type: 1 } } as object).finish(), ErrorCode.CODEC_INVALID_FIELD],
    ['instrument with a bad tick size', pb.ServerMessage.encode({ instruments: { instruments: [{ symbol: 'X', venue: 'v', tickSize: 'abc', lotSize: '1' }] } }).finish(), ErrorCode.CODEC_INVALID_FIELD],
  ])('%s', (_name, bytes, expected) => {
    expect(code(decodeServer(Uint8Array.from(bytes)))).toBe(expected);
  });

  it('level and frame limits are options', () => {
    const b = randomSnapshot(mulberry32(1), BTC, 1, 100);
    expect(code(decodeServer(encodeBookSnapshot(b), codecLimits({ maxLevels: 99 })))).toBe(ErrorCode.CODEC_INVALID_FIELD);
    expect(code(decodeServer(encodeBookSnapshot(b), codecLimits({ maxServerFrameBytes: 100 })))).toBe(ErrorCode.CODEC_PAYLOAD_TOO_LARGE);
  });

  it('fuzz: 10k random and bit-flipped server frames never throw', () => {
    const rand = mulberry32(77);
    const frames = serverSamples(mulberry32(1)).map(encodeServer);
    for (let i = 0; i < 10_000; i++) {
      let bytes: Uint8Array;
      if (i % 2 === 0) {
        bytes = new Uint8Array(Math.floor(rand() * 96));
        for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rand() * 256);
      } else {
        bytes = Uint8Array.from(frames[i % frames.length]!);
        bytes[Math.floor(rand() * bytes.length)] ^= 1 << Math.floor(rand() * 8);
      }
      expect(() => decodeServer(bytes)).not.toThrow();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Legacy JSON codec

describe('legacy JSON codec', () => {
  it('keeps the documented trade shape exactly', () => {
    const [text] = legacyEncodeTrades(BTC, [{ tradeId: 9, price: 5_000_000, size: 15_000, aggressor: Side.Buy, timeUs: 1_732_560_000_123_456 }]);
    expect(text!.startsWith('{"type":"marketData","channel":"marketData","symbol":"BTC-USD",')).toBe(true);
    expect(text).toContain('"data":{"price":50000,"volume":1.5,');
    expect(JSON.parse(text!)).toEqual({
      type: 'marketData', channel: 'marketData', symbol: 'BTC-USD', venue: 'sim-a',
      data: { price: 50000, volume: 1.5, side: 'buy', tradeId: 9, time: 1_732_560_000_123.456 },
    });
  });

  it('encodes a book batch and snapshot in the documented shape', () => {
    const b: BookBatch = {
      ...emptyBatch(BTC), epoch: 2, seq: 42, checksum: 123, state: StreamState.Live,
      bids: { price: [5_000_000, 4_999_999], size: [15_000, 0] }, asks: { price: [5_000_001], size: [1] },
    };
    expect(JSON.parse(legacyEncodeBook(BTC, 'batch', b))).toEqual({
      type: 'book', channel: 'book', symbol: 'BTC-USD', venue: 'sim-a',
      data: { epoch: 2, seq: 42, bids: [[50000, 1.5], [49999.99, 0]], asks: [[50000.01, 0.0001]], checksum: 123, state: 'live', time: 0 },
    });
    const s = JSON.parse(legacyEncodeBook(BTC, 'snapshot', { ...b, recentTrades: [] }));
    expect(s).toMatchObject({ type: 'bookSnapshot', channel: 'book', data: { seq: 42, trades: [] } });
  });

  it.each<[string, LegacyClientMsg]>([
    ['subscribe one', { type: 'subscribe', channel: 'marketData', symbols: ['BTC-USD'] }],
    ['subscribe many', { type: 'subscribe', channel: 'book', symbols: ['BTC-USD', 'ETH-USD'] }],
    ['unsubscribe', { type: 'unsubscribe', channel: 'book', symbols: ['ETH-USD'] }],
    ['ping', { type: 'ping', nonce: 3, timeUs: 1_732_560_000_123_456 }],
    ['pong', { type: 'pong', nonce: 0, timeUs: 0 }],
  ])('round-trips client %s', (_n, m) => {
    expect(value(legacyDecodeClient(legacyEncodeClient(m)))).toEqual(m);
  });

  it('accepts the documented subscribe and merges "symbol" with "symbols"', () => {
    expect(value(legacyDecodeClient('{"type":"subscribe","channel":"marketData","symbol":"BTC-USD"}'))).toEqual({
      type: 'subscribe', channel: 'marketData', symbols: ['BTC-USD'],
    });
    expect(value(legacyDecodeClient('{"type":"subscribe","channel":"book","symbol":"A","symbols":["A","B"]}'))).toEqual({
      type: 'subscribe', channel: 'book', symbols: ['A', 'B'],
    });
    expect(value(legacyDecodeClient('{"type":"ping"}'))).toEqual({ type: 'ping', nonce: 0, timeUs: 0 });
  });

  it.each<[string, string, string]>([
    ['not JSON', '{"type":', ErrorCode.CODEC_MALFORMED],
    ['a JSON array', '[1,2]', ErrorCode.CODEC_MALFORMED],
    ['JSON null', 'null', ErrorCode.CODEC_MALFORMED],
    ['no type', '{"channel":"book"}', ErrorCode.CODEC_UNKNOWN_MESSAGE],
    ['unknown type', '{"type":"order"}', ErrorCode.CODEC_UNKNOWN_MESSAGE],
    ['type not a string', '{"type":7}', ErrorCode.CODEC_UNKNOWN_MESSAGE],
    ['unknown channel', '{"type":"subscribe","channel":"news","symbol":"BTC-USD"}', ErrorCode.CODEC_INVALID_FIELD],
    ['missing channel', '{"type":"subscribe","symbol":"BTC-USD"}', ErrorCode.CODEC_INVALID_FIELD],
    ['no symbol', '{"type":"subscribe","channel":"book"}', ErrorCode.CODEC_INVALID_FIELD],
    ['symbol not a string', '{"type":"subscribe","channel":"book","symbol":5}', ErrorCode.CODEC_INVALID_FIELD],
    ['65-char symbol', `{"type":"subscribe","channel":"book","symbol":"${'S'.repeat(65)}"}`, ErrorCode.CODEC_INVALID_FIELD],
    ['symbols not an array', '{"type":"subscribe","channel":"book","symbols":"BTC-USD"}', ErrorCode.CODEC_INVALID_FIELD],
    ['1001 symbols', JSON.stringify({ type: 'subscribe', channel: 'book', symbols: Array.from({ length: 1001 }, (_, i) => `S${i}`) }), ErrorCode.CODEC_INVALID_FIELD],
    ['negative nonce', '{"type":"ping","nonce":-1}', ErrorCode.CODEC_INVALID_FIELD],
    ['fractional nonce', '{"type":"ping","nonce":1.5}', ErrorCode.CODEC_INVALID_FIELD],
    ['nonce beyond 2^53', '{"type":"ping","nonce":1e300}', ErrorCode.CODEC_INVALID_FIELD],
    ['text over 64 KiB', `{"type":"ping","pad":"${'x'.repeat(65_536)}"}`, ErrorCode.CODEC_PAYLOAD_TOO_LARGE],
  ])('legacyDecodeClient: %s', (_n, text, expected) => {
    expect(code(legacyDecodeClient(text))).toBe(expected);
  });

  it.each<[string, LegacyServerControlMsg]>([
    ['welcome', { type: 'welcome', sessionId: 's1', serverTimeUs: 1_732_560_000_123_456, heartbeatMs: 15_000, instruments: INSTRUMENTS }],
    ['subscribed', { type: 'subscribed', channel: 'book', symbols: ['BTC-USD'] }],
    ['unsubscribed', { type: 'unsubscribed', channel: 'marketData', symbols: ['BTC-USD', 'ETH-USD'] }],
    ['ping', { type: 'ping', nonce: 1, timeUs: 5 }],
    ['pong', { type: 'pong', nonce: 1, timeUs: 5 }],
    ['error', { type: 'error', code: ErrorCode.CODEC_MALFORMED, message: 'not JSON' }],
  ])('round-trips server %s', (_n, m) => {
    expect(value(legacyDecodeServer(legacyEncodeServer(m), lookup))).toEqual(m);
  });

  it('documents the error shape', () => {
    expect(JSON.parse(legacyEncodeServer({ type: 'error', code: 'CODEC_MALFORMED', message: 'm' }))).toEqual({
      type: 'error', code: 'CODEC_MALFORMED', message: 'm',
    });
  });

  it.each<[string, string, string]>([
    ['unknown instrument', '{"type":"book","channel":"book","symbol":"NOPE","venue":"sim-a","data":{"epoch":1,"seq":1}}', ErrorCode.MD_UNKNOWN_SYMBOL],
    ['level not a pair', '{"type":"book","channel":"book","symbol":"BTC-USD","venue":"sim-a","data":{"epoch":1,"seq":1,"bids":[[1]]}}', ErrorCode.CODEC_INVALID_FIELD],
    ['negative size', '{"type":"book","channel":"book","symbol":"BTC-USD","venue":"sim-a","data":{"epoch":1,"seq":1,"bids":[[1,-1]]}}', ErrorCode.CODEC_INVALID_FIELD],
    ['unknown state', '{"type":"book","channel":"book","symbol":"BTC-USD","venue":"sim-a","data":{"epoch":1,"seq":1,"state":"zzz"}}', ErrorCode.CODEC_INVALID_FIELD],
    ['trade side', '{"type":"marketData","channel":"marketData","symbol":"BTC-USD","venue":"sim-a","data":{"price":1,"volume":1,"side":"up"}}', ErrorCode.CODEC_INVALID_FIELD],
    ['price not a number', '{"type":"marketData","channel":"marketData","symbol":"BTC-USD","venue":"sim-a","data":{"price":"1","volume":1,"side":"buy"}}', ErrorCode.CODEC_INVALID_FIELD],
  ])('legacyDecodeServer: %s', (_n, text, expected) => {
    expect(code(legacyDecodeServer(text, lookup))).toBe(expected);
  });

  it('fuzz: 10k random strings and mutated messages never throw', () => {
    const rand = mulberry32(31337);
    const alphabet = '{}[]",:0123456789.-etruflasnbymoypcdhkg ';
    const samples = [...legacyEncodeTrades(BTC, randomBatch(mulberry32(1), BTC, 1).trades), legacyEncodeBook(BTC, 'batch', randomBatch(mulberry32(2), BTC, 2))];
    for (let i = 0; i < 10_000; i++) {
      let text = '';
      if (i % 2 === 0) {
        const n = Math.floor(rand() * 40);
        for (let j = 0; j < n; j++) text += alphabet[Math.floor(rand() * alphabet.length)];
      } else {
        const s = samples[i % samples.length] ?? '{}';
        const k = Math.floor(rand() * s.length);
        text = s.slice(0, k) + alphabet[Math.floor(rand() * alphabet.length)] + s.slice(k + 1);
      }
      expect(() => legacyDecodeClient(text)).not.toThrow();
      expect(() => legacyDecodeServer(text, lookup)).not.toThrow();
    }
  });
});

// Keeps the sample list honest: every ClientMsg / ServerMsg variant has a round-trip case.
it('samples cover every message variant', () => {
  const clientTypes: ClientMsg['type'][] = ['hello', 'subscribe', 'unsubscribe', 'ping', 'pong', 'newOrder', 'cancelOrder', 'replaceOrder', 'cancelAll'];
  const serverTypes: ServerMsg['type'][] = ['welcome', 'error', 'ping', 'pong', 'subscribed', 'unsubscribed', 'instruments', 'bookSnapshot', 'bookBatch', 'executionReport'];
  expect(CLIENT_SAMPLES.map((m) => m.type).sort()).toEqual([...clientTypes].sort());
  expect(serverSamples(mulberry32(1)).map((m) => m.type).sort()).toEqual([...serverTypes].sort());
});
