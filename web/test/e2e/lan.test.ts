import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshFrameInfo } from '../../src/workers/terminal-api';
import { demoApiKey, ladderPrices, screenshot, sendBuy } from './browser';
import { browserHomeTrusting, makeCerts, type LanCerts } from './lan/lan-certs';
import { buildLan, lanUnavailable, type Lan, type LanHost } from './lan/lan-hosts';
import { root } from './relay-process';

/**
 * Tickmesh beyond localhost: three hosts on one LAN (network namespaces joined by a bridge),
 * the relay on one, a Chromium on each of the other two, over HTTPS with the test's own CA
 * (trusted the way a person imports one, never by turning certificate checks off). The PWA
 * installs, a trader logs in and an order fills, the two browser hosts form the market-data
 * mesh between them (host candidates, no STUN) and verify its frames; with the relay host's
 * cable cut the pages say so, and a recording still replays.
 */
const unavailable = lanUnavailable();
if (unavailable) console.warn(`LAN test skipped: ${unavailable}`);

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-features=WebRtcHideLocalIpsWithMdns',
];

let lan: Lan;
let relayHost: LanHost;
let certs: LanCerts;
let relay: { proc: ReturnType<LanHost['spawn']>; origin: string; loginUrl: string; dataDir: string } | undefined;
const browsers: Browser[] = [];
const pages: Page[] = [];

async function startRelay(host: LanHost): Promise<NonNullable<typeof relay>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-lan-relay-'));
  const proc = host.spawn(process.execPath, [
    join(root, 'relay/dist/main.js'), '--host', host.ip, '--port', '8443', '--tls-cert', certs.cert, '--tls-key', certs.key,
    '--data-dir', dataDir, '--log-level', 'warn', '--sim-rate', '100',
  ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start:\n${out}`)), 30_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /Open (https:\/\/[^/\s]+)\/\?login=(\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({ proc, origin: m[1]!, loginUrl: `${m[1]}/?login=${m[2]}&mesh=1`, dataDir });
    });
    proc.once('exit', (c) => reject(new Error(`relay exited ${c}:\n${out}`)));
  });
}

async function browserOn(host: LanHost, home: string): Promise<Browser> {
  const b = await chromium.launch({ executablePath: host.wrapper('/usr/bin/chromium'), env: { ...process.env, HOME: home }, headless: true, args: CHROMIUM_ARGS });
  browsers.push(b);
  return b;
}

const status = async (page: Page) => (await page.getByTestId('connection-status').textContent()) ?? '';
const meshOf = (page: Page): Promise<MeshFrameInfo | undefined> =>
  page.evaluate(() => (globalThis as unknown as { tickmeshMesh?: () => MeshFrameInfo | undefined }).tickmeshMesh?.());

beforeAll(async () => {
  if (unavailable) return;
  lan = buildLan(['relay', 'pc1', 'pc2']);
  relayHost = lan.hosts[0]!;
  certs = makeCerts(relayHost.ip);
  relay = await startRelay(relayHost);
}, 60_000);

afterAll(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  relay?.proc.kill('SIGKILL');
  lan?.destroy();
});

describe.skipIf(!!unavailable).sequential('a LAN of real browsers over HTTPS', () => {
  it('a browser without the CA is refused: the certificate is checked, not waved through', async () => {
    const stranger = await browserOn(lan.hosts[2]!, mkdtempSync(join(tmpdir(), 'tickmesh-lan-home-')));
    const page = await stranger.newPage();
    await expect(page.goto(relay!.origin)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    await stranger.close();
  });

  it('the PWA installs from another host: secure context, service worker active, login, live ladder', async () => {
    for (const host of [lan.hosts[1]!, lan.hosts[2]!]) {
      const browser = await browserOn(host, browserHomeTrusting(certs.caCert));
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
      page.on('pageerror', (e) => console.error(`${host.name} page error:`, e.message));
      if (pages.length === 0) await page.goto(relay!.loginUrl);
      else {
        // The second trader signs in with the demo API key (the one-time login is used).
        await page.goto(`${relay!.origin}/?mesh=1`);
        await page.locator('#api-key').fill(demoApiKey(relay!.dataDir));
        await page.locator('button[type=submit]').click();
      }
      pages.push(page);
      expect(await page.evaluate(() => isSecureContext && !!crypto.subtle)).toBe(true);
      expect(await page.evaluate(async () => !!(await navigator.serviceWorker.ready).active)).toBe(true);
      await expect.poll(() => status(page), { timeout: 20_000 }).toMatch(/LIVE/);
      await expect.poll(async () => (await ladderPrices(page, 'bid')).length, { timeout: 10_000 }).toBeGreaterThan(3);
    }
    // The pages really are on other hosts: the relay sees them at their own addresses.
    expect(relay!.origin).toBe(`https://${relayHost.ip}:8443`);
  }, 90_000);

  it('an order from a browser host fills', async () => {
    const page = pages[0]!;
    // 0.3% through the best ask: marketable even if the market moves meanwhile, inside the collar.
    await sendBuy(page, (Math.max(...(await ladderPrices(page, 'ask'))) * 1.003).toFixed(2), '0.01');
    await expect.poll(async () => (await page.getByTestId('blotter-row').allTextContents()).join('\n'), { timeout: 15_000 }).toMatch(/FILLED/);
  }, 30_000);

  it('the two browser hosts feed each other the mesh over their LAN addresses, and every frame verifies', async () => {
    await expect
      .poll(async () => {
        const [a, b] = await Promise.all(pages.map(meshOf));
        return !!a && !!b && a.neighbours.includes(b.peerId) && a.framesFromMesh > 0 && b.framesFromMesh > 0 && a.bytesFromPeers + b.bytesFromPeers > 0;
      }, { timeout: 30_000, interval: 500 })
      .toBe(true)
      .catch(async (e: Error) => {
        throw new Error(`${e.message}\nmesh state: ${JSON.stringify(await Promise.all(pages.map(meshOf)))}`);
      });
    const infos = await Promise.all(pages.map(meshOf));
    for (const m of infos) expect(m!.framesRejected).toBe(0);
    // The link is host to host: ICE found the peers' own LAN addresses (no STUN here, no mDNS).
    const remote = await pages[0]!.evaluate(() => (globalThis as unknown as { tickmeshMeshRemoteAddresses: () => Promise<string[]> }).tickmeshMeshRemoteAddresses());
    expect(remote).toContain(lan.hosts[2]!.ip);
    await screenshot(pages[0]!, 'lan-mesh');
  }, 60_000);

  it("with the relay host's cable cut, the pages say so, and a recording still replays", async () => {
    const page = pages[0]!;
    // Something recorded to replay (the recorder is on by default).
    await expect.poll(async () => (await page.getByTestId('recorder-frames').first().textContent()) ?? '', { timeout: 20_000 }).toMatch(/[1-9]/);
    lan.setLink(relayHost, false);
    for (const p of pages) await expect.poll(() => status(p), { timeout: 45_000 }).toMatch(/OFFLINE|CONNECTING|STALE/);
    await page.getByTestId('recorder-toggle').uncheck();
    const bar = page.getByTestId('replay');
    await bar.waitFor({ timeout: 15_000 });
    const fold = page.getByTestId('replay-toggle');
    if ((await fold.count()) > 0 && (await fold.getAttribute('aria-expanded')) === 'false') await fold.click();
    const options = await page.getByTestId('replay-recording').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    expect(options.length).toBeGreaterThan(0);
    await page.getByTestId('replay-recording').selectOption(options[0]!);
    await page.getByTestId('replay-start').click();
    await page.getByTestId('replay-speed-max').click();
    await expect.poll(() => page.getByTestId('replay-badge').isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => (await ladderPrices(page, 'bid')).length, { timeout: 15_000 }).toBeGreaterThan(0);
    await screenshot(page, 'lan-cut-replay');
    lan.setLink(relayHost, true);
  }, 120_000);
});
