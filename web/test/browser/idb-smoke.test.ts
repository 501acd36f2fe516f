import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../e2e/browser';
import { openModulePage, type ModulePage } from './browser-module-page';
import type { WriteOutcome } from './fixtures/idb-smoke.entry';

const entry = fileURLToPath(new URL('./fixtures/idb-smoke.entry.ts', import.meta.url));

let browser: Browser;
let mp: ModulePage | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
}, 30_000);

afterEach(async () => {
  await mp?.close();
  mp = undefined;
});

afterAll(async () => {
  await browser?.close();
});

describe('openModulePage: real IndexedDB in Chromium', () => {
  it('writes 1,000 rows in one transaction and reads them back in key order', async () => {
    mp = await openModulePage(entry, { browser });
    await mp.call('writeRows', 1000);
    const r = await mp.call<{ count: number; inOrder: boolean; valuesOk: boolean; first: unknown; last: unknown }>('readRows');
    expect(r.count).toBe(1000);
    expect(r.inOrder).toBe(true);
    expect(r.valuesOk).toBe(true);
    expect(r.first).toEqual({ id: 0, value: 0, label: 'r0' });
    expect(r.last).toEqual({ id: 999, value: 1998, label: 'r999' });
    expect(mp.errors).toEqual([]);
  });

  it('gives each page a fresh database', async () => {
    mp = await openModulePage(entry, { browser });
    expect((await mp.call<{ count: number }>('readRows')).count).toBe(0);
  });

  /*
   * How Chromium (156, Debian) reports a full quota, as observed here:
   * - every put() request succeeds: no request `error` event, no `error` event on the
   *   transaction; the quota is checked when the transaction commits;
   * - the transaction then fires `abort`, with `transaction.error` a `QuotaExceededError`
   *   (name 'QuotaExceededError', its own DOMException subclass, empty message);
   * - so with `idb`, `await tx.done` rejects with that error, and the put() promises resolve;
   * - the failed transaction is rolled back whole; earlier commits stay readable.
   * The override must be in place before the origin's first IndexedDB write (see
   * ModulePage.overrideQuota).
   */
  const full = {
    committed: false,
    aborted: true,
    txErrorName: 'QuotaExceededError',
    doneRejection: 'QuotaExceededError',
    errorClass: 'QuotaExceededError',
    txErrorEvents: [],
  };

  it('quotaBytes: a commit past the quota aborts with QuotaExceededError; earlier commits stay', async () => {
    mp = await openModulePage(entry, { browser, quotaBytes: 1024 * 1024 });
    const first = await mp.call<WriteOutcome>('writeBlobs', 0, 4, 64 * 1024);
    expect(first.committed).toBe(true);

    const over = await mp.call<WriteOutcome>('writeBlobs', 100, 16, 64 * 1024);
    expect(over).toMatchObject(full);
    expect(over.requests).toEqual(Array(16).fill('ok'));

    const stored = await mp.call<{ ids: number[]; bytes: number[] }>('readBlobs');
    expect(stored.ids).toEqual([0, 1, 2, 3]);
    expect(stored.bytes).toEqual(Array(4).fill(64 * 1024));
  });

  it('overrideQuota() after load, before the first write, has the same effect', async () => {
    mp = await openModulePage(entry, { browser });
    await mp.overrideQuota(512 * 1024);
    const s = await mp.cdp();
    const uq = (await s.send('Storage.getUsageAndQuota', { origin: mp.origin })) as { quota: number; overrideActive: boolean };
    expect(uq).toMatchObject({ quota: 512 * 1024, overrideActive: true });

    expect((await mp.call<WriteOutcome>('writeBlobs', 0, 2, 64 * 1024)).committed).toBe(true);
    expect(await mp.call<WriteOutcome>('writeBlobs', 10, 12, 64 * 1024)).toMatchObject(full);
    expect((await mp.call<{ ids: number[] }>('readBlobs')).ids).toEqual([0, 1]);
  });
});
