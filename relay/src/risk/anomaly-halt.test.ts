import { type AccountExposure, type OrderIntent } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { TEST_INSTRUMENT, TEST_LIMITS, testIntent } from '../../../shared/src/risk/risk-fixtures';
import { FakeClock } from './fake-clock';
import { RiskEngine } from './risk-engine';
import type { RiskEvents } from './risk-events';

// A symbol with no trustworthy price left (every venue quoting it has an open market-data
// anomaly) trips its circuit breaker: the same halt/alert events as a move, orders refused
// RISK_TRADING_HALTED naming the anomalies, and it ends when a venue is trusted again.

const SYM = TEST_INSTRUMENT.symbol;
const FLAT: AccountExposure = { position: 0, openBuyQty: 0, openSellQty: 0, openOrders: 0, openBuyNotional: 0, ownBestBid: Number.NaN, ownBestAsk: Number.NaN };
const BOTH = [
  { venue: 'sim-a', code: 'MD_ANOMALY_CROSSED_BOOK' },
  { venue: 'sim-b', code: 'MD_ANOMALY_FROZEN_FEED' },
];

function harness() {
  const clock = new FakeClock(1_000_000);
  const engine = new RiskEngine(
    { limits: TEST_LIMITS, breakerPct: 5, breakerWindowMs: 60_000, breakerCooloffMs: 30_000 },
    { instrument: (s) => (s === SYM ? TEST_INSTRUMENT : undefined), referencePrice: () => 10_000, exposure: () => FLAT, nowMs: clock.nowMs, setTimer: clock.setTimer },
  );
  const events: { [K in keyof RiskEvents]: RiskEvents[K][] } = { halt: [], resume: [], kill: [], state: [], deny: [], alert: [] };
  for (const name of Object.keys(events) as (keyof RiskEvents)[]) engine.on(name, (e) => (events[name] as unknown[]).push(e));
  const check = (over: Partial<OrderIntent> = {}) => {
    const r = engine.checkNew(testIntent(over));
    return r.ok ? { code: null, message: '' } : r.reason;
  };
  return { clock, engine, events, check };
}

describe('an anomaly halts the symbol through its circuit breaker', () => {
  it('every venue suspect: halt (md-anomaly) and RISK_ALERT_CIRCUIT_BREAKER; orders RISK_TRADING_HALTED naming each anomaly; one venue trusted: resume, orders pass', () => {
    const { engine, events, check } = harness();
    expect(check().code).toBeNull();
    engine.setUntrusted(SYM, BOTH);
    expect(events.halt).toEqual([{ symbol: SYM, reason: 'md-anomaly', price: 0, fromPrice: 0, sinceMs: 1_000_000, untilMs: Number.POSITIVE_INFINITY, anomaly: BOTH }]);
    expect(events.alert.map((a) => a.code)).toEqual(['RISK_ALERT_CIRCUIT_BREAKER']);
    expect(events.alert[0]!.message).toContain('sim-a MD_ANOMALY_CROSSED_BOOK, sim-b MD_ANOMALY_FROZEN_FEED');
    const refused = check();
    expect(refused.code).toBe('RISK_TRADING_HALTED');
    expect(refused.message).toContain('MD_ANOMALY_CROSSED_BOOK');
    expect(refused.message).toContain('MD_ANOMALY_FROZEN_FEED');
    expect(engine.isHalted(SYM)).toBe(true);
    expect(engine.state().halts.map((h) => h.anomaly)).toEqual([BOTH]);

    // The anomalies change while it lasts: still halted, no second trip, the refusal names what is open now.
    engine.setUntrusted(SYM, [BOTH[0]!, { venue: 'sim-b', code: 'MD_ANOMALY_DIVERGENCE' }]);
    expect(events.halt).toHaveLength(1);
    expect(check().message).toContain('sim-b MD_ANOMALY_DIVERGENCE');

    engine.setUntrusted(SYM, undefined);
    expect(events.resume).toEqual([{ symbol: SYM, reason: 'market-trusted', actor: '', timeMs: 1_000_000 }]);
    expect(check().code).toBeNull();
    expect(engine.isHalted(SYM)).toBe(false);
  });

  it('has no cool-off: it lasts while the symbol stays untrusted, however long, and never resumes by time', () => {
    const { clock, engine, events, check } = harness();
    engine.setUntrusted(SYM, BOTH);
    clock.advance(10 * 60_000);
    expect(check().code).toBe('RISK_TRADING_HALTED');
    expect(events.resume).toEqual([]);
    engine.setUntrusted(SYM, undefined);
    expect(check().code).toBeNull();
  });

  it('a price halt already running keeps its cool-off; the symbol still untrusted at its end, the anomaly halt follows without a resume between', () => {
    const { clock, engine, events, check } = harness();
    engine.onTrade(SYM, 10_000, 1);
    engine.onTrade(SYM, 10_600, 2);
    expect(events.halt.map((h) => h.reason)).toEqual(['circuit-breaker']);
    engine.setUntrusted(SYM, BOTH);
    expect(events.halt).toHaveLength(1);
    expect(check().code).toBe('RISK_CIRCUIT_BREAKER');
    clock.advance(30_000);
    expect(events.halt.map((h) => h.reason)).toEqual(['circuit-breaker', 'md-anomaly']);
    expect(events.resume).toEqual([]);
    expect(check().code).toBe('RISK_TRADING_HALTED');
    engine.setUntrusted(SYM, undefined);
    expect(events.resume.map((r) => r.reason)).toEqual(['market-trusted']);
    expect(check().code).toBeNull();
  });

  it('trusted again before a price halt ends: the price halt ends on its cool-off as before', () => {
    const { clock, engine, events, check } = harness();
    engine.onTrade(SYM, 10_000, 1);
    engine.onTrade(SYM, 10_600, 2);
    engine.setUntrusted(SYM, BOTH);
    engine.setUntrusted(SYM, undefined);
    expect(events.resume).toEqual([]);
    expect(check().code).toBe('RISK_CIRCUIT_BREAKER');
    clock.advance(30_000);
    expect(events.resume.map((r) => r.reason)).toEqual(['cooloff-elapsed']);
    expect(events.halt).toHaveLength(1);
    expect(check().code).toBeNull();
  });

  it('an operator may clear it like any breaker halt', () => {
    const { engine, events, check } = harness();
    engine.setUntrusted(SYM, BOTH);
    expect(engine.clearHalt(SYM, 'ops')).toBe(true);
    expect(events.resume.map((r) => [r.reason, r.actor])).toEqual([['manual', 'ops']]);
    expect(check().code).toBeNull();
  });
});
