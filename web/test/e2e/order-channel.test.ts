import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ladderPrices, screenshot, sendBuy, startTerminalSession, type TerminalSession } from './browser';

// The terminal in Chromium sending orders on a WebRTC data channel to the relay itself (its
// PeerJS peer `tickmesh-relay`), then falling back to the WebSocket when that channel goes.

interface RouteStats {
  carrier: string;
  sentOnChannel: number;
  sentOnWs: number;
  resent: number;
  duplicateReports: number;
}

let session: TerminalSession | undefined;
let page: Page;

beforeAll(async () => {
  session = await startTerminalSession();
  page = session.page;
}, 60_000);
afterAll(async () => {
  await session?.stop();
});

const stats = () => page.evaluate(() => (globalThis as unknown as { tickmeshOrderRouteStats: () => Promise<RouteStats | undefined> }).tickmeshOrderRouteStats());
const carrier = () => page.getByTestId('order-carrier').getAttribute('data-carrier');
const filledRows = async () => (await page.getByTestId('blotter-row').allTextContents()).filter((t) => /FILLED/.test(t)).length;

async function buyMarketable(): Promise<void> {
  // 0.3% through the best ask: marketable even if the market moves meanwhile, well inside the collar.
  await expect.poll(async () => (await ladderPrices(page, 'ask')).length, { timeout: 15_000 }).toBeGreaterThan(0);
  await sendBuy(page, (Math.max(...(await ladderPrices(page, 'ask'))) * 1.003).toFixed(2), '0.01');
}

describe.sequential('orders over the relay\'s peer channel in Chromium', () => {
  it('offers ws, peer and auto; on peer the carrier becomes the channel and an order fills over it', async () => {
    await expect.poll(async () => (await page.getByTestId('connection-status').textContent()) ?? '', { timeout: 20_000 }).toMatch(/LIVE/);
    const select = page.getByTestId('order-transport');
    expect(await select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['ws', 'peer', 'auto']);
    expect(await carrier()).toBe('ws');

    await select.selectOption('peer');
    await expect.poll(carrier, { timeout: 15_000 }).toBe('peer');
    await buyMarketable();
    await expect.poll(filledRows, { timeout: 15_000 }).toBe(1);
    const s = (await stats())!;
    expect(s).toMatchObject({ carrier: 'peer', sentOnWs: 0, resent: 0 });
    expect(s.sentOnChannel).toBe(1);
    // Every report came twice (the /ws session gets the account's reports too) and was shown once.
    await expect.poll(async () => (await stats())!.duplicateReports, { timeout: 5000 }).toBeGreaterThan(0);
    await screenshot(page, 'order-channel-peer');
  });

  it('the channel goes: orders fall back to the WebSocket and the next one fills there', async () => {
    await page.evaluate(() => (globalThis as unknown as { tickmeshOrderChannelCut: () => void }).tickmeshOrderChannelCut());
    await expect.poll(carrier, { timeout: 5000 }).toBe('ws');
    await buyMarketable();
    await expect.poll(filledRows, { timeout: 15_000 }).toBe(2);
    const s = (await stats())!;
    expect(s).toMatchObject({ carrier: 'ws', sentOnChannel: 1, sentOnWs: 1 });
    // `peer` keeps trying: the channel comes back and carries orders again.
    await expect.poll(carrier, { timeout: 20_000 }).toBe('peer');
  });
});
