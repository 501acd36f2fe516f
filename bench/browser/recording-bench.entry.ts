/**
 * Browser side of bench/recording-browser.bench.ts: the worker's recorder and player against
 * Chromium's IndexedDB, on a synthetic feed generated in the page.
 */
import { openDB } from 'idb';
import { bookCheckpoint } from '../../web/src/workers/recording/book-checkpoint';
import { Recorder } from '../../web/src/workers/recording/recorder';
import { openRecordingDb, type RecordingDb } from '../../web/src/workers/recording/recording-db';
import { ReplayPlayer } from '../../web/src/workers/recording/replay-player';
import { applyFrame, feedBooks } from './feed-books';
import { instrumentsOf, syntheticFeed, type FeedFrame, type FeedOptions } from './synthetic-feed';

let feed: FeedFrame[] = [];
let feedOptions: FeedOptions | undefined;
let db: RecordingDb | undefined;

const freshBooks = feedBooks;
const applyTo = applyFrame;

/** Generates the feed in the page; returns its size. */
export function makeFeed(o: FeedOptions): { frames: number; ticks: number; bytes: number } {
  feed = syntheticFeed(o);
  feedOptions = o;
  let ticks = 0;
  let bytes = 0;
  for (const f of feed) {
    ticks += f.ticks;
    bytes += f.bytes.length;
  }
  return { frames: feed.length, ticks, bytes };
}

/**
 * Records the feed as the worker does (append before apply, checkpoints from the books) and
 * waits for IndexedDB to hold it. `applyMs` is the books' share (the live path's own work).
 */
export async function record(): Promise<{ ms: number; applyMs: number; appendMs: number; recordingId: number; shed: number; stored: number }> {
  db ??= await openRecordingDb();
  const books = freshBooks(feedOptions!.streams);
  let nowUs = 0;
  const recorder = new Recorder(async () => db!, (streamId) => {
    const e = books.get(streamId);
    return e ? bookCheckpoint(e.stream, nowUs) : undefined;
  }, { nowUs: () => nowUs });
  nowUs = feed[0]!.timeUs;
  const id = await recorder.begin(instrumentsOf(feedOptions!.streams), { name: 'bench' });
  let applyMs = 0;
  let appendMs = 0;
  const t0 = performance.now();
  let i = 0;
  // Frames arrive in slices (as WebSocket messages do), so the flush timer gets its turns.
  while (i < feed.length) {
    const end = Math.min(feed.length, i + 2_000);
    for (; i < end; i++) {
      const f = feed[i]!;
      nowUs = f.timeUs;
      const r = performance.now();
      recorder.append(f.streamId, f.timeUs, f.bytes);
      const a = performance.now();
      appendMs += a - r;
      applyTo(books, f.bytes);
      applyMs += performance.now() - a;
    }
    await new Promise((r) => setTimeout(r, 0));
  }
  await recorder.end();
  const ms = performance.now() - t0;
  const s = recorder.status();
  return { ms, applyMs, appendMs, recordingId: id, shed: s.framesShed, stored: s.framesRecorded };
}

/** The alternative design: one IndexedDB record per frame, in one transaction per 2,000 frames. */
export async function recordNaive(): Promise<{ ms: number }> {
  const naive = await openDB('naive-frames', 1, { upgrade: (d) => void d.createObjectStore('frames', { autoIncrement: true }) });
  const t0 = performance.now();
  for (let i = 0; i < feed.length; i += 2_000) {
    const tx = naive.transaction('frames', 'readwrite');
    for (const f of feed.slice(i, i + 2_000)) void tx.store.put({ streamId: f.streamId, timeUs: f.timeUs, bytes: f.bytes.slice().buffer });
    await tx.done;
  }
  const ms = performance.now() - t0;
  naive.close();
  return { ms };
}

async function openPlayer(recordingId: number): Promise<ReplayPlayer> {
  const row = (await db!.get('recordings', recordingId))!;
  const player = new ReplayPlayer(db!, row, row.streams.map((s) => s.streamId), row.startUs, row.endUs, () => {});
  await player.open();
  return player;
}

/** Plays the whole recording at max speed from IndexedDB; the checkpoints met must all match. */
export async function replayMax(recordingId: number): Promise<{ ms: number; frames: number; verified: number; mismatches: number }> {
  const t0 = performance.now();
  const player = await openPlayer(recordingId);
  await player.runToEnd();
  const ms = performance.now() - t0;
  const s = player.status();
  return { ms, frames: s.framesPlayed, verified: s.checkpointsVerified, mismatches: s.checkpointMismatches };
}

/** Decode and apply the same frames from memory: the ceiling a player could reach without storage. */
export function applyInMemory(): { ms: number } {
  const books = freshBooks(feedOptions!.streams);
  const t0 = performance.now();
  for (const f of feed) applyTo(books, f.bytes);
  return { ms: performance.now() - t0 };
}

/** Opens a player and seeks to the middle of the recording; `framesApplied` = frames after the checkpoint used. */
export async function seekMiddle(recordingId: number): Promise<{ ms: number; framesApplied: number }> {
  const row = (await db!.get('recordings', recordingId))!;
  const player = await openPlayer(recordingId);
  const before = player.status().framesPlayed;
  const t0 = performance.now();
  await player.seek(Math.round((row.startUs + row.endUs) / 2));
  const ms = performance.now() - t0;
  return { ms, framesApplied: player.status().framesPlayed - before };
}
