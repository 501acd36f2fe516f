import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';
import { loadVenueCredentials } from './venue-credentials';

describe('backoff', () => {
  it('grows exponentially to its cap with full jitter, honours Retry-After and resets', () => {
    const top = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map(() => top.next())).toEqual([99, 199, 399, 799, 999, 999]);
    const zero = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0 });
    expect(zero.next()).toBe(0); // full jitter: a fleet spreads over [0, ceiling)
    expect(zero.next(2500)).toBe(2500);
    top.reset();
    expect(top.next()).toBe(99);
  });
});

describe('venue credentials', () => {
  it('come from the environment first, and never print', async () => {
    const r = await loadVenueCredentials('binance', { BINANCE_API_KEY: 'k-123', BINANCE_API_SECRET: 's-456' }, '/nonexistent');
    if (!r.ok || !r.value) throw new Error('expected credentials');
    expect(r.value.reveal()).toEqual({ key: 'k-123', secret: 's-456' });
    const printed = [String(r.value), JSON.stringify({ c: r.value }), inspect(r.value), `${r.value}`].join(' ');
    expect(printed).not.toMatch(/k-123|s-456/);
    expect(printed).toContain('[redacted]');
  });

  it('come from a 0600 key file in the data dir; a wider mode or bad JSON is refused with a code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickmesh-keys-'));
    expect(await loadVenueCredentials('kraken', {}, dir)).toEqual({ ok: true, value: undefined });
    const file = join(dir, 'kraken-keys.json');
    await writeFile(file, JSON.stringify({ key: 'kk', secret: 'ss' }));
    await chmod(file, 0o644);
    const wide = await loadVenueCredentials('kraken', {}, dir);
    expect(wide.ok ? '' : wide.code).toBe('VENUE_KEY_FILE_MODE');
    await chmod(file, 0o600);
    const good = await loadVenueCredentials('kraken', {}, dir);
    expect(good.ok && good.value?.reveal()).toEqual({ key: 'kk', secret: 'ss' });
    await writeFile(file, '{"key": "kk", "secret": ');
    const bad = await loadVenueCredentials('kraken', {}, dir);
    expect(bad.ok ? '' : bad.code).toBe('VENUE_KEY_FILE_INVALID');
    expect(bad.ok ? '' : bad.message).not.toContain('kk');
  });
});
