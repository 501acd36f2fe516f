import type { Side } from './side';

/** Stream state as carried on the wire (numbering matches tickmesh.v1.StreamState). */
export const StreamState = { Unspecified: 0, Live: 1, Halted: 2, Stale: 3 } as const;
export type StreamState = (typeof StreamState)[keyof typeof StreamState];

/** Parallel arrays of absolute level prices (ticks) and sizes (lots); size 0 deletes. */
export interface LevelChanges {
  price: ArrayLike<number>;
  size: ArrayLike<number>;
}

export interface Trade {
  tradeId: number;
  price: number;
  size: number;
  aggressor: Side;
  timeUs: number;
}

/** Full book of one stream, valid at `seq`. Levels best first. */
export interface BookSnapshot {
  streamId: number;
  epoch: number;
  seq: number;
  bids: LevelChanges;
  asks: LevelChanges;
  recentTrades: Trade[];
  checksum: number;
  state: StreamState;
  timeUs: number;
}

/** One flush of one stream: seq is exactly previous + 1 within an epoch. */
export interface BookBatch {
  streamId: number;
  epoch: number;
  seq: number;
  bids: LevelChanges;
  asks: LevelChanges;
  trades: Trade[];
  checksum: number;
  state: StreamState;
  timeUs: number;
}

/**
 * One OHLCV candle, as the relay keeps and serves it (GET /api/candles) and the chart draws it:
 * prices in instrument ticks, volume in lots (integers; floats only at the UI edge).
 */
export interface Candle {
  /** Bucket open, seconds since the Unix epoch (a multiple of the timeframe's width; lightweight-charts' UTCTimestamp). */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Lots traded in the bucket. */
  volume: number;
}
