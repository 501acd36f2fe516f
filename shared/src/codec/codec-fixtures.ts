import type { Instrument } from '../model/instrument';
import { testInstrument } from '../model/instrument-fixtures';
import type { BookBatch, BookSnapshot, LevelChanges, Trade } from '../model/market-data';
import { StreamState } from '../model/market-data';
import type { ClientMsg, ServerMsg } from '../model/messages';
import { Algo } from '../model/messages';
import { ExecType, OrderStatus, OrderType, TimeInForce } from '../model/order';
import { randomInt, type RandomSource } from '../model/random';
import { Side } from '../model/side';

/**
 * Test-only fixtures shared by the codec suites: instruments, seeded book generators and one
 * sample of every ClientMsg / ServerMsg variant. Not exported from the package.
 */

export const BTC: Instrument = testInstrument({ streamId: 7, maxQty: 1_000_000_000, makerFeeBpsX100: -25, takerFeeBpsX100: 500 });
export const ETH: Instrument = {
  streamId: 8, symbol: 'ETH-USD', venue: 'sim-b', base: 'ETH', quote: 'USD', tickSize: '0.05', lotSize: '0.001',
  minQty: 10, maxQty: 5_000_000, makerFeeBpsX100: 0, takerFeeBpsX100: 250,
};
export const COARSE: Instrument = {
  streamId: 9, symbol: 'IDX-5', venue: 'sim-a', base: 'IDX', quote: 'USD', tickSize: '5', lotSize: '1',
  minQty: 1, maxQty: 100, makerFeeBpsX100: 1, takerFeeBpsX100: 2,
};
export const INSTRUMENTS = [BTC, ETH, COARSE];

export function lookup(venue: string, symbol: string): Instrument | undefined {
  return INSTRUMENTS.find((i) => i.venue === venue && i.symbol === symbol);
}

/** Plain arrays, so results from typed-array decoders compare with toEqual. */
export function plainLevels(l: LevelChanges): { price: number[]; size: number[] } {
  return { price: Array.from(l.price), size: Array.from(l.size) };
}

export function plainBatch(b: BookBatch): BookBatch {
  return { ...b, bids: plainLevels(b.bids), asks: plainLevels(b.asks) };
}

export function plainSnapshot(s: BookSnapshot): BookSnapshot {
  return { ...s, bids: plainLevels(s.bids), asks: plainLevels(s.asks) };
}

const T0_US = 1_732_560_000_123_456;

/** Distinct levels around `mid`, best first (bids descending, asks ascending). */
function randomSide(rand: RandomSource, mid: number, bid: boolean, n: number, depth: number, allowDelete: boolean): LevelChanges {
  const offsets = new Set<number>();
  while (offsets.size < n) offsets.add(randomInt(rand, bid ? 1 : 0, depth));
  const sorted = [...offsets].sort((a, b) => a - b);
  const price = sorted.map((o) => (bid ? mid - o : mid + o));
  const size = price.map(() => (allowDelete && rand() < 0.2 ? 0 : randomInt(rand, 1, 500_000)));
  return { price, size };
}

export function randomTrade(rand: RandomSource, mid: number, tradeId: number, timeUs: number): Trade {
  return {
    tradeId, price: mid + randomInt(rand, -5, 5), size: randomInt(rand, 1, 100_000),
    aggressor: rand() < 0.5 ? Side.Buy : Side.Sell, timeUs,
  };
}

export function randomBatch(rand: RandomSource, inst: Instrument, seq: number, mid = 5_000_000): BookBatch {
  const nb = rand() < 0.15 ? 0 : randomInt(rand, 1, 10);
  const na = rand() < 0.15 ? 0 : randomInt(rand, 1, 10);
  const nt = rand() < 0.6 ? 0 : randomInt(rand, 1, 3);
  const timeUs = T0_US + seq * 1000;
  return {
    streamId: inst.streamId, epoch: 3, seq,
    bids: randomSide(rand, mid, true, nb, 40, true),
    asks: randomSide(rand, mid, false, na, 40, true),
    trades: Array.from({ length: nt }, (_, i) => randomTrade(rand, mid, seq * 10 + i, timeUs - i)),
    checksum: randomInt(rand, 0, 0xffffffff),
    state: rand() < 0.9 ? StreamState.Unspecified : randomInt(rand, 1, 3) as StreamState,
    timeUs,
  };
}

export function randomSnapshot(rand: RandomSource, inst: Instrument, seq: number, depth = 200, mid = 5_000_000): BookSnapshot {
  return {
    streamId: inst.streamId, epoch: 3, seq,
    bids: randomSide(rand, mid, true, depth, depth * 3, false),
    asks: randomSide(rand, mid, false, depth, depth * 3, false),
    recentTrades: Array.from({ length: 20 }, (_, i) => randomTrade(rand, mid, 1000 + i, T0_US + i)),
    checksum: randomInt(rand, 0, 0xffffffff), state: StreamState.Live, timeUs: T0_US + seq,
  };
}

export const CLIENT_SAMPLES: ClientMsg[] = [
  { type: 'hello', requestId: 1, clientName: 'tickmesh-web/1.0', protocolVersion: 1, token: 'eyJhbGciOi.J9x-y_z' },
  { type: 'subscribe', requestId: 2, streamIds: [7, 8, 4_000_000_000], symbols: ['BTC-USD'] },
  { type: 'unsubscribe', requestId: 3, streamIds: [], symbols: ['BTC-USD', 'ETH-USD'] },
  { type: 'ping', requestId: 4, nonce: 2 ** 40 + 1, timeUs: T0_US },
  { type: 'pong', requestId: 0, nonce: 9, timeUs: T0_US },
  {
    type: 'newOrder', requestId: 2 ** 53 - 1, clientOrderId: 'c-0001', symbol: 'BTC-USD', venue: '', side: Side.Sell,
    orderType: OrderType.Limit, timeInForce: TimeInForce.IOC, price: 5_000_001, qty: 15_000, postOnly: true,
    algo: Algo.Iceberg, displayQty: 1_000, durationMs: 60_000,
  },
  { type: 'cancelOrder', requestId: 6, clientOrderId: 'c-0002', origClientOrderId: 'c-0001' },
  { type: 'replaceOrder', requestId: 7, clientOrderId: 'c-0003', origClientOrderId: 'c-0001', price: -20, qty: 1 },
  { type: 'cancelAll', requestId: 8, symbol: '' },
];

export function serverSamples(rand: RandomSource): ServerMsg[] {
  return [
    {
      type: 'welcome', requestId: 1, sessionId: 's-42', serverTimeUs: T0_US, heartbeatMs: 15_000, instruments: INSTRUMENTS,
      mdPublicKey: new Uint8Array([1, 2, 3, 250]), account: 'acct-1', role: 'trader',
    },
    { type: 'error', requestId: 5, code: 'RISK_MAX_NOTIONAL', message: 'notional 1e9 > limit — ünïcode ok' },
    { type: 'ping', requestId: 0, nonce: 1, timeUs: T0_US },
    { type: 'pong', requestId: 4, nonce: 2, timeUs: T0_US },
    { type: 'subscribed', requestId: 2, streamIds: [7, 8] },
    { type: 'unsubscribed', requestId: 3, streamIds: [] },
    { type: 'instruments', requestId: 9, instruments: [ETH] },
    { type: 'bookSnapshot', requestId: 2, ...randomSnapshot(rand, BTC, 100, 50) },
    { type: 'bookBatch', requestId: 0, ...randomBatch(rand, BTC, 101) },
    {
      type: 'executionReport', requestId: 6, orderId: 'o-1', clientOrderId: 'c-0001', parentOrderId: '',
      status: OrderStatus.PartiallyFilled, execType: ExecType.Trade, symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy,
      orderType: OrderType.Limit, timeInForce: TimeInForce.FOK, price: 5_000_000, qty: 20_000, filledQty: 5_000, leavesQty: 15_000,
      cumNotional: 25_000_000_000, lastPrice: 5_000_000, lastQty: 5_000, tradeId: 77, reasonCode: '', reason: '',
      fee: -1234, liquidityMaker: true, timeUs: T0_US, account: 'acct-1', algo: Algo.None,
    },
  ];
}

/** Normalises typed arrays in a decoded ServerMsg for toEqual. */
export function plainServer(m: ServerMsg): ServerMsg {
  if (m.type === 'bookBatch') return { ...m, bids: plainLevels(m.bids), asks: plainLevels(m.asks) };
  if (m.type === 'bookSnapshot') return { ...m, bids: plainLevels(m.bids), asks: plainLevels(m.asks) };
  return m;
}
