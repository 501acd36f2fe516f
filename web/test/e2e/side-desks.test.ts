import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startTerminalSession, type TerminalSession } from './browser';

/**
 * Side desks (several instruments side by side) in Debian's Chromium against the relay exactly
 * as `npm start` runs it: pinned from the watchlist, fed by the page's one worker and relay
 * connection, each panel's touch the very book the main ladder shows for that instrument, kept
 * across a reload, closed, and never shown live once the relay is gone. One page, in order.
 */
let session: TerminalSession;
let page: Page;

beforeAll(async () => {
  session = await startTerminalSession();
  page = session.page;
}, 60_000);

afterAll(async () => {
  await session?.stop();
});

interface Pin {
  symbol: string;
  venue: string;
}
const ETH_A: Pin = { symbol: 'ETH-USD', venue: 'sim-a' };
const SOL_B: Pin = { symbol: 'SOL-USD', venue: 'sim-b' };

const panels = () => page.getByTestId('side-desk-panel');
const panelOf = (p: Pin) => page.locator(`[data-testid="side-desk-panel"][data-symbol="${p.symbol}"][data-venue="${p.venue}"]`);
const pinButton = (p: Pin) => page.locator(`[data-testid="watchlist-row"][data-symbol="${p.symbol}"][data-venue="${p.venue}"] [data-testid="watchlist-pin"]`);
/** The panels on screen, in order, as "symbol@venue". */
const shown = async () => panels().evaluateAll((els) => els.map((e) => `${e.getAttribute('data-symbol')}@${e.getAttribute('data-venue')}`));
const statuses = async () => panels().evaluateAll((els) => els.map((e) => e.getAttribute('data-status') ?? ''));

async function waitLive(): Promise<void> {
  await page.getByTestId('connection-status').filter({ hasText: /LIVE/ }).waitFor({ timeout: 20_000 });
}

/** A panel is live with a two-sided book of a few levels. */
async function waitPanelLive(p: Pin): Promise<void> {
  await expect.poll(async () => panelOf(p).getAttribute('data-status'), { timeout: 15_000, message: `${p.symbol}@${p.venue} live` }).toBe('live');
  await expect.poll(async () => panelOf(p).getByTestId('side-desk-bid-row').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
  await expect.poll(async () => panelOf(p).getByTestId('side-desk-ask-row').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
}

/**
 * One read, within one rendered frame, of the touch (price and size of the best bid and best
 * ask) of the side desk `p` and of the main ladder. Both come from the same worker frame, so
 * they must be equal whenever the main desk shows `p`.
 */
function touches(p: Pin): Promise<{ side: string; main: string; mainStatus: string; sideStatus: string }> {
  return page.evaluate((pin) => {
    const cell = (row: Element | undefined) => (row ? `${row.querySelector('.price')?.textContent?.trim()} x ${row.querySelector('.r')?.textContent?.trim()}` : '');
    const touch = (root: Element | null, bid: string, ask: string) => {
      const asks = root ? [...root.querySelectorAll(`[data-testid="${ask}"]`)] : [];
      const bids = root ? [...root.querySelectorAll(`[data-testid="${bid}"]`)] : [];
      // Asks are drawn worst first: the best ask is the last one, just above the spread.
      return `bid ${cell(bids[0])} / ask ${cell(asks[asks.length - 1])}`;
    };
    const side = document.querySelector(`[data-testid="side-desk-panel"][data-symbol="${pin.symbol}"][data-venue="${pin.venue}"]`);
    const main = document.querySelector('[data-testid="ladder"]');
    return {
      side: touch(side, 'side-desk-bid-row', 'side-desk-ask-row'),
      main: touch(main, 'ladder-bid-row', 'ladder-ask-row'),
      mainStatus: main?.getAttribute('data-status') ?? '',
      sideStatus: side?.getAttribute('data-status') ?? '',
    };
  }, p);
}

/** Resolves after the page has painted `n` more animation frames (each may carry a new worker frame). */
function frames(n: number): Promise<void> {
  return page.evaluate((count) => new Promise<void>((resolve) => {
    let left = count;
    const step = () => (--left <= 0 ? resolve() : requestAnimationFrame(step));
    requestAnimationFrame(step);
  }), n);
}

/** Clicks the side desk `p`, waits for the main desk to show it, then compares both touches over many frames. */
async function expectSameTouchAsMainLadder(p: Pin): Promise<void> {
  await panelOf(p).locator('.sym').click();
  const head = page.getByTestId('ladder').locator('.panel-head');
  await expect.poll(async () => (await head.textContent()) ?? '', { timeout: 10_000 }).toMatch(new RegExp(`${p.symbol}.*${p.venue}`));
  await expect.poll(async () => (await touches(p)).main, { timeout: 10_000, message: 'main ladder shows a two-sided book' }).toMatch(/bid \d.* \/ ask \d/);
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const t = await touches(p);
    expect(t.mainStatus).toBe('live');
    expect(t.sideStatus).toBe('live');
    expect(t.side).toMatch(/bid \d.* \/ ask \d/);
    expect(t.side, `${p.symbol}@${p.venue} side desk vs main ladder`).toBe(t.main);
    seen.add(t.main);
    await frames(3);
  }
  // The book moved while we looked (the sim trades at 300 updates/s): the equality is not of two frozen pictures.
  expect(seen.size).toBeGreaterThan(1);
}

describe.sequential('side desks in Chromium', () => {
  it('pins two instruments from the watchlist: two live panels beside the desk', async () => {
    await waitLive();
    expect(await page.getByTestId('side-desk').count()).toBe(0);
    await pinButton(ETH_A).click();
    await pinButton(SOL_B).click();
    await expect.poll(shown, { timeout: 10_000 }).toEqual(['ETH-USD@sim-a', 'SOL-USD@sim-b']);
    await waitPanelLive(ETH_A);
    await waitPanelLive(SOL_B);
    // A last trade and a chart with the relay's history under the live candles.
    for (const p of [ETH_A, SOL_B]) {
      await expect.poll(async () => (await panelOf(p).getByTestId('side-desk-last').textContent()) ?? '', { timeout: 15_000 }).toMatch(/\d/);
      await expect.poll(async () => Number(await panelOf(p).getByTestId('side-desk-chart').getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThanOrEqual(30);
    }
    expect(await pinButton(ETH_A).getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, 'side-desks');
  }, 60_000);

  it("each panel's best bid and ask are the main ladder's once its click makes it the desk's instrument", async () => {
    await expectSameTouchAsMainLadder(ETH_A);
    await expectSameTouchAsMainLadder(SOL_B);
    // Leaving the symbol keeps its side desk live (its stream stays subscribed for it).
    await expectSameTouchAsMainLadder(ETH_A);
    await waitPanelLive(SOL_B);
  }, 60_000);

  it('the panels are still there after a reload, at most four, and one closes', async () => {
    await page.reload();
    await waitLive();
    await expect.poll(shown, { timeout: 15_000 }).toEqual(['ETH-USD@sim-a', 'SOL-USD@sim-b']);
    await waitPanelLive(ETH_A);
    await waitPanelLive(SOL_B);

    // Four at most: with four pinned, the other rows cannot pin.
    const more = [
      { symbol: 'BTC-USD', venue: 'sim-a' },
      { symbol: 'BTC-USD', venue: 'sim-b' },
    ];
    for (const p of more) await pinButton(p).click();
    await expect.poll(async () => (await shown()).length, { timeout: 10_000 }).toBe(4);
    expect(await pinButton({ symbol: 'ETH-USD', venue: 'sim-b' }).isDisabled()).toBe(true);
    for (const p of more) await panelOf(p).getByTestId('side-desk-close').click();

    await panelOf(ETH_A).getByTestId('side-desk-close').click();
    await expect.poll(shown, { timeout: 10_000 }).toEqual(['SOL-USD@sim-b']);
    // The pin is gone from the watchlist too.
    expect(await pinButton(ETH_A).getAttribute('aria-pressed')).toBe('false');
    await page.reload();
    await waitLive();
    await expect.poll(shown, { timeout: 15_000 }).toEqual(['SOL-USD@sim-b']);
    await waitPanelLive(SOL_B);
  }, 90_000);

  it('with the relay gone the panel is stale, never live', async () => {
    await session.relay.stop();
    await expect.poll(statuses, { timeout: 15_000 }).toEqual(['stale']);
    await expect.poll(async () => (await panelOf(SOL_B).textContent()) ?? '', { timeout: 5_000 }).toMatch(/STALE/);
    for (let i = 0; i < 5; i++) {
      expect(await statuses()).toEqual(['stale']);
      await frames(5);
    }
  }, 30_000);
});
