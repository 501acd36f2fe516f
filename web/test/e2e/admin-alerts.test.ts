import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newTerminal, screenshot } from './browser';
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

function apiKeyOf(account: string): string {
  const line = readFileSync(join(relay.dataDir, 'credentials.txt'), 'utf8').split('\n').find((l) => l.startsWith(`${account} `));
  if (!line) throw new Error(`no ${account} key in credentials.txt`);
  return line.trim().split(/\s+/)[2]!;
}

beforeAll(async () => {
  relay = await startRelayProcess({ args: ['--sim-scenario', 'wash', '--seed', '3', '--symbols', 'BTC-USD'] });
  browser = await launchBrowser();
  ({ page } = await newTerminal(browser, relay.origin));
  await page.locator('#api-key').fill(apiKeyOf('admin'));
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

  it("a trader's desk has no alert view", async () => {
    const { context, page: trader } = await newTerminal(browser, relay.loginUrl);
    await trader.getByTestId('connection-status').filter({ hasText: /LIVE/ }).waitFor({ timeout: 20_000 });
    expect(await trader.getByTestId('admin-alerts').count()).toBe(0);
    await context.close();
  }, 40_000);
});
