import type { BookBatch, LevelChanges, Trade } from '../model/market-data';
import { StreamState } from '../model/market-data';
import { Side } from '../model/side';
import type { CodecLimits } from './codec-limits';
import { invalidField, malformed } from './decode-error';
import { DELTA_ESCAPE } from './book-delta-encoder';
import { checkEnum, checkUint } from './field-checks';
import type { WireReader } from './wire-reader';

/**
 * Decoder of `BookDelta` bodies (proto/market_data.proto) into the very BookBatch a BookBatch
 * frame would give, so the book stream, the mesh and the recorder never see which form came.
 * Protobuf merging holds: a body split over several occurrences concatenates its packed runs
 * (they are only interpreted once the frame is read) and the last scalar wins.
 */

const STREAM_STATES = [StreamState.Unspecified, StreamState.Live, StreamState.Halted, StreamState.Stale] as const;

/** The raw fields of one BookDelta while its occurrences arrive. */
export interface DeltaAccumulator {
  streamId: number;
  epoch: number;
  seq: number;
  timeUs: number;
  checksum: number;
  state: number;
  bids: number[];
  asks: number[];
  trades: number[];
}

export function newDeltaAccumulator(): DeltaAccumulator {
  return { streamId: 0, epoch: 0, seq: 0, timeUs: 0, checksum: 0, state: 0, bids: [], asks: [], trades: [] };
}

/** Reads one BookDelta body occurrence ending at `end` into `acc`. */
export function readDeltaBody(r: WireReader, end: number, acc: DeltaAccumulator, limits: CodecLimits): void {
  const outerEnd = r.end;
  r.end = end;
  // A level takes one or two varints and a trade four: bounds that stop a hostile frame early.
  const maxLevelValues = 2 * limits.maxLevels;
  const maxTradeValues = 4 * limits.maxTrades;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08: acc.streamId = r.uint32(); break;
      case 0x10: acc.epoch = r.uint64(); break;
      case 0x18: acc.seq = r.uint64(); break;
      case 0x20: acc.timeUs = r.uint64(); break;
      case 0x2d: acc.checksum = readFixed32(r); break;
      case 0x30: acc.state = r.int32(); break;
      case 0x3a: readPacked(r, acc.bids, maxLevelValues, 'bids'); break;
      case 0x42: readPacked(r, acc.asks, maxLevelValues, 'asks'); break;
      case 0x4a: readPacked(r, acc.trades, maxTradeValues, 'trades'); break;
      // Unpacked forms are legal protobuf, if unusual.
      case 0x38: pushOne(r, acc.bids, maxLevelValues, 'bids'); break;
      case 0x40: pushOne(r, acc.asks, maxLevelValues, 'asks'); break;
      case 0x48: pushOne(r, acc.trades, maxTradeValues, 'trades'); break;
      default: r.skip(tag & 7);
    }
  }
  if (r.pos !== end) throw malformed('book delta overran its length');
  r.end = outerEnd;
}

function readFixed32(r: WireReader): number {
  if (r.pos + 4 > r.end) throw malformed('truncated fixed32');
  const b = r.buf;
  const p = r.pos;
  r.pos = p + 4;
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

function readPacked(r: WireReader, into: number[], max: number, field: string): void {
  const chunkEnd = r.delimitedEnd();
  const outerEnd = r.end;
  r.end = chunkEnd;
  while (r.pos < chunkEnd) pushOne(r, into, max, field);
  r.end = outerEnd;
}

function pushOne(r: WireReader, into: number[], max: number, field: string): void {
  if (into.length >= max) throw invalidField(field, 'too many entries');
  const v = r.uint64();
  if (!Number.isSafeInteger(v)) throw invalidField(field, 'value beyond 2^53');
  into.push(v);
}

const unzigzag = (v: number): number => (v % 2 === 0 ? v / 2 : -(v + 1) / 2);

/** Undoes one side's level coding into absolute prices and sizes. */
function finishLevels(values: readonly number[], ref: number, dir: number, limits: CodecLimits, side: string): LevelChanges {
  const price: number[] = [];
  const size: number[] = [];
  let prev = ref;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const code = v % 4;
    if (code === DELTA_ESCAPE) {
      if (++i >= values.length) throw invalidField(`${side}.price`, 'escape without a price step');
      prev += unzigzag(values[i]!);
    } else {
      prev += dir * (code + 1);
    }
    if (!Number.isSafeInteger(prev)) throw invalidField(`${side}.price`, 'not a safe integer');
    price.push(prev);
    size.push((v - code) / 4);
  }
  if (price.length > limits.maxLevels) throw invalidField(side, `more than ${limits.maxLevels} levels`);
  return { price, size };
}

function finishTrades(values: readonly number[], ref: number, batchTimeUs: number): Trade[] {
  if (values.length % 4 !== 0) throw invalidField('trades', 'not a whole number of trades');
  const trades: Trade[] = [];
  let id = 0;
  let price = ref;
  for (let i = 0; i < values.length; i += 4) {
    id += unzigzag(values[i]!);
    price += unzigzag(values[i + 1]!);
    const sizeSide = values[i + 2]!;
    const sell = sizeSide % 2;
    trades.push({
      tradeId: checkUint(id, 'trade.tradeId'),
      price: checkSafe(price, 'trade.price'),
      size: (sizeSide - sell) / 2,
      aggressor: sell ? Side.Sell : Side.Buy,
      timeUs: checkUint(batchTimeUs + unzigzag(values[i + 3]!), 'trade.timeUs'),
    });
  }
  return trades;
}

function checkSafe(v: number, field: string): number {
  if (!Number.isSafeInteger(v)) throw invalidField(field, 'not a safe integer');
  return v;
}

/** The decoded batch, in the same object shape as finishBookBatch's (monomorphic for the worker). */
export function finishBookDelta(
  acc: DeltaAccumulator, requestId: number, limits: CodecLimits,
): { type: 'bookBatch'; requestId: number } & BookBatch {
  const bids = finishLevels(acc.bids, 0, -1, limits, 'bids');
  const firstBid = bids.price.length ? bids.price[0]! : 0;
  const asks = finishLevels(acc.asks, firstBid, 1, limits, 'asks');
  const tradeRef = bids.price.length ? firstBid : asks.price.length ? asks.price[0]! : 0;
  const timeUs = checkUint(acc.timeUs, 'timeUs');
  const trades = finishTrades(acc.trades, tradeRef, timeUs);
  if (trades.length > limits.maxTrades) throw invalidField('trades', `more than ${limits.maxTrades} entries`);
  return {
    type: 'bookBatch', requestId,
    streamId: acc.streamId,
    epoch: checkUint(acc.epoch, 'epoch'),
    seq: checkUint(acc.seq, 'seq'),
    bids,
    asks,
    trades,
    checksum: acc.checksum,
    state: checkEnum(acc.state, STREAM_STATES, 'state'),
    timeUs,
  };
}
