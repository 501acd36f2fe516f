import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { MeshFrameInfo } from '../../src/workers/terminal-api';
import { root, startRelayProcess, type RelayProcess } from './relay-process';

/** Debian's Chromium, headless, with the flags this machine needs (see the team handbook). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
    ],
  });
}

export const artifacts = join(root, 'test-artifacts');

/** Saves a screenshot under test-artifacts/ (kept by CI, looked at by people). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export async function newTerminal(browser: Browser, url: string, viewport = { width: 1440, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url);
  return { context, page };
}

/** The first number in a text ("50,012.34 1.2000" -> 50012.34). */
export function firstNumber(text: string): number {
  const m = /-?[\d,]+(\.\d+)?/.exec(text);
  return m ? Number(m[0].replace(/,/g, '')) : Number.NaN;
}

/** Prices of the ladder's rows, top of the page first. */
export async function ladderPrices(page: Page, kind: 'bid' | 'ask'): Promise<number[]> {
  return (await page.getByTestId(`ladder-${kind}-row`).allTextContents()).map(firstNumber).filter((n) => !Number.isNaN(n));
}

/**
 * Shows `symbol` through the instrument picker and waits until the ladder is the one of that
 * symbol (its header follows the worker's frames: until it names the symbol, the rows may still
 * be the previous symbol's).
 */
export async function pickSymbol(page: Page, symbol: string): Promise<void> {
  const picker = page.getByTestId('symbol-picker');
  if ((await picker.evaluate((el) => el.tagName)) === 'SELECT') await picker.selectOption(symbol);
  else await picker.getByText(symbol, { exact: true }).click();
  await page.getByTestId('ladder').locator('.panel-head', { hasText: symbol }).waitFor({ timeout: 10_000 });
}

/** A relay process as `npm start` runs it, Chromium, and one terminal page signed in to it. */
export interface TerminalSession {
  relay: RelayProcess;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  stop(): Promise<void>;
}

/** Starts a TerminalSession (one per test file: beforeAll, with `stop` in afterAll). */
export async function startTerminalSession(relayArgs = ['--sim-rate', '300']): Promise<TerminalSession> {
  const relay = await startRelayProcess({ args: relayArgs });
  const browser = await launchBrowser();
  const { context, page } = await newTerminal(browser, relay.loginUrl);
  return {
    relay,
    browser,
    context,
    page,
    stop: async () => {
      await browser.close();
      await relay.stop();
    },
  };
}

/** Distinct colours sampled from the chart's first canvas (more than 2: it drew something, not one flat fill). */
export function chartColours(page: Page): Promise<number> {
  return page
    .getByTestId('chart')
    .locator('canvas')
    .first()
    .evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d');
      if (!ctx) return 0;
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      const seen = new Set<number>();
      for (let i = 0; i < data.length && seen.size < 50; i += 4 * 97) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return seen.size;
    });
}

/** Fills the ticket as a buy of `qty` at `price` (both as the ticket's text) and sends it. */
export async function sendBuy(page: Page, price: string, qty: string, venue?: string): Promise<void> {
  const side = page.getByTestId('ticket-side');
  if ((await side.evaluate((el) => el.tagName)) === 'SELECT') await side.selectOption({ label: 'Buy' });
  else if (!/buy/i.test((await side.textContent()) ?? '')) await side.click();
  await page.getByTestId('ticket-price').fill(price);
  await page.getByTestId('ticket-qty').fill(qty);
  if (venue !== undefined) await page.getByTestId('ticket-venue').selectOption(venue);
  await page.getByTestId('ticket-submit').click();
}

/** The client order id the ticket's notice names ('' when it names none, or the read timed out). */
export async function ticketNoticeId(page: Page): Promise<string> {
  return ((await page.locator('.ticket .notice .sent .mono').first().textContent({ timeout: 1_000 }).catch(() => '')) ?? '').trim();
}

/**
 * Runs `send` (a submit click, a one-click ladder trade) and returns the blotter's top-level
 * row of the order it placed: the ticket's notice names the new client order id once the
 * worker took it (until then it still names the one before).
 */
export async function sentOrderRow(page: Page, send: () => Promise<unknown>): Promise<Locator> {
  const before = await ticketNoticeId(page);
  await send();
  let id = '';
  await expect.poll(async () => (id = await ticketNoticeId(page)), { timeout: 5_000, message: 'the ticket to name the order sent' }).toSatisfy((t: string) => t !== '' && t !== before);
  return page.locator(`[data-testid="blotter-row"][data-client-order-id="${id}"]`);
}

/** An account's API key from an auth directory's credentials.txt (written on its first start). */
export function apiKeyOf(dir: string, account: string): string {
  const line = readFileSync(join(dir, 'credentials.txt'), 'utf8').split('\n').find((l) => l.startsWith(`${account} `));
  if (!line) throw new Error(`no ${account} key in credentials.txt`);
  return line.trim().split(/\s+/)[2]!;
}

/** The demo trader's API key. */
export function demoApiKey(dir: string): string {
  return apiKeyOf(dir, 'demo');
}

/** A terminal page with the mesh on (`?mesh=1`), signed in with `apiKey`, once LIVE. */
export async function openMeshTerminal(browser: Browser, origin: string, apiKey: string, label: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`${label} error:`, e.message));
  await page.goto(`${origin}/?mesh=1`);
  await page.locator('#api-key').fill(apiKey);
  await page.locator('button[type=submit]').click();
  await page.getByTestId('connection-status').filter({ hasText: /LIVE/ }).waitFor({ timeout: 20_000 });
  return { context, page };
}

/**
 * The mesh part of a page's last frame (the mesh client keeps it; read through its diagnostics
 * hook). `page.evaluate` has no timeout of its own: a page whose main thread is starved would
 * hold the caller until the test's timeout, with no word of which page. This one fails after
 * `timeoutMs` and names the page.
 */
export async function meshOf(page: Page, timeoutMs = 10_000): Promise<MeshFrameInfo | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`meshOf: ${page.url()} did not answer within ${timeoutMs} ms (main thread starved or hung)`)), timeoutMs);
  });
  try {
    return await Promise.race([page.evaluate(() => (globalThis as unknown as { tickmeshMesh?: () => MeshFrameInfo | undefined }).tickmeshMesh?.()), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Samples the pages until some stream is at one seq on two of them (pages move independently),
 * asserting the checksums agree each time; returns how many such pairs were compared.
 */
export async function compareMeshBooks(pages: Page[], expectSame: (checksum: number, held: number) => void, rounds = 40, enough = 3): Promise<number> {
  let compared = 0;
  for (let round = 0; round < rounds && compared < enough; round++) {
    const seen = new Map<string, number>();
    for (const m of await Promise.all(pages.map((p) => meshOf(p))))
      for (const s of m?.streams ?? []) {
        const key = `${s.streamId}@${s.seq}`;
        const held = seen.get(key);
        if (held === undefined) seen.set(key, s.checksum);
        else {
          expectSame(s.checksum, held);
          compared++;
        }
      }
  }
  return compared;
}
