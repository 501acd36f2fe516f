import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstNumber, ladderPrices, pickSymbol, screenshot, sentOrderRow, startTerminalSession, type TerminalSession } from './browser';

/**
 * Conditional orders from the ticket, held and triggered by the relay (run as `npm start`
 * runs it) on the simulator's own prices: an armed stop shows and cancels; a stop the market
 * is through fires when armed and fills; a bracket's exits appear once its entry filled, and
 * the one that fires cancels the other. Levels that fire are set where the market already
 * is, so nothing waits on the simulator's random walk; nothing moves the price for the test.
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

/** The mid of the ladder now, in price units (both sides read once). */
async function mid(): Promise<{ bid: number; ask: number; mid: number }> {
  const bid = Math.max(...(await ladderPrices(page, 'bid')));
  const ask = Math.min(...(await ladderPrices(page, 'ask')));
  return { bid, ask, mid: (bid + ask) / 2 };
}

async function setSide(side: 'buy' | 'sell'): Promise<void> {
  const el = page.getByTestId('ticket-side');
  if (((await el.getAttribute('data-side')) ?? '') !== side) await el.click();
}

/** Clicks submit and returns the blotter's top-level row of that order. */
const submit = (): Promise<Locator> => sentOrderRow(page, () => page.getByTestId('ticket-submit').click());

const rowStatus = async (row: Locator) => (await row.getAttribute('data-status')) ?? '';

describe.sequential('conditional orders in Chromium', () => {
  it('offers every order type in the ticket', async () => {
    await expect.poll(async () => (await page.getByTestId('connection-status').textContent()) ?? '', { timeout: 15_000 }).toMatch(/LIVE/);
    await pickSymbol(page, 'BTC-USD');
    await expect.poll(async () => (await ladderPrices(page, 'bid')).length, { timeout: 10_000 }).toBeGreaterThan(3);
    const options = await page.getByTestId('ticket-type').locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(options).toEqual(expect.arrayContaining(['limit', 'market', 'stop', 'stop-limit', 'take-profit', 'trailing', 'oco', 'bracket']));
  });

  it('a stop with no trigger price is refused in the ticket with its code, nothing sent', async () => {
    await page.getByTestId('ticket-type').selectOption('stop');
    await page.getByTestId('ticket-qty').fill('0.01');
    await page.getByTestId('ticket-trigger-price').fill('');
    await page.getByTestId('ticket-submit').click();
    await expect.poll(async () => (await page.locator('.ticket .denied').textContent()) ?? '', { timeout: 5_000 }).toMatch(/OMS_TRIGGER_PRICE_REQUIRED/);
  });

  it('an armed stop shows its trigger price and state in the blotter, and cancels', async () => {
    const { bid } = await mid();
    await setSide('sell');
    await page.getByTestId('ticket-type').selectOption('stop');
    const level = (bid * 0.9).toFixed(2);
    await page.getByTestId('ticket-trigger-price').fill(level);
    await page.getByTestId('ticket-qty').fill('0.01');
    const row = await submit();
    await expect.poll(() => rowStatus(row), { timeout: 10_000 }).toBe('PENDING TRIGGER');
    const trigger = row.getByTestId('blotter-trigger');
    expect(await trigger.getAttribute('data-trigger-state')).toBe('armed');
    expect(firstNumber(((await trigger.textContent()) ?? '').replace(/^[^\d]*/, ''))).toBeCloseTo(Number(level), 2);
    await screenshot(page, 'conditional-armed-stop');
    await row.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => rowStatus(row), { timeout: 10_000 }).toBe('CANCELED');
    expect(await trigger.getAttribute('data-trigger-state')).toBe('ended');
  });

  it('a bracket: the exits appear once the entry filled, and the stop-loss that fires cancels the take-profit', async () => {
    // The order goes to sim-a and its stop watches sim-a's mid: read that book alone (the
    // consolidated ladder's mid is between two venues whose prices differ by more than the walk moves in a minute).
    await page.getByTestId('venue-picker').selectOption('sim-a');
    await page.getByTestId('ladder').locator('.panel-head', { hasText: 'sim-a' }).waitFor({ timeout: 10_000 });
    const m = await mid();
    await setSide('buy');
    await page.getByTestId('ticket-type').selectOption('bracket');
    await page.getByTestId('ticket-entry-market').check();
    // Take-profit far above (rests); the stop-loss half a percent above the market, so it fires
    // as soon as it is armed, once the entry filled. (At the mark it waited for a downtick, and
    // the entry's own buying lifts the simulator's price: on a loaded machine that wait outlasted the test.)
    const tp = (m.ask * 1.02).toFixed(2);
    const sl = (m.ask * 1.005).toFixed(2);
    await page.getByTestId('ticket-take-profit').fill(tp);
    await page.getByTestId('ticket-trigger-price').fill(sl);
    await page.getByTestId('ticket-trigger-source').selectOption({ label: 'Mark (mid)' });
    await page.getByTestId('ticket-venue').selectOption('sim-a');
    await page.getByTestId('ticket-qty').fill('0.01');
    const row = await submit();
    // Exits exist only after the entry filled: entry + take-profit, or + the stop-loss once fired.
    // Read with the status and reason, so a failure says what became of the entry.
    const progress = async () => `${(await row.getAttribute('data-children')) ?? 0} children | ${await rowStatus(row)} | ${(await row.getByTestId('blotter-reason').textContent()) ?? ''}`;
    await expect.poll(progress, { timeout: 15_000 }).toMatch(/^[2-9]/);
    await row.getByTestId('blotter-expand').click();
    const children = page.locator(`[data-testid="blotter-child-row"]`);
    const childTexts = async () => (await children.allTextContents()).map((t) => t.replace(/\s+/g, ' '));
    // The entry bought and filled; the take-profit is a sell at its price.
    await expect.poll(async () => (await childTexts()).join('\n'), { timeout: 10_000 }).toMatch(/BUY.*FILLED/);
    expect((await childTexts()).join('\n')).toMatch(new RegExp(`SELL.*${Number(tp).toLocaleString('en-US', { minimumFractionDigits: 2 }).replace(/[.]/g, '\\.')}`));
    await screenshot(page, 'conditional-bracket-exits');
    // The stop-loss fires on sim-a's mid: the take-profit is canceled, the stop sells at market.
    await expect.poll(() => rowStatus(row), { timeout: 80_000 }).toBe('FILLED');
    // Smart routing may split a leg over the venues (and turns a market leg into a protected IOC limit).
    const tpText = new RegExp(`SELL.*${Number(tp).toLocaleString('en-US', { minimumFractionDigits: 2 }).replace(/[.]/g, '\\.')}`);
    await expect.poll(async () => (await childTexts()).filter((t) => /SELL.*FILLED/.test(t)).length, { timeout: 10_000 }).toBeGreaterThan(0);
    const texts = await childTexts();
    const tpRows = texts.filter((t) => tpText.test(t));
    expect(tpRows.length).toBeGreaterThan(0);
    expect(tpRows.every((t) => /CANCELED/.test(t))).toBe(true);
    expect(texts.filter((t) => /SELL/.test(t) && !tpText.test(t)).every((t) => /FILLED/.test(t))).toBe(true);
    expect(await row.getByTestId('blotter-trigger').getAttribute('data-trigger-state')).toBe('fired');
    await screenshot(page, 'conditional-bracket-done');
  }, 120_000);

  it('a sell stop the market is already through fires as soon as the relay arms it, and fills at market', async () => {
    // (Crossing on a later price is the OMS tests' job, with prices they push: the simulator's
    // walk can stay a few dollars away from any level for longer than a test should wait.)
    const m = await mid();
    await setSide('sell');
    await page.getByTestId('ticket-type').selectOption('stop');
    await page.getByTestId('ticket-trigger-price').fill((m.ask * 1.005).toFixed(2));
    await page.getByTestId('ticket-trigger-source').selectOption({ label: 'Mark (mid)' });
    await page.getByTestId('ticket-venue').selectOption('sim-a');
    await page.getByTestId('ticket-qty').fill('0.01');
    const row = await submit();
    const progress = async () => `${await rowStatus(row)} | ${(await row.getByTestId('blotter-reason').textContent().catch(() => '')) ?? ''}`;
    await expect.poll(progress, { timeout: 20_000 }).toMatch(/^FILLED/);
    expect(await row.getByTestId('blotter-trigger').getAttribute('data-trigger-state')).toBe('fired');
  }, 40_000);
});
