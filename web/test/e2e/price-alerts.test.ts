import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstNumber, screenshot, startTerminalSession, type TerminalSession } from './browser';

/**
 * Price alerts in Debian's Chromium against the relay as `npm start` runs it: set in the
 * alerts panel, evaluated in the worker on live trades (the desk's symbol) and on the relay's
 * tickers (another symbol), shown in the page and raised as a browser notification, kept in
 * IndexedDB across a reload.
 */
let session: TerminalSession;
let page: Page;

beforeAll(async () => {
  session = await startTerminalSession(['--sim-rate', '400']);
  page = session.page;
  await session.context.grantPermissions(['notifications'], { origin: session.relay.origin });
  await page.getByTestId('connection-status').filter({ hasText: /LIVE/ }).waitFor({ timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await session?.stop();
});

const panel = () => page.getByTestId('price-alerts');
const rows = () => page.getByTestId('price-alert');

async function setAlert(level: string, symbol = ''): Promise<void> {
  await page.getByTestId('price-alert-symbol').selectOption(symbol);
  await page.getByTestId('price-alert-level').fill(level);
  const before = await rows().count();
  await page.getByTestId('price-alert-add').click();
  // Set (a row more) or refused (the panel says why): the test fails with the panel's words.
  await expect.poll(async () => ((await rows().count()) > before ? 'set' : ((await page.getByTestId('price-alert-error').textContent().catch(() => '')) || 'waiting')), { timeout: 5_000 }).toBe('set');
}

async function refused(level: string): Promise<void> {
  await page.getByTestId('price-alert-level').fill(level);
  await page.getByTestId('price-alert-add').click();
}

describe.sequential('price alerts in Chromium', () => {
  it('refuses a level that is not a positive price, and sets nothing', async () => {
    await refused('abc');
    await expect.poll(() => page.getByTestId('price-alert-error').textContent()).toContain('positive price');
    await refused('0');
    await expect.poll(() => page.getByTestId('price-alert-error').textContent()).toContain('positive price');
    await page.getByTestId('trade-row').first().waitFor({ timeout: 20_000 });
    expect(await rows().count()).toBe(0);
  });

  it('a level either side of the market on the desk symbol: one fires on a live trade, shown and notified', async () => {
    const last = firstNumber((await page.getByTestId('trade-row').first().locator('.price').textContent()) ?? '');
    expect(Number.isFinite(last)).toBe(true);
    // A few ticks either side of the last trade: the random walk reaches one of them soon.
    await setAlert((last + 0.05).toFixed(2));
    await setAlert((last - 0.05).toFixed(2));
    await expect.poll(() => rows().count()).toBe(2);
    await page.getByTestId('price-alert-toast').first().waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid=price-alert][data-state=fired]').count()).toBeGreaterThanOrEqual(1);
    const toast = (await page.getByTestId('price-alert-toast').first().textContent()) ?? '';
    expect(toast).toMatch(/BTC-USD (rose|fell) to [\d,.]+ \(alert at [\d,.]+\)/);
    expect(Number(await panel().getAttribute('data-notified'))).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'terminal-price-alerts');
  }, 90_000);

  it('an alert on a symbol the desk does not show fires from the relay tickers', async () => {
    const eth = page.locator('[data-testid=watchlist-row][data-symbol=ETH-USD]').first();
    await eth.waitFor({ timeout: 10_000 });
    const last = firstNumber((await eth.locator('td').nth(1).textContent()) ?? '');
    expect(Number.isFinite(last)).toBe(true);
    const before = await page.locator('[data-testid=price-alert][data-state=fired]').count();
    // A hair either side of the last price: whichever way ETH moves next, one fires.
    await setAlert((last + 0.01).toFixed(2), 'ETH-USD');
    await setAlert((last - 0.01).toFixed(2), 'ETH-USD');
    await expect
      .poll(async () => (await page.locator('[data-testid=price-alert][data-state=fired]').allTextContents()).filter((t) => t.includes('ETH-USD')).length, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-testid=price-alert][data-state=fired]').count()).toBeGreaterThan(before);
  }, 90_000);

  it('alerts are kept in IndexedDB: after a reload the list is the same, fired ones with their state', async () => {
    const states = async () => new Map(await rows().evaluateAll((els) => els.map((e) => [e.getAttribute('data-id') ?? '', e.getAttribute('data-state') ?? ''] as [string, string])));
    const before = await states();
    expect(before.size).toBe(4);
    await page.reload();
    await page.getByTestId('connection-status').filter({ hasText: /LIVE/ }).waitFor({ timeout: 20_000 });
    await expect.poll(async () => [...(await states()).keys()].sort(), { timeout: 10_000 }).toEqual([...before.keys()].sort());
    // An armed one may fire meanwhile; a fired one never goes back to armed.
    const after = await states();
    for (const [id, state] of before) if (state === 'fired') expect(after.get(id)).toBe('fired');
    // Removing one takes it out of the store too.
    await rows().first().getByRole('button', { name: 'Remove alert' }).click();
    await expect.poll(() => rows().count()).toBe(3);
  }, 60_000);
});
