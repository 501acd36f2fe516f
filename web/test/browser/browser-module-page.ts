import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchBrowser } from '../e2e/browser';
import { root } from '../e2e/relay-process';

/**
 * Runs a browser-side TS module in Debian's Chromium on a real http origin, so it gets real
 * IndexedDB (and quota, and structured clone) instead of a Node fake.
 *
 * The entry is bundled in memory with esbuild (no `npm run build`, nothing written to disk), and
 * served with a tiny index.html from a Node http server on 127.0.0.1, port 0. The page imports
 * the bundle, awaits its exported `ready` promise if it has one, then publishes the module's
 * exports as `globalThis.__entry` and sets `globalThis.__ready = true`; `openModulePage` resolves
 * after that. Tests drive the module with `call(name, ...args)` (a `page.evaluate` on the
 * export) or with `page.evaluate` directly.
 *
 * Every call gets its own browser context (Playwright contexts are off-the-record, so IndexedDB
 * starts empty) and its own server, hence its own origin.
 */
export interface ModulePage {
  page: Page;
  context: BrowserContext;
  /** `http://127.0.0.1:<port>`: the page's origin (what CDP's Storage methods take). */
  origin: string;
  /** Calls the entry's export `name` in the page with JSON-serialisable args; resolves to its (awaited) result. */
  call<T = unknown>(name: string, ...args: unknown[]): Promise<T>;
  /** A CDP session attached to the page (created once, detached by `close()`). */
  cdp(): Promise<CDPSession>;
  /**
   * Overrides this origin's storage quota through CDP `Storage.overrideQuotaForOrigin`, so
   * IndexedDB writes past `bytes` fail with a real `QuotaExceededError`. `undefined` resets it.
   *
   * Call it before the page's first IndexedDB write (or pass `quotaBytes` to openModulePage):
   * Chromium's IndexedDB caches the space left in the origin's bucket on the first commit and
   * only asks the quota manager again when a commit would exceed that figure, so an override
   * made after a write under the default (GBs) quota is not seen by IndexedDB for a long time
   * (observed with Chromium 156: 7 MB written over a 1 MB override, over 7 s, all committed).
   * `navigator.storage.estimate()` does not reflect the override in these off-the-record
   * contexts either; CDP `Storage.getUsageAndQuota` does.
   */
  overrideQuota(bytes: number | undefined): Promise<void>;
  /** Uncaught page errors and console errors seen so far (tests may assert it stays empty). */
  errors: string[];
  /** Closes the page, the context, the browser if this call launched it, and the server. */
  close(): Promise<void>;
}

export interface ModulePageOptions {
  /**
   * A browser to open the context in (launch it once per test file in `beforeAll` with
   * `launchBrowser()`). Default: launch one for this page and close it in `close()`.
   */
  browser?: Browser;
  /** How long the entry may take to become ready, ms. Default 15,000. */
  readyTimeoutMs?: number;
  /**
   * Storage quota for the page's origin, bytes, set through CDP before the page loads (see
   * `ModulePage.overrideQuota`). Default: Chromium's own quota.
   */
  quotaBytes?: number;
  /** Echo the page's console to the test output. Default false (errors are always collected). */
  echoConsole?: boolean;
}

const bundles = new Map<string, Promise<string>>();

/**
 * Bundles `entryFile` for the browser once per test process (cached by absolute path).
 * `@tickmesh/shared` resolves as in the web build: through the workspace symlink in
 * node_modules and the package's `exports` (its TS sources); `idb`, `comlink` come from
 * node_modules.
 */
export function bundleEntry(entryFile: string): Promise<string> {
  const abs = resolve(entryFile);
  let out = bundles.get(abs);
  if (!out) {
    out = build({
      entryPoints: [abs],
      absWorkingDir: root,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      sourcemap: 'inline',
      tsconfig: resolve(root, 'web/tsconfig.json'),
      // Code written for Vite may read import.meta.env; give it what `vite dev` would.
      define: { 'import.meta.env': JSON.stringify({ DEV: true, PROD: false, MODE: 'test', BASE_URL: '/', SSR: false }) },
      logLevel: 'silent',
    }).then((r) => r.outputFiles[0]!.text);
    // A failed build is not cached: the next test file (or a watch rerun) gets a fresh try.
    out.catch(() => bundles.delete(abs));
    bundles.set(abs, out);
  }
  return out;
}

const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>module page</title><link rel="icon" href="data:,"></head><body>
<script type="module">
  try {
    const mod = await import('/entry.js');
    if (mod.ready) await mod.ready;
    globalThis.__entry = mod;
    globalThis.__ready = true;
  } catch (e) {
    globalThis.__readyError = String(e && e.stack || e);
  }
</script>
</body></html>`;

function serve(js: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(INDEX_HTML);
    } else if (path === '/entry.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      res.end(js);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server));
  });
}

export async function openModulePage(entryFile: string, options: ModulePageOptions = {}): Promise<ModulePage> {
  const js = await bundleEntry(entryFile);
  const server = await serve(js);
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ownBrowser = !options.browser;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let session: Promise<CDPSession> | undefined;
  const errors: string[] = [];

  const close = async (): Promise<void> => {
    if (session) await (await session.catch(() => undefined))?.detach().catch(() => undefined);
    await context?.close().catch(() => undefined);
    if (ownBrowser) await browser?.close().catch(() => undefined);
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  };

  try {
    browser = options.browser ?? (await launchBrowser());
    context = await browser.newContext();
    const page = await context.newPage();
    const cdp = (): Promise<CDPSession> => (session ??= context!.newCDPSession(page));
    const overrideQuota = async (bytes: number | undefined): Promise<void> => {
      const s = await cdp();
      await s.send('Storage.overrideQuotaForOrigin', bytes === undefined ? { origin } : { origin, quotaSize: bytes });
    };
    if (options.quotaBytes !== undefined) await overrideQuota(options.quotaBytes);
    page.on('pageerror', (e) => errors.push(e.stack ?? e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
      if (options.echoConsole) console.log(`[page ${m.type()}]`, m.text());
    });
    await page.goto(`${origin}/`);
    const ready = await page.waitForFunction(
      () => (globalThis as { __ready?: boolean }).__ready === true || (globalThis as { __readyError?: string }).__readyError || false,
      undefined,
      { timeout: options.readyTimeoutMs ?? 15_000 },
    );
    const value = await ready.jsonValue();
    if (value !== true) throw new Error(`entry ${entryFile} failed in the page:\n${String(value)}`);

    return {
      page,
      context,
      origin,
      errors,
      cdp,
      call: <T>(name: string, ...args: unknown[]) =>
        page.evaluate(
          ([n, a]) => {
            const entry = (globalThis as unknown as { __entry: Record<string, unknown> }).__entry;
            const fn = entry[n];
            if (typeof fn !== 'function') throw new Error(`entry has no exported function ${n}`);
            return (fn as (...x: unknown[]) => unknown)(...a);
          },
          [name, args] as const,
        ) as Promise<T>,
      overrideQuota,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
