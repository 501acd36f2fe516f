import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SIM_INSTRUMENTS } from '../../../relay/src/venues/sim/sim-instruments';
import { screenshot, startTerminalSession, type TerminalSession } from './browser';

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

/** Sets an alert; resolves with 'set', or the panel's words when it refused. */
async function setAlert(level: string, symbol = ''): Promise<string> {
  await page.getByTestId('price-alert-symbol').selectOption(symbol);
  await page.getByTestId('price-alert-level').fill(level);
  const before = await rows().count();
  await page.getByTestId('price-alert-add').click();
  let said = '';
  await expect
    .poll(async () => {
      if ((await rows().count()) > before) return (said = 'set');
      const error = page.getByTestId('price-alert-error');
      said = (await error.count()) > 0 ? ((await error.textContent()) ?? '') : '';
      return said === '' ? 'waiting' : 'answered';
    }, { timeout: 5_000 })
    .not.toBe('waiting');
  return said;
}

/**
 * The last price of `symbol` on sim-a (the symbol's first listed venue, which an alert watches
 * unless the desk shows one venue), as the relay gives it now: what the worker reads to pick
 * an alert's direction (the watchlist's figure can be a poll old).
 */
async function lastOnSimA(symbol: string): Promise<number> {
  const tickers = await page.evaluate(async () => {
    const grant = JSON.parse(sessionStorage.getItem('tickmesh.grant') ?? '{}') as { token?: string };
    const res = await fetch('/api/tickers', { headers: { authorization: `Bearer ${grant.token ?? ''}` } });
    return ((await res.json()) as { tickers: Array<{ venue: string; symbol: string; last: number | null }> }).tickers;
  });
  const t = tickers.find((x) => x.symbol === symbol && x.venue === 'sim-a');
  const spec = DEFAULT_SIM_INSTRUMENTS.find((i) => i.symbol === symbol);
  return t?.last == null || !spec ? Number.NaN : t.last * Number(spec.tickSize);
}

/**
 * Alerts on `symbol` both ways (one for a rise, one for a fall) `away` from its last price, so
 * whichever way it moves one fires. The worker gives each alert its direction from the relay's
 * price at the moment it is set, which may have moved past the level since this read: then the
 * level is refused as crossed (what the panel must say) or armed the other way. So the pair is
 * topped up from a fresher price until both ways are armed.
 */
async function setEitherSide(symbol: string, away: number, choose = symbol): Promise<void> {
  const armed = (direction: 'up' | 'down') => rows().filter({ hasText: symbol }).and(page.locator(`[data-state=armed][data-direction=${direction}]`)).count();
  for (let attempt = 0; attempt < 10; attempt++) {
    const last = await lastOnSimA(symbol);
    expect(Number.isFinite(last)).toBe(true);
    for (const [direction, level] of [['up', last + away], ['down', last - away]] as const) {
      if ((await armed(direction)) > 0) continue;
      const said = await setAlert(level.toFixed(2), choose);
      if (said !== 'set') expect(said).toMatch(/ALERT_INVALID_PRICE: the last price is already at (or (above|below) )?that level/);
    }
    if ((await armed('up')) > 0 && (await armed('down')) > 0) return;
  }
  throw new Error(`no alerts both ways of ${symbol} could be armed`);
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
    // Thirty cents (three of its quote grids) either side of the last trade on sim-a: BTC's walk reaches one in seconds.
    await setEitherSide('BTC-USD', 0.3, '');
    expect(await rows().count()).toBeGreaterThanOrEqual(1);
    await page.getByTestId('price-alert-toast').first().waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid=price-alert][data-state=fired]').count()).toBeGreaterThanOrEqual(1);
    const toast = (await page.getByTestId('price-alert-toast').first().textContent()) ?? '';
    expect(toast).toMatch(/BTC-USD on sim-a (rose|fell) to [\d,.]+ \(alert at [\d,.]+\)/);
    expect(Number(await panel().getAttribute('data-notified'))).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'terminal-price-alerts');
  }, 90_000);

  it('an alert on a symbol the desk does not show fires from the relay tickers', async () => {
    const before = await page.locator('[data-testid=price-alert][data-state=fired]').count();
    // One tick either side of ETH's last price on sim-a, armed both ways: one fires within seconds.
    await setEitherSide('ETH-USD', 0.01);
    await expect
      .poll(async () => (await page.locator('[data-testid=price-alert][data-state=fired]').allTextContents()).filter((t) => t.includes('ETH-USD')).length, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-testid=price-alert][data-state=fired]').count()).toBeGreaterThan(before);
  }, 90_000);

  it('alerts are kept in IndexedDB: after a reload the list is the same, fired ones with their state', async () => {
    const states = async () => new Map(await rows().evaluateAll((els) => els.map((e) => [e.getAttribute('data-id') ?? '', e.getAttribute('data-state') ?? ''] as [string, string])));
    const before = await states();
    expect(before.size).toBeGreaterThanOrEqual(2);
    await page.reload();
    await page.getByTestId('connection-status').filter({ hasText: /LIVE/ }).waitFor({ timeout: 20_000 });
    await expect.poll(async () => [...(await states()).keys()].sort(), { timeout: 10_000 }).toEqual([...before.keys()].sort());
    // An armed one may fire meanwhile; a fired one never goes back to armed.
    const after = await states();
    for (const [id, state] of before) if (state === 'fired') expect(after.get(id)).toBe('fired');
    // Removing one takes it out of the store too.
    await rows().first().getByRole('button', { name: 'Remove alert' }).click();
    await expect.poll(() => rows().count()).toBe(before.size - 1);
  }, 60_000);
});
