/**
 * Recording bench, in Debian's Chromium (real IndexedDB): the worker's recorder and player on
 * a seeded synthetic feed (3 streams, 20 frames/s each, 1–4 level changes per side per frame,
 * trades on 30% of frames) spanning one hour of receive time.
 *   - record: append + book apply + chunked commits, until IndexedDB holds everything, beside
 *     the naive design (one IndexedDB record per frame);
 *   - replay at max speed from IndexedDB, beside decode+apply of the same frames from memory;
 *   - seek to the middle of the hour (checkpoint, then the frames after it).
 * A tick is one level change or one trade. DESIGN.md budgets: record ≥ 100 k ticks/s; replay ≥ 1 M ticks/s.
 */
import { launchBrowser } from '../web/test/e2e/browser';
import { openModulePage } from '../web/test/browser/browser-module-page';
import { printTable } from './table';

const browser = await launchBrowser();
const page = await openModulePage('bench/browser/recording-bench.entry.ts', { browser });
try {
  const feed = await page.call<{ frames: number; ticks: number; bytes: number }>('makeFeed', { streams: 3, seconds: 3600, rate: 20 });
  const rec = await page.call<{ ms: number; applyMs: number; appendMs: number; recordingId: number; shed: number; stored: number }>('record');
  const naive = await page.call<{ ms: number }>('recordNaive');
  const perSec = (n: number, ms: number) => Math.round((n * 1000) / ms);
  printTable(`IndexedDB recording in Chromium (${feed.frames} frames, ${feed.ticks} ticks, ${(feed.bytes / 1e6).toFixed(1)} MB)`, [
    { design: 'Tickmesh recorder (chunks + checkpoints, incl. book apply)', 'ticks/s': perSec(feed.ticks, rec.ms), 'frames/s': perSec(feed.frames, rec.ms), 'book apply ms': Math.round(rec.applyMs), 'append on the live path, µs/frame': Number(((rec.appendMs * 1000) / feed.frames).toFixed(2)), shed: rec.shed, stored: rec.stored },
    { design: 'naive: one IndexedDB record per frame', 'ticks/s': perSec(feed.ticks, naive.ms), 'frames/s': perSec(feed.frames, naive.ms) },
  ], 'budget: record >= 100 k ticks/s');
  const replay = await page.call<{ ms: number; frames: number; verified: number; mismatches: number }>('replayMax', rec.recordingId);
  const memory = await page.call<{ ms: number }>('applyInMemory');
  printTable('Replay at max speed', [
    { source: 'IndexedDB (ReplayPlayer)', 'ticks/s': perSec(feed.ticks, replay.ms), 'frames/s': perSec(replay.frames, replay.ms), 'checkpoints equal': replay.verified, mismatches: replay.mismatches },
    { source: 'memory: decode + apply only', 'ticks/s': perSec(feed.ticks, memory.ms), 'frames/s': perSec(feed.frames, memory.ms) },
  ], 'budget: replay >= 1 M ticks/s');
  const seeks = [];
  for (let i = 0; i < 3; i++) seeks.push(await page.call<{ ms: number; framesApplied: number }>('seekMiddle', rec.recordingId));
  printTable('Seek to the middle of a one-hour recording', seeks.map((s, i) => ({ run: i + 1, ms: Number(s.ms.toFixed(1)), 'frames applied after the checkpoint': s.framesApplied })));
} finally {
  await page.close();
  await browser.close();
}
