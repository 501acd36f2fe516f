import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceFakeServer } from '../../../relay/src/venues/binance/index';
import { CoinbaseFakeServer } from '../../../relay/src/venues/coinbase/index';
import { KrakenFakeServer } from '../../../relay/src/venues/kraken/index';
import { ladderPrices, launchBrowser, newTerminal, pickSymbol, screenshot, sendBuy } from './browser';
import { startRelayProcess, type RelayProcess } from './relay-process';

/**
 * The PWA against the relay process on the three real-venue adapters, each talking to its
 * local fake exchange (no network here): the venue picker lists them, the ladder shows each
 * one's book, and an order sent to the Binance fake through the ticket fills.
 */
let binance: BinanceFakeServer;
let coinbase: CoinbaseFakeServer;
let kraken: KrakenFakeServer;
let relay: RelayProcess;
let browser: Browser;
let page: Page;
let flow: NodeJS.Timeout;

beforeAll(async () => {
  binance = await BinanceFakeServer.start({
    symbols: [{ symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01', stepSize: '0.00001', midTicks: 6_500_000 }],
    apiKey: 'e2e-key',
    apiSecret: 'e2e-secret',
  });
  coinbase = await CoinbaseFakeServer.start({
    products: [{ productId: 'BTC-USD', base: 'BTC', quote: 'USD', quoteIncrement: '0.01', baseIncrement: '0.00000001', baseMinSize: '0.00000001', baseMaxSize: '3400', midTicks: 5_000_000 }],
  });
  kraken = await KrakenFakeServer.start({
    pairs: [{ key: 'XXBTZUSD', altname: 'XBTUSD', wsname: 'XBT/USD', v2name: 'BTC/USD', base: 'XXBT', quote: 'ZUSD', pairDecimals: 1, lotDecimals: 8, tickSize: '0.1', ordermin: '0.0001', midTicks: 501_000 }],
  });
  // The market moves as long as the test runs.
  flow = setInterval(() => {
    binance.pump(1);
    coinbase.pump(1);
    kraken.pump(1);
  }, 50);
  // Binance keys from a 0600 key file in the data directory (the other two: market data only).
  const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-e2e-venues-'));
  writeFileSync(join(dataDir, 'binance-keys.json'), JSON.stringify({ key: 'e2e-key', secret: 'e2e-secret' }), { mode: 0o600 });
  relay = await startRelayProcess({
    dataDir,
    args: [
      '--venues', 'binance,coinbase,kraken',
      '--binance-symbols', 'BTC-USDT', '--coinbase-symbols', 'BTC-USD', '--kraken-symbols', 'BTC-USD',
      '--binance-rest-url', binance.restUrl, '--binance-ws-url', binance.wsUrl, '--binance-ws-api-url', `${binance.wsUrl}/ws-api/v3`,
      '--coinbase-rest-url', coinbase.restUrl, '--coinbase-ws-url', coinbase.wsUrl,
      '--kraken-rest-url', kraken.restUrl, '--kraken-ws-url', kraken.wsUrl,
    ],
  });
  browser = await launchBrowser();
  ({ page } = await newTerminal(browser, relay.loginUrl));
  await page.getByTestId('connection-status').filter({ hasText: /LIVE/ }).waitFor({ timeout: 20_000 });
}, 90_000);

afterAll(async () => {
  clearInterval(flow);
  await browser?.close();
  await relay?.stop();
  await Promise.all([binance?.stop(), coinbase?.stop(), kraken?.close()]);
});

const venueOptions = () => page.getByTestId('venue-picker').locator('option').allTextContents();

async function showVenue(symbol: string, venue: string): Promise<void> {
  await pickSymbol(page, symbol);
  await page.getByTestId('venue-picker').selectOption(venue);
  await expect.poll(async () => (await ladderPrices(page, 'bid')).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
  await expect.poll(async () => (await ladderPrices(page, 'ask')).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
}

describe.sequential('real-venue adapters in Chromium (fake exchanges)', () => {
  it('the venue picker lists each venue for its symbols, and the ladder shows each book', async () => {
    await pickSymbol(page, 'BTC-USD');
    await expect.poll(venueOptions, { timeout: 10_000 }).toEqual(expect.arrayContaining(['coinbase', 'kraken']));
    expect(await venueOptions()).not.toContain('binance'); // BTC-USDT is not BTC-USD
    await showVenue('BTC-USD', 'coinbase');
    // Coinbase's book sits around 50,000.00; Kraken's around 50,100.0: each ladder is its own venue's.
    // Polled: the ladder's rows follow the worker's frames, the previous venue's for a frame or two.
    await expect.poll(async () => Math.max(...(await ladderPrices(page, 'bid'))), { timeout: 10_000 }).toBeLessThan(50_000.01);
    await screenshot(page, 'venues-coinbase');
    await showVenue('BTC-USD', 'kraken');
    await expect.poll(async () => Math.min(...(await ladderPrices(page, 'bid'))), { timeout: 10_000 }).toBeGreaterThan(50_000.01);
    await screenshot(page, 'venues-kraken');
    await pickSymbol(page, 'BTC-USDT');
    await expect.poll(venueOptions, { timeout: 10_000 }).toContain('binance');
    await showVenue('BTC-USDT', 'binance');
    await expect.poll(async () => Math.min(...(await ladderPrices(page, 'bid'))), { timeout: 10_000 }).toBeGreaterThan(64_000);
    await screenshot(page, 'venues-binance');
  });

  it('an order through the ticket goes to the Binance fake and fills', async () => {
    await expect.poll(async () => Math.min(...(await ladderPrices(page, 'ask'))), { timeout: 10_000 }).toBeGreaterThan(64_000);
    const asks = await ladderPrices(page, 'ask');
    // Through the best asks (well inside the risk collar); 0.0001 BTC ≈ 6.5 USDT, over Binance's 5 USDT minimum.
    await sendBuy(page, (Math.min(...asks) * 1.002).toFixed(2), '0.0001', 'binance');
    await expect.poll(async () => (await page.getByTestId('blotter-row').allTextContents()).join('\n'), { timeout: 15_000 }).toMatch(/FILLED/);
    const filled = [...binance.orders.values()].filter((o) => o.info.status === 'FILLED');
    expect(filled).toHaveLength(1);
    expect(filled[0]!.info.symbol).toBe('BTCUSDT');
    expect(filled[0]!.info.clientOrderId).toMatch(/^tm[a-z0-9]{6}-o-\d+$/); // this data directory's prefix
    await screenshot(page, 'venues-binance-fill');
  });
});
