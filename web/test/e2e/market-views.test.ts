import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstNumber, ladderPrices, screenshot, sendBuy, startTerminalSession, type TerminalSession } from './browser';

/**
 * The chart's history and timeframes, the watchlist, the depth chart and ladder grouping, in Debian's Chromium against the relay
 * exactly as `npm start` runs it (the simulator with its default 24 h of history). One page,
 * the tests in order, as a newcomer would use it.
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

const chart = () => page.getByTestId('chart');
/** What the chart's candle series holds (Chart.svelte writes it from series.data()). */
const bars = async () => Number((await chart().getAttribute('data-bars')) ?? '0');
const spacing = async () => Number((await chart().getAttribute('data-spacing')) ?? 'NaN');
const oldest = async () => Number((await chart().getAttribute('data-oldest')) ?? 'NaN');

/** The readout's O H L C V numbers. */
async function ohlc(): Promise<{ o: number; h: number; l: number; c: number; v: number }> {
  const text = (await page.getByTestId('chart-ohlc').textContent()) ?? '';
  const grab = (k: string) => firstNumber(text.split(new RegExp(`\\b${k}`))[1] ?? '');
  return { o: grab('O'), h: grab('H'), l: grab('L'), c: grab('C'), v: grab('V') };
}

async function pickTimeframe(seconds: number): Promise<void> {
  await page.getByTestId('chart-timeframe').selectOption(String(seconds));
}

describe.sequential('market views in Chromium', () => {
  it('shows at least 1,000 one-minute candles right after start', async () => {
    await expect.poll(async () => (await page.getByTestId('connection-status').textContent()) ?? '', { timeout: 20_000 }).toMatch(/LIVE/);
    expect(await page.getByTestId('chart-timeframe').inputValue()).toBe('60');
    await expect.poll(bars, { timeout: 20_000 }).toBeGreaterThanOrEqual(1_000);
    expect(await spacing()).toBe(60);
    // Bucket times are whole minutes, and the oldest shown is about a day back (the sim's history).
    const first = await oldest();
    expect(first % 60).toBe(0);
    expect(Date.now() / 1000 - first).toBeGreaterThan(900 * 60);
    // The readout is a real candle of BTC-USD near its 50,000 opening price.
    await expect.poll(async () => (await ohlc()).c, { timeout: 10_000 }).toBeGreaterThan(40_000);
    const r = await ohlc();
    expect(r.h).toBeGreaterThanOrEqual(Math.max(r.o, r.c));
    expect(r.l).toBeLessThanOrEqual(Math.min(r.o, r.c));
    expect(r.c).toBeLessThan(60_000);
    await screenshot(page, 'chart-1m-history');
  });

  it('switching timeframe redraws the chart with that spacing and count', async () => {
    const oneMinute = await bars();
    await pickTimeframe(300);
    await expect.poll(spacing, { timeout: 15_000 }).toBe(300);
    // A day of 5-minute candles: about 289, far fewer than the 1-minute ones.
    await expect.poll(bars, { timeout: 15_000 }).toBeGreaterThanOrEqual(280);
    const five = await bars();
    expect(five).toBeLessThan(oneMinute / 3);
    expect((await oldest()) % 300).toBe(0);
    await screenshot(page, 'chart-5m');

    await pickTimeframe(3_600);
    await expect.poll(spacing, { timeout: 15_000 }).toBe(3_600);
    const hours = await bars();
    expect(hours).toBeGreaterThanOrEqual(24);
    expect(hours).toBeLessThan(five);

    // 1 s: the relay's live candles since it started, and new ones keep coming from the trades.
    await pickTimeframe(1);
    await expect.poll(spacing, { timeout: 15_000 }).toBe(1);
    const seconds = await bars();
    await expect.poll(bars, { timeout: 15_000 }).toBeGreaterThan(seconds + 2);

    await pickTimeframe(60);
    await expect.poll(spacing, { timeout: 15_000 }).toBe(60);
    await expect.poll(bars, { timeout: 15_000 }).toBeGreaterThanOrEqual(1_000);
  });

  it('loads older candles when the trader scrolls back', async () => {
    const before = await oldest();
    const count = await bars();
    const box = (await chart().boundingBox())!;
    const y = box.y + box.height * 0.4;
    // Drag the chart to the right (back in time) until the series holds candles older than the first page.
    await expect
      .poll(
        async () => {
          await page.mouse.move(box.x + box.width * 0.15, y);
          await page.mouse.down();
          await page.mouse.move(box.x + box.width * 0.85, y, { steps: 8 });
          await page.mouse.up();
          return oldest();
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBeLessThan(before);
    expect(await bars()).toBeGreaterThan(count);
    expect(await spacing()).toBe(60);
    await screenshot(page, 'chart-scrolled-back');
    // The test's own time must outlast the 30 s drag poll (vitest's 20 s default cut it short under load).
  }, 45_000);

  it('shows the OHLC of the candle under the crosshair', async () => {
    await page.getByTestId('chart-timeframe').selectOption('300');
    await expect.poll(spacing, { timeout: 15_000 }).toBe(300);
    const box = (await chart().boundingBox())!;
    const newest = await ohlc();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
    // An older 5-minute candle: its figures are its own (not the live one's) and consistent.
    await expect.poll(async () => JSON.stringify(await ohlc()), { timeout: 10_000 }).not.toBe(JSON.stringify(newest));
    const r = await ohlc();
    expect(r.h).toBeGreaterThanOrEqual(Math.max(r.o, r.c));
    expect(r.l).toBeLessThanOrEqual(Math.min(r.o, r.c));
    expect(r.v).toBeGreaterThan(0);
    await page.mouse.move(0, 0);
    await pickTimeframe(60);
  });

  it('lists every instrument with last, 24 h change and volume; a click switches the desk', async () => {
    const watch = page.getByTestId('watchlist');
    const rows = watch.getByTestId('watchlist-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(6);
    const listed = await rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-venue')}/${e.getAttribute('data-symbol')}`));
    expect(listed.sort()).toEqual(['sim-a/BTC-USD', 'sim-a/ETH-USD', 'sim-a/SOL-USD', 'sim-b/BTC-USD', 'sim-b/ETH-USD', 'sim-b/SOL-USD']);
    const eth = watch.locator('[data-testid="watchlist-row"][data-symbol="ETH-USD"][data-venue="sim-b"]');
    const cells = await eth.locator('td').allTextContents();
    const last = firstNumber(cells[1]!);
    expect(last).toBeGreaterThan(2_500);
    expect(last).toBeLessThan(3_500);
    expect(cells[2]).toMatch(/^[+-]?\d+\.\d{2}%$/);
    expect(firstNumber(cells[3]!)).toBeGreaterThan(0);
    // Live: the figures keep moving (the poll every 2 s, the desk's own row every trade).
    const btc = watch.locator('[data-testid="watchlist-row"][data-symbol="BTC-USD"][data-venue="sim-a"]');
    const btcBefore = await btc.locator('td').nth(1).textContent();
    await expect.poll(() => btc.locator('td').nth(1).textContent(), { timeout: 15_000 }).not.toBe(btcBefore);
    await screenshot(page, 'watchlist');

    await eth.click();
    await page.getByTestId('ladder').locator('.panel-head', { hasText: 'ETH-USD' }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('symbol-picker').inputValue()).toBe('ETH-USD');
    expect(await page.getByTestId('venue-picker').inputValue()).toBe('sim-b');
    expect(await eth.getAttribute('aria-selected')).toBe('true');
    // The chart follows: ETH-USD's own history, priced near 3,000.
    await expect.poll(async () => (await ohlc()).c, { timeout: 15_000 }).toBeLessThan(10_000);
    await expect.poll(bars, { timeout: 15_000 }).toBeGreaterThanOrEqual(1_000);
    expect((await ohlc()).c).toBeGreaterThan(2_000);
    await screenshot(page, 'desk-eth-from-watchlist');
  });

  it('draws the depth chart of the book: both sides, deeper than the ladder shows', async () => {
    const depth = page.getByTestId('depth-chart');
    const attr = async (name: string) => Number((await depth.getAttribute(name)) ?? '0');
    await expect.poll(() => attr('data-bid-levels'), { timeout: 10_000 }).toBeGreaterThan(20);
    expect(await attr('data-ask-levels')).toBeGreaterThan(20);
    // Its totals reach past the ladder's 20 rows: at least the ladder's outermost cumulative size
    // (read a moment apart while the book moves, hence the margin; 100 levels vs 20 is far above it).
    const outerBidTotal = firstNumber((await page.getByTestId('ladder-bid-row').last().locator('.cum').textContent()) ?? '');
    const lot = 0.001; // ETH-USD (the desk is on it since the watchlist click)
    expect((await attr('data-bid-total')) * lot).toBeGreaterThanOrEqual(outerBidTotal * 0.5);
    // Green on the left (bids), red on the right (asks).
    const colours = await depth.locator('canvas').evaluate((c: HTMLCanvasElement) => {
      const { data, width, height } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
      let greenLeft = 0;
      let redRight = 0;
      for (let y = 0; y < height; y += 3) {
        for (let x = 0; x < width; x += 3) {
          const i = (y * width + x) * 4;
          const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
          if (a === 0) continue;
          if (x < width / 2 && g > r && g > b) greenLeft++;
          if (x > width / 2 && r > g && r > b) redRight++;
        }
      }
      return { greenLeft, redRight };
    });
    expect(colours.greenLeft).toBeGreaterThan(50);
    expect(colours.redRight).toBeGreaterThan(50);
    await screenshot(page, 'depth-chart');
  });

  it('groups the ladder’s prices: bids down and asks up to the step, sizes summed', async () => {
    const grouping = page.getByTestId('ladder-grouping');
    const options = await grouping.locator('option').allTextContents();
    expect(options).toEqual(['0.01', '0.1', '1', '10', '100']);
    const bestBidSize = async () => firstNumber((await page.getByTestId('ladder-bid-row').first().locator('.r').first().textContent()) ?? '');
    const exactBest = await bestBidSize();
    await grouping.selectOption({ label: '1' });
    const whole = (ps: number[]) => ps.length > 0 && ps.every((p) => Math.abs(p - Math.round(p)) < 1e-9);
    await expect.poll(async () => whole(await ladderPrices(page, 'bid')) && whole(await ladderPrices(page, 'ask')), { timeout: 10_000 }).toBe(true);
    const bids = await ladderPrices(page, 'bid');
    const asks = await ladderPrices(page, 'ask');
    expect(new Set(bids).size).toBe(bids.length); // one row per group
    expect(Math.max(...bids)).toBeLessThan(Math.min(...asks));
    // Groups are whole steps apart.
    expect(bids[0]! - bids[1]!).toBeGreaterThanOrEqual(1);
    // The best group holds at least what the best level held a moment ago (the book moves; half is a safe floor).
    expect(await bestBidSize()).toBeGreaterThan(exactBest * 0.5);
    await screenshot(page, 'ladder-grouped');
    await grouping.selectOption({ label: '0.01' });
    await expect.poll(async () => whole(await ladderPrices(page, 'bid')), { timeout: 10_000 }).toBe(false);
  });

  it('draws the trader’s open order on the chart at its price', async () => {
    const lines = async () => Number((await chart().getAttribute('data-order-lines')) ?? '0');
    expect(await lines()).toBe(0);
    const bestBid = (await ladderPrices(page, 'bid'))[0]!;
    // A resting buy 10 USD under the touch (ETH-USD): open for the rest of the test.
    await sendBuy(page, (bestBid - 10).toFixed(2), '0.01');
    await expect.poll(lines, { timeout: 15_000 }).toBe(1);
    await screenshot(page, 'chart-open-order');
  });
});
