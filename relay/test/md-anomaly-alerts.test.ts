import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, Side, type JournalEntry } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../src/journal/index';
import type { Relay } from '../src/server/relay-server';
import { metricSample, startRelay, tokenOf } from './harness';
import { ScriptedVenue, testInstrument } from './scripted-venue';

// Market-data anomalies on a real relay: two venues quote BTC-USD, ETH-USD and SOL-USD; one
// drifts away on BTC-USD (5 bps a step, never a spike) and the other shows a crossed SOL-USD
// book. Exactly those two anomalies must reach the journal, /metrics and the admin REST route;
// nothing about ETH-USD (quoted alike), no spike, no frozen feed. Then a feed that goes quiet
// while still marked live is reported as frozen, and its busy neighbour is not.

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const symbols = ['BTC-USD', 'ETH-USD', 'SOL-USD'];

type AlertView = JournalEntry & { record: { kind: 'alert'; code: string; symbol: string }; detail?: { venue?: string; score?: number; evidence?: Record<string, number> } };

async function api(r: Relay, path: string, who: 'trader' | 'admin' = 'admin') {
  const res = await fetch(`${r.url}${path}`, { headers: { authorization: `Bearer ${tokenOf(r.url, who)}` } });
  return { status: res.status, body: (await res.json()) as { alerts: AlertView[]; cursor: number; code?: string } };
}

/** Puts one bid and one ask (prices in ticks of 0.01) on a scripted book, removing the previous ones. */
class Quotes {
  private readonly tops = new Map<string, [number, number]>();
  constructor(private readonly r: Relay) {}

  set(v: ScriptedVenue, symbol: string, bid: number, ask: number): void {
    const before = this.tops.get(`${v.id}:${symbol}`);
    if (before) {
      v.level(symbol, Side.Buy, before[0], 0);
      v.level(symbol, Side.Sell, before[1], 0);
    }
    v.level(symbol, Side.Buy, bid, 10);
    v.level(symbol, Side.Sell, ask, 10);
    this.tops.set(`${v.id}:${symbol}`, [bid, ask]);
    // One batch per step, published now: a step is never merged with the next into a jump.
    for (const id of this.r.md.streamIdsForSymbol(symbol)) this.r.md.flushPending(id);
  }
}

describe('market-data anomalies on a live relay', () => {
  it('a venue drifting 200 bps from the other, and a crossed book: journaled, counted and listed for admins, and nothing else', async () => {
    const va = new ScriptedVenue('va', symbols.map((s) => testInstrument(s, 'va')));
    const vb = new ScriptedVenue('vb', symbols.map((s) => testInstrument(s, 'vb')));
    const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-md-anomaly-'));
    const r = (relay = await startRelay([va, vb], { dataDir, flushMs: 5 }));
    const q = new Quotes(r);
    for (const v of [va, vb]) {
      q.set(v, 'BTC-USD', 4_999_900, 5_000_100);
      q.set(v, 'ETH-USD', 299_990, 300_010);
    }
    q.set(vb, 'SOL-USD', 14_990, 15_010);
    q.set(va, 'SOL-USD', 15_010, 15_000); // bid above ask: a book no venue can have

    // vb walks BTC-USD up 2,500 ticks (~5 bps) a step to +200 bps, then stays there.
    for (let step = 1; step <= 40; step++) {
      await sleep(50);
      q.set(vb, 'BTC-USD', 4_999_900 + step * 2_500, 5_000_100 + step * 2_500);
    }

    // Wait for both alerts on the admin route (the divergence needs 2 s past 100 bps).
    let alerts: AlertView[] = [];
    for (const start = Date.now(); Date.now() - start < 20_000; await sleep(100)) {
      alerts = (await api(r, '/api/admin/alerts?since=0')).body.alerts;
      if (alerts.length >= 2) break;
    }
    const seen = alerts.map((a) => [a.record.code, a.detail?.venue, a.record.symbol]).sort();
    expect(seen).toEqual([
      [ErrorCode.MD_ANOMALY_CROSSED_BOOK, 'va', 'SOL-USD'],
      [ErrorCode.MD_ANOMALY_DIVERGENCE, 'vb', 'BTC-USD'],
    ]);
    const divergence = alerts.find((a) => a.record.code === ErrorCode.MD_ANOMALY_DIVERGENCE)!;
    expect(divergence.detail!.evidence!.deviationBps).toBeGreaterThan(100);
    expect(divergence.detail!.evidence!.reference).toBe(50_000);
    expect(divergence.detail!.evidence!.forMs).toBeGreaterThanOrEqual(2000);

    // The same records are in the journal file, at the seqs the route gave.
    const journaled = (await Journal.read(join(dataDir, 'journal.tmj'))).filter((e) => e.record.kind === 'alert');
    expect(journaled.map((e) => [e.seq, e.record.kind === 'alert' && e.record.code])).toEqual(alerts.map((a) => [a.seq, a.record.code]));

    // Counted by code; the rules that must not fire have not.
    const text = await (await fetch(`${r.url}/metrics`)).text();
    const count = (code: string) => metricSample(text, 'tickmesh_alerts_total', { code });
    expect([ErrorCode.MD_ANOMALY_DIVERGENCE, ErrorCode.MD_ANOMALY_CROSSED_BOOK, ErrorCode.MD_ANOMALY_PRICE_SPIKE, ErrorCode.MD_ANOMALY_FROZEN_FEED, ErrorCode.MD_ANOMALY_LOCKED_BOOK].map(count)).toEqual([1, 1, 0, 0, 0]);

    // A poller resumes after the last alert it saw; admins only; since must be a seq.
    const last = Math.max(...alerts.map((a) => a.seq));
    const later = await api(r, `/api/admin/alerts?since=${last}`);
    expect(later.body.alerts).toEqual([]);
    expect(later.body.cursor).toBeGreaterThanOrEqual(last);
    const first = await api(r, `/api/admin/alerts?since=${Math.min(...alerts.map((a) => a.seq))}`);
    expect(first.body.alerts.map((a) => a.seq)).toEqual([last]);
    expect((await api(r, '/api/admin/alerts?since=0', 'trader')).status).toBe(403);
    const bad = await api(r, '/api/admin/alerts?since=-1');
    expect([bad.status, bad.body.code]).toEqual([400, ErrorCode.CODEC_INVALID_FIELD]);
  }, 60_000);

  it('a live stream that stops updating: MD_ANOMALY_FROZEN_FEED for it, nothing for its neighbour that keeps ticking', async () => {
    const va = new ScriptedVenue('va', [testInstrument('ETH-USD', 'va')]);
    const vb = new ScriptedVenue('vb', [testInstrument('ETH-USD', 'vb')]);
    const r = (relay = await startRelay([va, vb], { flushMs: 5 }));
    const q = new Quotes(r);
    for (const v of [va, vb]) q.set(v, 'ETH-USD', 299_990, 300_010);
    // Both tick every 100 ms (a resting size changes) until vb's feed goes quiet, still marked live.
    let n = 0;
    let vbTicks = true;
    const timer = setInterval(() => {
      n++;
      va.level('ETH-USD', Side.Buy, 299_000, 1 + (n % 5));
      if (vbTicks) vb.level('ETH-USD', Side.Buy, 299_000, 1 + (n % 5));
    }, 100);
    try {
      // Long enough for the monitor to learn the cadence (20 gaps of its 250 ms checks).
      while (n < 70) await sleep(100);
      vbTicks = false;
      let alerts: AlertView[] = [];
      for (const start = Date.now(); Date.now() - start < 30_000 && alerts.length === 0; await sleep(100)) alerts = (await api(r, '/api/admin/alerts?since=0')).body.alerts;
      expect(alerts.map((a) => [a.record.code, a.detail?.venue, a.record.symbol])).toEqual([[ErrorCode.MD_ANOMALY_FROZEN_FEED, 'vb', 'ETH-USD']]);
      expect(alerts[0]!.detail!.evidence!.silentMs).toBeGreaterThan(5000);
      const text = await (await fetch(`${r.url}/metrics`)).text();
      expect(metricSample(text, 'tickmesh_alerts_total', { code: ErrorCode.MD_ANOMALY_FROZEN_FEED })).toBe(1);
    } finally {
      clearInterval(timer);
    }
  }, 60_000);
});
