import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StreamState } from '../model/market-data';
import { Algo, type ClientMsg } from '../model/messages';
import { OrderType, TimeInForce } from '../model/order';
import type { Result } from '../model/result';
import { Side } from '../model/side';
import { encodeBookDelta } from './book-delta-encoder';
import { encodeBookBatch } from './book-frame-encoder';
import { decodeClient, decodeServer, encodeClient } from './proto-codec';

/**
 * Wire compatibility with the reference implementation: protoc (installed by `npm test`'s
 * pretest script) decodes our bytes and encodes bytes we decode.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function protoc(mode: 'decode' | 'encode', type: string, input: Uint8Array | string): Buffer {
  const r = spawnSync('protoc', [`--${mode}=tickmesh.v1.${type}`, '-I', 'proto', 'proto/messages.proto'], { cwd: ROOT, input });
  if (r.error) throw new Error(`protoc not runnable (npm test's pretest installs it): ${r.error.message}`);
  expect(r.stderr.toString()).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.reason.code}`);
  return r.value;
}

describe('protoc wire compatibility', () => {
  it('protoc decodes our BookBatch frame, showing the delta-coded prices', () => {
    const bytes = encodeBookBatch({
      streamId: 7, epoch: 3, seq: 9_007_199_254_740_991, checksum: 4_000_000_000, state: StreamState.Stale,
      timeUs: 1_732_560_000_123_456,
      bids: { price: Float64Array.of(5_000_000, 4_999_998), size: Float64Array.of(15_000, 0) },
      asks: { price: [5_000_001, 5_000_010], size: [1, 2] },
      trades: [{ tradeId: 77, price: -5, size: 3, aggressor: Side.Sell, timeUs: 1 }],
    }, 12);
    const text = protoc('decode', 'ServerMessage', bytes).toString();
    for (const line of [
      'request_id: 12', 'book_batch {', 'stream_id: 7', 'epoch: 3', 'seq: 9007199254740991',
      'price: 5000000', 'price: -2', 'size: 15000', 'size: 0', 'price: 5000001', 'price: 9',
      'trade_id: 77', 'price: -5', 'aggressor: SIDE_SELL', 'checksum: 4000000000', 'state: STREAM_STATE_STALE',
      'time_us: 1732560000123456',
    ]) expect(text).toContain(line);
  });

  it('protoc decodes our NewOrder frame', () => {
    const order: ClientMsg = {
      type: 'newOrder', requestId: 5, clientOrderId: 'c-1', symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy,
      orderType: OrderType.Limit, timeInForce: TimeInForce.IOC, price: -1234, qty: 15_000, postOnly: true,
      algo: Algo.TWAP, displayQty: 0, durationMs: 60_000,
    };
    const text = protoc('decode', 'ClientMessage', encodeClient(order)).toString();
    for (const line of [
      'request_id: 5', 'new_order {', 'client_order_id: "c-1"', 'symbol: "BTC-USD"', 'venue: "sim-a"', 'side: SIDE_BUY',
      'type: ORDER_TYPE_LIMIT', 'time_in_force: TIME_IN_FORCE_IOC', 'price: -1234', 'qty: 15000', 'post_only: true',
      'algo: ALGO_TWAP', 'duration_ms: 60000',
    ]) expect(text).toContain(line);
  });

  it('we decode a ClientMessage protoc encoded', () => {
    const bytes = protoc('encode', 'ClientMessage', `
      request_id: 42
      new_order { client_order_id: "x-9" symbol: "ETH-USD" side: SIDE_SELL type: ORDER_TYPE_MARKET qty: 7 algo: ALGO_ICEBERG display_qty: 2 }
    `);
    expect(value(decodeClient(bytes))).toEqual({
      type: 'newOrder', requestId: 42, clientOrderId: 'x-9', symbol: 'ETH-USD', venue: '', side: Side.Sell,
      orderType: OrderType.Market, timeInForce: TimeInForce.GTC, price: 0, qty: 7, postOnly: false,
      algo: Algo.Iceberg, displayQty: 2, durationMs: 0,
    });
    const sub = protoc('encode', 'ClientMessage', 'subscribe { stream_ids: [1, 2] symbols: "BTC-USD" }');
    expect(value(decodeClient(sub))).toEqual({ type: 'subscribe', requestId: 0, streamIds: [1, 2], symbols: ['BTC-USD'] });
  });

  it('we decode a BookBatch protoc encoded, undoing the delta coding', () => {
    const bytes = protoc('encode', 'ServerMessage', `
      book_batch {
        stream_id: 7 epoch: 1 seq: 2
        bids { price: [5000000, -1, -1] size: [10, 0, 30] }
        trades { trade_id: 1 price: 5000000 size: 4 aggressor: SIDE_BUY time_us: 99 }
        state: STREAM_STATE_LIVE
      }
    `);
    const m = value(decodeServer(bytes));
    expect(m.type).toBe('bookBatch');
    if (m.type !== 'bookBatch') return;
    expect(Array.from(m.bids.price)).toEqual([5_000_000, 4_999_999, 4_999_998]);
    expect(Array.from(m.bids.size)).toEqual([10, 0, 30]);
    expect(m.asks.price.length).toBe(0);
    expect(m.trades).toEqual([{ tradeId: 1, price: 5_000_000, size: 4, aggressor: Side.Buy, timeUs: 99 }]);
    expect(m.state).toBe(StreamState.Live);
  });

  it('protoc decodes our BookDelta frame, and we decode a BookDelta protoc encoded', () => {
    const bytes = encodeBookDelta({
      streamId: 7, epoch: 3, seq: 9, checksum: 4_000_000_000, state: StreamState.Live, timeUs: 1_732_560_000_123_456,
      bids: { price: [5_000_000, 4_999_999], size: [10, 0] }, asks: { price: [5_000_002], size: [4] },
      trades: [{ tradeId: 5, price: 5_000_001, size: 2, aggressor: Side.Buy, timeUs: 1_732_560_000_123_456 }],
    })!;
    const text = protoc('decode', 'ServerMessage', bytes).toString();
    for (const line of [
      'book_delta {', 'stream_id: 7', 'epoch: 3', 'seq: 9', 'time_us: 1732560000123456', 'checksum: 4000000000',
      'state: STREAM_STATE_LIVE', 'bids: 43', 'bids: 10000000', 'bids: 0', 'asks: 17', 'trades: 10',
    ]) expect(text).toContain(line);
    const back = value(decodeServer(protoc('encode', 'ServerMessage', text)));
    expect(back).toEqual(value(decodeServer(bytes)));
    if (back.type !== 'bookBatch') return;
    expect(back.bids.price).toEqual([5_000_000, 4_999_999]);
    expect(back.trades).toEqual([{ tradeId: 5, price: 5_000_001, size: 2, aggressor: Side.Buy, timeUs: 1_732_560_000_123_456 }]);
  });
});
