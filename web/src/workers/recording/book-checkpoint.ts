import { encodeBookSnapshot, Side, StreamState, type BookStream } from '@tickmesh/shared';
import type { RecorderCheckpoint } from './recorder';

/**
 * A stream's book as a recorder checkpoint: the levels and recent trades encoded as the
 * BookSnapshot the relay would send at this seq. Undefined while the book is stale (a
 * checkpoint must describe a book in sync).
 */
export function bookCheckpoint(stream: BookStream, timeUs: number): RecorderCheckpoint | undefined {
  const status = stream.status;
  if (status === 'stale') return undefined;
  const book = stream.book;
  const snapshot = encodeBookSnapshot({
    streamId: stream.streamId,
    epoch: stream.epoch,
    seq: stream.seq,
    bids: book.levels(Side.Buy),
    asks: book.levels(Side.Sell),
    recentTrades: stream.recentTrades(),
    checksum: book.checksum(),
    state: status === 'halted' ? StreamState.Halted : StreamState.Live,
    timeUs,
  });
  return { epoch: stream.epoch, seq: stream.seq, stateHash: book.stateHash(), snapshot };
}
