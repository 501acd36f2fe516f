/**
 * The worker's books for a synthetic feed (bench and browser tests): one StreamBooks over the
 * feed's instruments, and a frame applied to it as the worker applies a received one.
 */
import { decodeServer } from '@tickmesh/shared';
import { StreamBooks } from '../../web/src/workers/stream-books';
import { instrumentsOf } from './synthetic-feed';

export function feedBooks(streams: number): StreamBooks {
  const books = new StreamBooks(() => {}, () => {});
  const instruments = instrumentsOf(streams);
  books.setStreams(instruments, instruments.map((i) => i.venue));
  return books;
}

export function applyFrame(books: StreamBooks, bytes: Uint8Array): void {
  const m = decodeServer(bytes);
  if (!m.ok) throw new Error('bad synthetic frame');
  if (m.value.type === 'bookBatch') books.applyBatch(m.value);
  else if (m.value.type === 'bookSnapshot') books.applySnapshot(m.value);
}
