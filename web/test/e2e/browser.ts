import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { root } from './relay-process';

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
