import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyOf, launchBrowser, newTerminal, screenshot } from './browser';
import { startRelayProcess, type RelayProcess } from './relay-process';

/**
 * The admin's alert view in Chromium against the relay process running `--sim-scenario wash`:
 * the scenario's two linked accounts trade with each other through the OMS, live surveillance
 * raises SURV_WASH_TRADE, and the alert appears in the signed-in admin's view, pushed over
 * /ws (no polling), with the journal seq GET /api/admin/alerts lists it under. A trader's
 * desk has no such view.
 */
let relay: RelayProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  relay = await startRelayProcess({ args: ['--sim-scenario', 'wash,divergent-venue', '--seed', '3', '--symbols', 'BTC-USD'] });
  browser = await launchBrowser();
  ({ page } = await newTerminal(browser, relay.origin));
  await page.locator('#api-key').fill(apiKeyOf(relay.dataDir, 'admin'));
  await page.getByRole('button', { name: 'Sign in' }).click();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
});

describe.sequential('admin alert view in Chromium (sim scenario)', () => {
  it('a wash trade of the scenario appears live in the admin view, as journaled', async () => {
    await page.getByTestId('admin-alerts-status').and(page.locator('[data-status="live"]')).waitFor({ timeout: 20_000 });
    await page.getByTestId('admin-alerts-toggle').click();
    const row = page.locator('[data-testid="admin-alert-row"][data-code="SURV_WASH_TRADE"]').first();
    await row.waitFor({ timeout: 45_000 });
    await screenshot(page, 'admin-alerts');
    expect(await row.textContent()).toMatch(/sim-wash-[ab]/);
    expect(await row.textContent()).toContain('BTC-USD');
    const seq = Number(await row.getAttribute('data-seq'));

    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('tickmesh.grant') ?? '{}').token as string);
    const res = await fetch(`${relay.origin}/api/admin/alerts?since=0`, { headers: { authorization: `Bearer ${token}` } });
    const { alerts } = (await res.json()) as { alerts: Array<{ seq: number; record: { code: string } }> };
    expect(alerts.find((a) => a.seq === seq)?.record.code).toBe('SURV_WASH_TRADE');
  }, 60_000);

  it("a venue the scenario sends 150-250 bps off is marked suspect in the venue picker while it diverges, with the relay's sentence", async () => {
    // The scenario's first divergence starts 15-55 s in and lasts 10 s; the relay opens the
    // episode after 2 s of it, and the desk reads it from /api/tickers every 2 s.
    const suspect = page.locator('[data-testid="venue-picker"] option[data-anomaly="MD_ANOMALY_DIVERGENCE"]');
    await suspect.first().waitFor({ state: 'attached', timeout: 60_000 });
    const venue = (await suspect.first().getAttribute('value')) ?? '';
    expect(venue).toMatch(/^sim-[ab]$/);
    expect(await suspect.first().textContent()).toContain('⚠ diverging');
    await page.getByTestId('venue-picker').selectOption(venue);
    const badge = page.getByTestId('venue-anomaly');
    await badge.waitFor({ timeout: 5_000 });
    expect(await badge.getAttribute('data-code')).toBe('MD_ANOMALY_DIVERGENCE');
    expect(await badge.getAttribute('title')).toMatch(new RegExp(`^${venue} BTC-USD mid .* bps (above|below) the other venues'.*smart routing avoids this venue`));
    await screenshot(page, 'venue-picker-suspect');
    // The episode closes once the venue is back: the badge goes with it.
    await badge.waitFor({ state: 'detached', timeout: 20_000 });
  }, 90_000);

  it("a trader's desk has no alert view", async () => {
    const { context, page: trader } = await newTerminal(browser, relay.loginUrl);
    await trader.getByTestId('connection-status').filter({ hasText: /LIVE/ }).waitFor({ timeout: 20_000 });
    expect(await trader.getByTestId('admin-alerts').count()).toBe(0);
    await context.close();
  }, 40_000);
});
