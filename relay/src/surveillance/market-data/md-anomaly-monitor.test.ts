import { ErrorCode, StreamState } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import type { MdAnomaly } from './md-anomaly';
import { MdAnomalyMonitor, type MdAnomalyOptions, type WatchedStream } from './md-anomaly-monitor';

/** A stream the test moves by hand: prices in ticks, as an MdStream holds them. */
class FakeStream implements WatchedStream {
  bid = Number.NaN;
  ask = Number.NaN;
  currentState: StreamState = StreamState.Live;
  readonly health = { updates: 0, resets: 0 };
  readonly book = { bestBid: () => this.bid, bestAsk: () => this.ask };
  constructor(readonly instrument: { venue: string; symbol: string; tickSize: string }) {}

  quote(bid: number, ask: number): void {
    this.bid = bid;
    this.ask = ask;
    this.health.updates++;
  }
}

function rig(streams: FakeStream[], o: MdAnomalyOptions = {}) {
  let now = 1_000_000;
  const alerts: MdAnomaly[] = [];
  const m = new MdAnomalyMonitor(() => streams, (a) => alerts.push(a), { nowMs: () => now, ...o });
  return {
    alerts,
    m,
    /** Advances the clock by `ms` in 250 ms checks, running `each` before every check. */
    run(ms: number, each: () => void = () => {}) {
      for (let t = 0; t < ms; t += 250) {
        now += 250;
        each();
        m.tick();
      }
    },
    jump(ms: number) {
      now += ms;
    },
  };
}

describe('MdAnomalyMonitor over the relay streams', () => {
  it('compares venues in quote units: the same price in different ticks is no divergence; the same ticks at different tick sizes is', () => {
    // 50,000.00 at a 0.01 tick and 50,000.0 at a 0.1 tick.
    const cents = new FakeStream({ venue: 'a', symbol: 'BTC-USD', tickSize: '0.01' });
    const dimes = new FakeStream({ venue: 'b', symbol: 'BTC-USD', tickSize: '0.1' });
    cents.quote(4_999_999, 5_000_001);
    dimes.quote(499_999, 500_001);
    const same = rig([cents, dimes]);
    same.run(5000);
    expect(same.alerts).toEqual([]);

    // Now b quotes the same tick numbers as a: 500,000.0 against 50,000.00.
    const wrong = new FakeStream({ venue: 'b', symbol: 'BTC-USD', tickSize: '0.1' });
    const r = rig([cents, wrong]);
    r.run(500);
    wrong.quote(4_999_999, 5_000_001);
    r.run(5000);
    expect(r.alerts.map((a) => [a.code, a.venue])).toEqual([[ErrorCode.MD_ANOMALY_DIVERGENCE, 'b']]);
    expect(r.alerts[0]!.evidence).toMatchObject({ mid: 500_000, reference: 50_000 });
  });

  it('a stream that stops updating is frozen once its silence outlasts its cadence; its neighbour that keeps ticking is not', () => {
    const busy = new FakeStream({ venue: 'a', symbol: 'ETH-USD', tickSize: '0.01' });
    const stuck = new FakeStream({ venue: 'b', symbol: 'ETH-USD', tickSize: '0.01' });
    const r = rig([busy, stuck]);
    let p = 300_000;
    r.run(10_000, () => {
      busy.quote(++p, p + 2);
      stuck.quote(p, p + 2);
    });
    r.run(4_500, () => busy.quote(++p, p + 2));
    expect(r.alerts).toEqual([]);
    r.run(1_000, () => busy.quote(++p, p + 2));
    expect(r.alerts.map((a) => [a.code, a.venue, a.symbol])).toEqual([[ErrorCode.MD_ANOMALY_FROZEN_FEED, 'b', 'ETH-USD']]);
    // Suspect while silent (for ETH-USD at b only), trusted again at its next update.
    expect(r.m.suspectOf('b', 'ETH-USD')).toMatchObject({ code: ErrorCode.MD_ANOMALY_FROZEN_FEED, venue: 'b', symbol: 'ETH-USD', sinceUs: r.alerts[0]!.timeUs });
    expect(r.m.suspectOf('a', 'ETH-USD')).toBeUndefined();
    expect(r.m.suspectOf('b', 'BTC-USD')).toBeUndefined();
    r.run(2_000, () => busy.quote(++p, p + 2));
    expect(r.m.suspectList().map((s) => s.venue)).toEqual(['b']);
    stuck.quote(p, p + 2);
    r.run(250);
    expect(r.m.suspectOf('b', 'ETH-USD')).toBeUndefined();
    expect(r.m.suspectList()).toEqual([]);
  });

  it("a divergence makes the venue it blames suspect until every venue is back within half the threshold; the other venue is never suspect", () => {
    const a = new FakeStream({ venue: 'a', symbol: 'BTC-USD', tickSize: '0.01' });
    const b = new FakeStream({ venue: 'b', symbol: 'BTC-USD', tickSize: '0.01' });
    const r = rig([a, b]);
    a.quote(4_999_999, 5_000_001);
    b.quote(4_999_999, 5_000_001);
    r.run(1_000);
    b.quote(5_099_999, 5_100_001); // +200 bps
    r.run(2_500);
    expect(r.alerts.map((x) => [x.code, x.venue])).toEqual([[ErrorCode.MD_ANOMALY_DIVERGENCE, 'b']]);
    expect(r.m.suspectOf('b', 'BTC-USD')?.code).toBe(ErrorCode.MD_ANOMALY_DIVERGENCE);
    expect(r.m.suspectOf('a', 'BTC-USD')).toBeUndefined();
    // 75 bps off: under the threshold, not yet within half of it: still the same episode.
    b.quote(5_037_499, 5_037_501);
    r.run(500);
    expect(r.m.suspectOf('b', 'BTC-USD')).toBeDefined();
    b.quote(5_009_999, 5_010_001); // 20 bps
    r.run(250);
    expect(r.m.suspectOf('b', 'BTC-USD')).toBeUndefined();
  });

  it('a stall of the relay itself (one late check) freezes nobody; a crossed book is caught by the same checks', () => {
    const s = new FakeStream({ venue: 'a', symbol: 'ETH-USD', tickSize: '0.01' });
    const r = rig([s]);
    let p = 300_000;
    r.run(10_000, () => s.quote(++p, p + 2));
    // 8 s without a check (GC, a loaded machine): the venue's updates were waiting on us too.
    r.jump(8_000);
    r.run(500);
    r.run(500, () => s.quote(++p, p + 2));
    expect(r.alerts).toEqual([]);
    s.quote(p + 5, p);
    r.run(1_500, () => s.health.updates++);
    expect(r.alerts.map((a) => a.code)).toEqual([ErrorCode.MD_ANOMALY_CROSSED_BOOK]);
    expect(r.m.suspectOf('a', 'ETH-USD')?.code).toBe(ErrorCode.MD_ANOMALY_CROSSED_BOOK);
    s.quote(p, p + 2);
    r.run(250);
    expect(r.m.suspectOf('a', 'ETH-USD')).toBeUndefined();
  });

  it('judges each batch for spikes, converting trade ticks to prices; not while the stream is halted', () => {
    const s = new FakeStream({ venue: 'a', symbol: 'BTC-USD', tickSize: '0.01' });
    const r = rig([s]);
    s.quote(4_999_999, 5_000_001);
    r.m.batch(s, []);
    s.currentState = StreamState.Halted;
    r.m.batch(s, [{ price: 4_000_000 }]);
    expect(r.alerts).toEqual([]);
    s.currentState = StreamState.Live;
    r.m.batch(s, [{ price: 4_000_000 }]);
    expect(r.alerts.map((a) => [a.code, a.evidence.what, a.evidence.price])).toEqual([[ErrorCode.MD_ANOMALY_PRICE_SPIKE, 'trade', 40_000]]);
  });
});

describe('MdAnomalyMonitor.onUntrusted: a symbol whose every venue is suspect', () => {
  it('is reported with each venue’s anomaly once the last trusted venue turns suspect, stays so while the relay halts it, and is cleared when one venue is whole again', () => {
    const a = new FakeStream({ venue: 'a', symbol: 'BTC-USD', tickSize: '0.01' });
    const b = new FakeStream({ venue: 'b', symbol: 'BTC-USD', tickSize: '0.01' });
    const eth = new FakeStream({ venue: 'a', symbol: 'ETH-USD', tickSize: '0.01' });
    const r = rig([a, b, eth]);
    const told: Array<[string, string[] | undefined]> = [];
    r.m.onUntrusted((symbol, suspects) => told.push([symbol, suspects?.map((s) => `${s.venue} ${s.code}`)]));
    const tickAll = () => {
      eth.quote(300_000, 300_002);
    };
    a.quote(5_000_000, 5_000_002);
    b.quote(5_000_000, 5_000_002);
    r.run(1000, tickAll);

    // One venue crossed: the other still gives a price; nothing to report.
    a.quote(5_000_010, 5_000_002);
    r.run(2000, tickAll);
    expect(r.m.suspectOf('a', 'BTC-USD')?.code).toBe(ErrorCode.MD_ANOMALY_CROSSED_BOOK);
    expect(told).toEqual([]);

    // Both crossed: no trustworthy BTC-USD price anywhere.
    b.quote(5_000_010, 5_000_002);
    r.run(2000, tickAll);
    expect(told).toEqual([['BTC-USD', [`a ${ErrorCode.MD_ANOMALY_CROSSED_BOOK}`, `b ${ErrorCode.MD_ANOMALY_CROSSED_BOOK}`]]]);
    expect(r.m.untrustedSymbols()).toEqual(['BTC-USD']);

    // The relay halts BTC-USD in answer: its streams say Halted, the venues still publish. The episodes stay open.
    a.currentState = StreamState.Halted;
    b.currentState = StreamState.Halted;
    r.run(3000, tickAll);
    expect(told).toHaveLength(1);

    // One venue whole again (still Halted: the relay resumes only when told).
    b.quote(5_000_000, 5_000_002);
    r.run(500, tickAll);
    expect(told).toEqual([
      ['BTC-USD', [`a ${ErrorCode.MD_ANOMALY_CROSSED_BOOK}`, `b ${ErrorCode.MD_ANOMALY_CROSSED_BOOK}`]],
      ['BTC-USD', undefined],
    ]);
    expect(r.m.untrustedSymbols()).toEqual([]);
    // Halted and no longer untrusted: judged as before (not live), so a's crossed halted book is no episode now.
    r.run(500, tickAll);
    expect(r.m.suspectOf('a', 'BTC-USD')).toBeUndefined();
  });
});
