import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chartColours,
  demoApiKey,
  firstNumber,
  ladderPrices as ladderPricesOf,
  pickSymbol as pickSymbolOf,
  screenshot,
  sendBuy,
  sentOrderRow,
  startTerminalSession,
  type TerminalSession,
} from './browser';
import { startRelayProcess, type RelayProcess } from './relay-process';

/**
 * The terminal in Debian's Chromium against the relay exactly as `npm start` runs it. One
 * relay and one page are shared by the tests in order (each builds on the last), as a trader's
 * session would.
 */
let relay: RelayProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;

let session: TerminalSession | undefined;

beforeAll(async () => {
  session = await startTerminalSession();
  ({ relay, browser, context, page } = session);
}, 60_000);

// Not session.stop(): a test below restarts the relay, and the one running at the end is `relay`.
afterAll(async () => {
  await session?.browser.close();
  await relay?.stop();
});

const status = () => page.getByTestId('connection-status');

async function waitLive(timeout = 15_000): Promise<void> {
  await expect.poll(async () => (await status().textContent()) ?? '', { timeout }).toMatch(/LIVE/);
}

const ladderPrices = (kind: 'bid' | 'ask') => ladderPricesOf(page, kind);
const pickSymbol = (symbol: string) => pickSymbolOf(page, symbol);

/** A limit TWAP buy from the ticket; the ticket's algo goes back to None after. */
async function sendTwapBuy(price: string, qty: string, durationS: number): Promise<void> {
  // The ticket's algo and duration fields carry no test ids: found by what they hold.
  const algo = page.getByTestId('ticket-submit').locator('xpath=ancestor::form').locator('select:has(option:text-is("TWAP"))');
  await algo.selectOption({ label: 'TWAP' });
  await page.locator('label', { hasText: 'Duration (s)' }).locator('input').fill(String(durationS));
  await sendBuy(page, price, qty);
  await algo.selectOption({ label: 'None' });
}

/** Blotter rows of limit TWAP parents. */
const twapRows = () => page.getByTestId('blotter-row').filter({ has: page.getByTestId('blotter-type').getByText('Limit · GTC · TWAP', { exact: true }) });

describe.sequential('trading terminal in Chromium', () => {
  it('logs in with the one-time URL and shows live bids under asks for every symbol', async () => {
    await waitLive();
    for (const symbol of ['BTC-USD', 'ETH-USD', 'SOL-USD']) {
      await pickSymbol(symbol);
      await expect.poll(async () => (await ladderPrices('bid')).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(5);
      await expect.poll(async () => (await ladderPrices('ask')).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(5);
      // One read of the whole ladder (it re-renders every frame): prices and where rows sit.
      const book = await page.evaluate(() => {
        const read = (kind: string) =>
          [...document.querySelectorAll(`[data-testid="ladder-${kind}-row"]`)].map((el) => ({
            price: Number((el.querySelector('.price')?.textContent ?? el.textContent ?? '').replace(/,/g, '').match(/-?\d+(\.\d+)?/)?.[0]),
            top: el.getBoundingClientRect().top,
            bottom: el.getBoundingClientRect().bottom,
          }));
        return { asks: read('ask'), bids: read('bid') };
      });
      // Every ask is above every bid, in price and on the screen.
      expect(Math.min(...book.asks.map((r) => r.price))).toBeGreaterThan(Math.max(...book.bids.map((r) => r.price)));
      expect(Math.max(...book.asks.map((r) => r.bottom))).toBeLessThanOrEqual(Math.min(...book.bids.map((r) => r.top)));
      await screenshot(page, `terminal-${symbol}`);
    }
    await pickSymbol('BTC-USD');
  });

  it('streams trades into the tape and draws the chart', async () => {
    // The tape keeps the last 200 rows; its header counts every trade since the view opened.
    const count = async () => firstNumber((await page.getByTestId('trades').locator('.panel-head').textContent()) ?? '');
    const before = await count();
    await expect.poll(count, { timeout: 15_000 }).toBeGreaterThan(before);
    expect(await page.getByTestId('trade-row').count()).toBeGreaterThan(0);
    const canvas = page.getByTestId('chart').locator('canvas').first();
    await expect.poll(async () => (await canvas.boundingBox())?.width ?? 0, { timeout: 10_000 }).toBeGreaterThan(100);
    // The chart drew something: its pixels are not one flat colour. Polled: under load the
    // first candles may be drawn a few frames after the tape moved.
    await expect.poll(() => chartColours(page), { timeout: 10_000 }).toBeGreaterThan(2);
  });

  it('places an order through the ticket; it fills and shows in the blotter and positions', async () => {
    // 0.3% through the best ask: marketable even if the market moves meanwhile, well inside the collar.
    await sendBuy(page, (Math.max(...(await ladderPrices('ask'))) * 1.003).toFixed(2), '0.01');
    const rows = page.getByTestId('blotter-row');
    await expect.poll(async () => (await rows.allTextContents()).join('\n'), { timeout: 15_000 }).toMatch(/FILLED/);
    await expect.poll(async () => (await page.getByTestId('positions').textContent()) ?? '', { timeout: 10_000 }).toMatch(/BTC-USD/);
    await screenshot(page, 'terminal-after-fill');
  });

  it('shows a denial with its risk code before anything is sent', async () => {
    const bids = await ladderPrices('bid');
    await page.getByTestId('ticket-price').fill(String(Math.max(...bids) * 2));
    await page.getByTestId('ticket-qty').fill('0.01');
    await page.getByTestId('ticket-submit').click();
    await expect.poll(async () => (await page.locator('body').textContent()) ?? '', { timeout: 5000 }).toMatch(/RISK_PRICE_COLLAR/);
  });

  it('shows P&L net of fees after fills with fees: net = gross − fees as displayed', async () => {
    // The fill above paid a taker fee (sim-a 5 bp, sim-b 3 bp). One read of the three figures: the mark moves them.
    const read = () =>
      page.evaluate(() => {
        const text = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '';
        return { gross: text('positions-gross'), fees: text('positions-fees'), net: text('positions-net') };
      });
    await expect.poll(async () => (await read()).net, { timeout: 10_000 }).toMatch(/net/i);
    const shown = await read();
    const num = (t: string) => Number((/[-+]?[\d,]+\.\d+/.exec(t)?.[0] ?? 'NaN').replace(/,/g, ''));
    const gross = num(shown.gross);
    const fees = num(shown.fees); // shown as a cost: "fees -0.25"
    const net = num(shown.net);
    expect([gross, fees, net].every(Number.isFinite), JSON.stringify(shown)).toBe(true);
    expect(fees).toBeLessThan(0);
    // Each figure is rounded to the cent on its own: they agree within one cent.
    expect(Math.abs(net - (gross + fees)), JSON.stringify(shown)).toBeLessThanOrEqual(0.0100001);
    // The fill carries its fee too.
    await page.getByRole('tab', { name: /Fills/ }).click();
    await expect.poll(async () => num((await page.getByTestId('fill-fee').first().textContent()) ?? ''), { timeout: 5000 }).toBeGreaterThan(0);
    await page.getByRole('tab', { name: /All/ }).click();
  });

  it('keeps a readable denial row in the blotter: DENIED, the RISK_ code and the text in BTC', async () => {
    await sendBuy(page, Math.max(...(await ladderPrices('ask'))).toFixed(2), '5000');
    const denied = page.locator('[data-testid="blotter-row"][data-status="DENIED"]', { hasText: 'RISK_INVALID_QTY' });
    await expect.poll(async () => (await denied.first().textContent({ timeout: 5000 })) ?? '', { timeout: 10_000 }).toMatch(/5,000 BTC/);
    const text = (await denied.first().textContent()) ?? '';
    expect(text).toMatch(/DENIED/);
    expect(text).toMatch(/RISK_INVALID_QTY qty 5,000 BTC .*1,000 BTC/);
    expect(text).not.toMatch(/50000000/);
    await screenshot(page, 'terminal-denial-row');
  });

  it('shows a TWAP parent with its children under it, its average price and progress', async () => {
    const ask = Math.max(...(await ladderPrices('ask')));
    await sendTwapBuy((ask * 1.003).toFixed(2), '0.02', 2);
    const parent = twapRows().first();
    // Two slices 1 s apart, each routed to the venues; done within seconds.
    await expect
      .poll(async () => (await parent.getAttribute('data-status', { timeout: 1000 }).catch(() => '')) ?? '', {
        timeout: 20_000,
        message: `the TWAP parent to fill; blotter: ${await page.getByTestId('blotter').textContent()}`,
      })
      .toBe('FILLED');
    const children = Number(await parent.getAttribute('data-children'));
    expect(children).toBeGreaterThanOrEqual(2);
    expect((await parent.getByTestId('blotter-progress').textContent()) ?? '').toMatch(new RegExp(`100% · ${children}/${children} children done`));
    const avg = Number(((await parent.getByTestId('blotter-avg').textContent()) ?? '').replace(/,/g, ''));
    expect(avg).toBeGreaterThan(ask * 0.99);
    expect(avg).toBeLessThan(ask * 1.003 + 0.01);
    // Collapsed until asked: then every child shows its venue, price, qty, filled and status.
    const childRows = page.getByTestId('blotter-child-row');
    const before = await childRows.count();
    await parent.getByTestId('blotter-expand').click();
    await expect.poll(() => childRows.count(), { timeout: 5000 }).toBe(before + children);
    const texts = await page.evaluate(() => [...document.querySelectorAll('[data-testid="blotter-child-row"]')].map((r) => r.textContent ?? ''));
    // Legs of a slice are IOC: a leg may end CANCELED with part or none of it filled; some fill.
    expect(texts.every((t) => /sim-[ab]/.test(t) && /FILLED|CANCELED|EXPIRED/.test(t)), texts.join('\n')).toBe(true);
    expect(texts.some((t) => /FILLED/.test(t)), texts.join('\n')).toBe(true);
    // Each says its own type: the parent is GTC, its legs IOC (from the reports, not a guess).
    const types = await page.getByTestId('blotter-child-type').allTextContents();
    expect(types.length).toBe(texts.length);
    expect(new Set(types.map((t) => t.trim()))).toEqual(new Set(['Limit · IOC']));
    await screenshot(page, 'terminal-twap-route');
    await parent.getByTestId('blotter-expand').click();
    await expect.poll(() => childRows.count(), { timeout: 5000 }).toBe(before);
 }, 45_000);

  it("shows a working TWAP's next slice as the relay schedules it, moving on with each slice, until canceled", async () => {
    // A bid 1% under the market: every IOC slice ends unfilled, so the parent works its whole horizon.
    const bid = Math.max(...(await ladderPrices('bid')));
    await sendTwapBuy((bid * 0.99).toFixed(2), '0.02', 30);
    const parent = twapRows().filter({ has: page.getByRole('button', { name: 'Cancel' }) }).first();
    const next = parent.getByTestId('blotter-next-slice');
    // A read that times out (a busy renderer) gives '', which is neither a slice time nor a
    // change of it: the polls wait for a slice time, then for a different one.
    const nextText = async () => ((await next.textContent({ timeout: 1000 }).catch(() => '')) ?? '').trim();
    const sliceTime = /^next slice \d\d:\d\d:\d\d\.\d{3}$/;
    let first = '';
    await expect.poll(async () => (first = await nextText()), { timeout: 10_000 }).toMatch(sliceTime);
    // Slices are 3 s apart (30 s, the relay's 10 slices): the next one is announced when one goes.
    await expect
      .poll(nextText, { timeout: 10_000, message: `a slice time after ${first}` })
      .toSatisfy((t: string) => t !== first && sliceTime.test(t));
    expect((await parent.getByTestId('blotter-progress').textContent()) ?? '').toMatch(/ends \d\d:\d\d:\d\d/);
    await screenshot(page, 'terminal-twap-next-slice');
    await parent.getByRole('button', { name: 'Cancel' }).click();
    const canceled = twapRows().filter({ hasText: 'CANCELED' });
    await expect.poll(() => canceled.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    // Over: no next slice is shown for it.
    expect(await canceled.first().getByTestId('blotter-next-slice').count()).toBe(0);
  }, 45_000);

  it('one-click trading: off, a level loads its price; armed, a bid level buys there and an ask level sells there for the ticket qty', async () => {
    await page.getByTestId('ticket-qty').fill('0.0100');
    // The ladder redraws every frame: read a level's price and click it in one turn of the page.
    const clickLevel = (kind: 'bid' | 'ask', nth: number) =>
      page.evaluate(([k, n]) => {
        const el = document.querySelectorAll<HTMLButtonElement>(`[data-testid="ladder-${k}-row"]`)[n]!;
        const price = el.querySelector('.price')!.textContent!;
        el.click();
        return price;
      }, [kind, nth] as const);
    const loaded = await clickLevel('bid', 3);
    expect(firstNumber(await page.getByTestId('ticket-price').inputValue())).toBe(firstNumber(loaded));

    await page.getByTestId('ladder-one-click').check();
    // The order goes to the book clicked: the ladder shows the picked venue's.
    const venue = await page.getByTestId('venue-picker').inputValue();
    expect(venue).toMatch(/^sim-[ab]$/);
    for (const [kind, side] of [['bid', 'BUY'], ['ask', 'SELL']] as const) {
      let at = '';
      const row = await sentOrderRow(page, async () => (at = await clickLevel(kind, 3)));
      await expect.poll(() => row.count(), { timeout: 5_000 }).toBe(1);
      const text = (await row.textContent()) ?? '';
      expect(text).toContain(side);
      expect(text).toContain(venue);
      expect(text).toContain(at.trim());
      expect(text).toContain('0.0100');
      expect((await row.getByTestId('blotter-type').textContent())?.trim()).toBe('Limit · GTC');
      expect(await row.getAttribute('data-status')).not.toMatch(/DENIED|REJECTED/);
      // Tidy up: cancel it if it still rests. It may fill between the count and the click (the
      // button goes); then the click fails fast, and the button must indeed be gone.
      const cancel = row.getByRole('button', { name: 'Cancel' });
      if (await cancel.count()) await cancel.click({ timeout: 2_000 }).catch(async () => expect(await cancel.count()).toBe(0));
    }
    await screenshot(page, 'terminal-one-click');
    // Disarmed again: a click sends nothing more.
    await page.getByTestId('ladder-one-click').uncheck();
    const rows = await page.locator('[data-testid="blotter-row"][data-kind="order"]').count();
    // The click's one effect is the price loaded (the handler runs within the click, so no order is on its way).
    const again = await clickLevel('ask', 2);
    expect(firstNumber(await page.getByTestId('ticket-price').inputValue())).toBe(firstNumber(again));
    expect(await page.locator('[data-testid="blotter-row"][data-kind="order"]').count()).toBe(rows);
  }, 45_000);

  it('shows STALE (not live) while the relay is down and LIVE again when it returns', async () => {
    await relay.stop();
    await expect.poll(async () => (await status().textContent()) ?? '', { timeout: 15_000 }).toMatch(/STALE|OFFLINE|CONNECTING/);
    expect((await status().textContent()) ?? '').not.toMatch(/LIVE/);
    await screenshot(page, 'terminal-relay-down');
    relay = await startRelayProcess({ dataDir: relay.dataDir, port: relay.port, args: ['--sim-rate', '300'] });
    await waitLive(30_000);
  });

  it('opens from the service worker with the network off', async () => {
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    // The first load may not be controlled yet; a reload puts the page under the worker.
    await page.reload();
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 10_000 }).toBe(true);
    await context.setOffline(true);
    await page.reload();
    // The shell came from the cache: the terminal renders, and says it is offline rather than live.
    await expect.poll(async () => (await status().textContent()) ?? '', { timeout: 10_000 }).toMatch(/OFFLINE|CONNECTING|STALE/);
    expect(await page.getByTestId('ladder').count()).toBe(1);
    await screenshot(page, 'terminal-offline');
    await context.setOffline(false);
  });
});

describe.sequential('terminal on a phone-sized screen', () => {
  it('lays out the ladder and ticket within a 390 px wide screen, without sideways scrolling', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    // The one-time link is spent: sign in with the demo trader's API key, as an operator would.
    await p.goto(relay.origin);
    await p.locator('#api-key').fill(demoApiKey(relay.dataDir));
    await p.locator('button[type=submit]').click();
    await expect.poll(async () => (await p.getByTestId('connection-status').textContent()) ?? '', { timeout: 15_000 }).toMatch(/LIVE/);
    await expect.poll(async () => p.getByTestId('ladder-bid-row').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    for (const id of ['ladder', 'ticket-submit']) {
      const box = await p.getByTestId(id).first().boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(391);
    }
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(391);
    await screenshot(p, 'terminal-phone');
    await phone.close();
  });
});
