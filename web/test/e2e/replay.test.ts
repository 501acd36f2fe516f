import type { BrowserContext, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { readRecording } from '@tickmesh/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartColours, firstNumber, ladderPrices as ladderPricesOf, pickSymbol as pickSymbolOf, screenshot, startTerminalSession, type TerminalSession } from './browser';
import type { RelayProcess } from './relay-process';

/**
 * Record, go offline, replay: a trader records live market data into IndexedDB, the network
 * goes away, the page reloads from its service worker, and the recording replays at 100× to
 * exactly the books that were live when recording stopped; paper orders fill against it.
 */
interface BookHash {
  streamId: number;
  seq: number;
  stateHash: string;
}
interface Diagnostics {
  listRecordings(): Promise<Array<{ id: number; frames: number; streamIds: number[]; live: boolean }>>;
  recordedHashes(id: number): Promise<BookHash[]>;
  replayHashes(): Promise<BookHash[]>;
}
declare const tickmeshReplay: Diagnostics;

let relay: RelayProcess;
let context: BrowserContext;
let page: Page;
let recordingId = 0;
let recorded: BookHash[] = [];

let session: TerminalSession | undefined;

beforeAll(async () => {
  session = await startTerminalSession();
  ({ relay, context, page } = session);
}, 60_000);

afterAll(() => session?.stop());

const text = async (testId: string) => (await page.getByTestId(testId).first().textContent()) ?? '';

const ladderPrices = (kind: 'bid' | 'ask') => ladderPricesOf(page, kind);
const pickSymbol = (symbol: string) => pickSymbolOf(page, symbol);

async function openReplayBar(): Promise<void> {
  const bar = page.getByTestId('replay');
  await bar.waitFor({ timeout: 15_000 });
  const fold = page.getByTestId('replay-toggle');
  if ((await fold.count()) > 0 && (await fold.getAttribute('aria-expanded')) === 'false') await fold.click();
}

describe.sequential('recording and offline replay in Chromium', () => {
  it('records every live frame into IndexedDB and shows it on the storage meter', async () => {
    await expect.poll(() => text('connection-status'), { timeout: 15_000 }).toMatch(/LIVE/);
    // The service worker must control the page before the network goes (the offline reload needs it).
    await page.evaluate(async () => void (await navigator.serviceWorker.ready));
    await expect.poll(() => text('recorder-state'), { timeout: 10_000 }).toMatch(/record/i);
    // About 15 s of a busy market: at 100× the replay then lasts long enough to watch. A few
    // seconds of a second symbol in the middle: a replay holds both and must never mix them.
    await expect.poll(async () => firstNumber(await text('recorder-frames')), { timeout: 30_000, interval: 500 }).toBeGreaterThan(1_500);
    await pickSymbol('ETH-USD');
    await expect.poll(() => page.getByTestId('ladder-bid-row').count(), { timeout: 10_000 }).toBeGreaterThan(3);
    await page.waitForTimeout(3_000);
    await pickSymbol('BTC-USD');
    await page.waitForTimeout(6_000);
    expect(firstNumber(await text('recorder-shed'))).toBe(0);
  }, 60_000);

  it('stops recording with the books sealed as final checkpoints', async () => {
    await page.getByTestId('recorder-toggle').uncheck();
    await expect.poll(() => text('recorder-state'), { timeout: 10_000 }).toMatch(/off/i);
    const list = await page.evaluate(() => tickmeshReplay.listRecordings());
    const rec = list.find((r) => r.frames > 0);
    expect(rec).toBeDefined();
    expect(rec!.live).toBe(false);
    recordingId = rec!.id;
    recorded = await page.evaluate((id) => tickmeshReplay.recordedHashes(id), recordingId);
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.every((h) => h.seq > 0 && /^[0-9a-f]{16}$/.test(h.stateHash))).toBe(true);
  });

  it('opens offline from the service worker and replays at 100× to the recorded books', async () => {
    await context.setOffline(true);
    await page.reload();
    await expect.poll(() => text('connection-status'), { timeout: 15_000 }).toMatch(/OFFLINE/i);
    await openReplayBar();
    await page.getByTestId('replay-recording').selectOption(String(recordingId));
    // Every change of the best bid the page draws during the replay.
    await page.evaluate(() => {
      const seen: string[] = [];
      (globalThis as { bestBids?: string[] }).bestBids = seen;
      new MutationObserver(() => {
        const t = document.querySelector('[data-testid="ladder-bid-row"]')?.textContent ?? '';
        if (t && seen[seen.length - 1] !== t) seen.push(t);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId('replay-start').click();
    await page.getByTestId('replay-speed-100').click();
    await expect.poll(() => page.getByTestId('replay-badge').isVisible(), { timeout: 5_000 }).toBe(true);
    await expect.poll(async () => {
      const now = await page.evaluate(() => tickmeshReplay.replayHashes());
      return recorded.every((r) => now.some((h) => h.streamId === r.streamId && h.seq === r.seq));
    }, { timeout: 30_000 }).toBe(true);
    // Exactly the books that were live when recording stopped.
    const replayed = await page.evaluate(() => tickmeshReplay.replayHashes());
    for (const r of recorded) expect(replayed.find((h) => h.streamId === r.streamId)).toEqual(r);
    // The ladder moved while replaying, and the chart and tape were drawn from the replay.
    const bestBids = await page.evaluate(() => (globalThis as { bestBids?: string[] }).bestBids ?? []);
    expect(bestBids.length).toBeGreaterThan(2);
    expect(await page.getByTestId('trade-row').count()).toBeGreaterThan(0);
    await expect.poll(() => chartColours(page), { timeout: 10_000 }).toBeGreaterThan(2);
    await screenshot(page, 'replay-offline-ended');
    // Each symbol shows its own book: bids below asks (venues of one symbol are never mixed with another's).
    for (const symbol of ['ETH-USD', 'BTC-USD']) {
      await pickSymbol(symbol);
      await expect.poll(async () => {
        const [bids, asks] = [await ladderPrices('bid'), await ladderPrices('ask')];
        return bids.length > 0 && asks.length > 0 && Math.max(...bids) < Math.min(...asks);
      }, { timeout: 10_000 }).toBe(true);
    }
  }, 60_000);

  it('fills a paper order against the replayed book; live order entry is off', async () => {
    await expect.poll(() => page.getByTestId('ticket-paper').isVisible(), { timeout: 5_000 }).toBe(true);
    const asks = await ladderPrices('ask');
    expect(asks.length).toBeGreaterThan(0);
    const side = page.getByTestId('ticket-side');
    if ((await side.evaluate((el) => el.tagName)) === 'SELECT') await side.selectOption({ label: 'Buy' });
    else if (!/buy/i.test((await side.textContent()) ?? '')) await side.click();
    await page.getByTestId('ticket-price').fill(Math.max(...asks).toFixed(2));
    await page.getByTestId('ticket-qty').fill('0.01');
    await page.getByTestId('ticket-submit').click();
    await expect.poll(async () => (await page.getByTestId('blotter-row').allTextContents()).join('\n'), { timeout: 10_000 }).toMatch(/FILLED/);
    await expect.poll(() => text('positions'), { timeout: 10_000 }).toMatch(/BTC-USD/);
    await screenshot(page, 'replay-paper-fill');
  });

  it('seeks to the middle, steps frame by frame, and plays on to the same end', async () => {
    const frames = async () => firstNumber(await text('replay-frames'));
    const seek = page.getByTestId('replay-seek');
    const [min, max] = [Number(await seek.getAttribute('min')), Number(await seek.getAttribute('max'))];
    await seek.evaluate((el: HTMLInputElement, v: number) => {
      el.value = String(v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }, (min + max) / 2);
    // The seek is done (paused at the middle; it was 'ended'), and the books are no longer the final ones.
    await expect.poll(() => page.getByTestId('replay').getAttribute('data-state'), { timeout: 10_000 }).toBe('paused');
    await expect.poll(async () => {
      const now = await page.evaluate(() => tickmeshReplay.replayHashes());
      return recorded.some((r) => now.some((h) => h.streamId === r.streamId && h.seq < r.seq));
    }, { timeout: 10_000 }).toBe(true);
    // The bar refreshes its counters every 100 ms: read the count once it has settled.
    let before = await frames();
    for (let settled = false; !settled; ) {
      await page.waitForTimeout(300);
      const now = await frames();
      settled = now === before;
      before = now;
    }
    for (let i = 0; i < 3; i++) await page.getByTestId('replay-step').click();
    await expect.poll(frames, { timeout: 5_000 }).toBe(before + 3);
    await page.getByTestId('replay-speed-max').click();
    await page.getByTestId('replay-play').click();
    const sorted = (h: BookHash[]) => JSON.stringify([...h].filter((x) => recorded.some((r) => r.streamId === x.streamId)).sort((a, b) => a.streamId - b.streamId));
    await expect.poll(async () => sorted(await page.evaluate(() => tickmeshReplay.replayHashes())), { timeout: 20_000 }).toBe(sorted(recorded));
  });

  it('exports the recording as a file that reads back whole; imports it; refuses a damaged file with its code', async () => {
    const before = await page.evaluate(() => tickmeshReplay.listRecordings());
    const frames = before.find((r) => r.id === recordingId)!.frames;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('replay-export').click()]);
    const bytes = readFileSync((await download.path())!);
    const read = readRecording(new Uint8Array(bytes));
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.value.frames.length).toBe(frames);
    expect(new Set(read.value.frames.map((f) => f.streamId))).toEqual(new Set(recorded.map((h) => h.streamId)));

    await page.getByTestId('replay-import').setInputFiles({ name: 'copy.tmrec', mimeType: 'application/x-tickmesh-recording', buffer: bytes });
    await expect.poll(async () => (await page.evaluate(() => tickmeshReplay.listRecordings())).length, { timeout: 15_000 }).toBe(before.length + 1);
    const copy = (await page.evaluate(() => tickmeshReplay.listRecordings())).find((r) => !before.some((b) => b.id === r.id))!;
    expect(copy.frames).toBe(frames);
    // The import replays to the same books: its final checkpoints equal the recorded ones.
    expect(await page.evaluate((id) => tickmeshReplay.recordedHashes(id), copy.id)).toEqual(recorded);

    await page.getByTestId('replay-import').setInputFiles({ name: 'cut.tmrec', mimeType: 'application/x-tickmesh-recording', buffer: bytes.subarray(0, bytes.length - 3) });
    await expect.poll(async () => page.getByTestId('replay-error').getAttribute('data-code'), { timeout: 10_000 }).toBe('RECORDING_TRUNCATED');
    expect((await page.evaluate(() => tickmeshReplay.listRecordings())).length).toBe(before.length + 1);
  });

  it('reopened offline in a new tab, with no session, replays the day from the login panel', async () => {
    const tab = await context.newPage();
    try {
      await tab.goto(new URL(relay.loginUrl).origin + '/');
      await tab.getByTestId('replay-offline').click();
      await tab.getByTestId('replay').waitFor({ timeout: 15_000 });
      const fold = tab.getByTestId('replay-toggle');
      if ((await fold.getAttribute('aria-expanded')) === 'false') await fold.click();
      await tab.getByTestId('replay-recording').selectOption(String(recordingId));
      await tab.getByTestId('replay-start').click();
      await tab.getByTestId('replay-speed-max').click();
      const sorted = (h: BookHash[]) => JSON.stringify([...h].filter((x) => recorded.some((r) => r.streamId === x.streamId)).sort((a, b) => a.streamId - b.streamId));
      await expect.poll(async () => sorted(await tab.evaluate(() => tickmeshReplay.replayHashes())), { timeout: 20_000 }).toBe(sorted(recorded));
      expect(await tab.getByTestId('ladder-bid-row').count()).toBeGreaterThan(0);
      await screenshot(tab, 'replay-reopened-offline');
    } finally {
      await tab.close();
      await context.setOffline(false);
    }
  });
});
