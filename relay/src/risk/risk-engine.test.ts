import { OrderStatus, OrderType, Side, type AccountExposure, type Order, type OrderIntent, type RiskCode } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { TEST_INSTRUMENT, TEST_LIMITS, testIntent } from '../../../shared/src/risk/risk-fixtures';
import { FakeClock } from './fake-clock';
import type { RiskDeps } from './risk-deps';
import { RiskEngine } from './risk-engine';
import type { RiskEvents } from './risk-events';
import type { RiskOptions } from './risk-options';

const SYM = TEST_INSTRUMENT.symbol;
const FLAT: AccountExposure = {
  position: 0,
  openBuyQty: 0,
  openSellQty: 0,
  openOrders: 0,
  openBuyNotional: 0,
  ownBestBid: Number.NaN,
  ownBestAsk: Number.NaN,
};

/** An engine on a fake clock with settable exposure and reference, recording every event. */
function harness(options: RiskOptions = {}) {
  const clock = new FakeClock(1_000_000);
  const exposures = new Map<string, Partial<AccountExposure>>();
  const refs = new Map<string, number>();
  const deps: RiskDeps = {
    instrument: (s) => (s === SYM ? TEST_INSTRUMENT : s === 'OTH-USD' ? { ...TEST_INSTRUMENT, symbol: 'OTH-USD' } : undefined),
    referencePrice: (s) => refs.get(s) ?? 10_000,
    exposure: (a, s) => ({ ...FLAT, ...exposures.get(`${a}/${s}`) }),
    nowMs: clock.nowMs,
    setTimer: clock.setTimer,
  };
  const engine = new RiskEngine({ limits: TEST_LIMITS, ...options }, deps);
  const events: { [K in keyof RiskEvents]: RiskEvents[K][] } = { halt: [], resume: [], kill: [], state: [], deny: [], alert: [] };
  for (const name of Object.keys(events) as (keyof RiskEvents)[]) {
    engine.on(name, (e) => (events[name] as unknown[]).push(e));
  }
  const code = (intent: Partial<OrderIntent> = {}): RiskCode | null => {
    const r = engine.checkNew(testIntent(intent));
    return r.ok ? null : r.reason.code;
  };
  const setExposure = (account: string, e: Partial<AccountExposure>, symbol = SYM) => exposures.set(`${account}/${symbol}`, e);
  return { clock, engine, events, code, setExposure, refs };
}

function order(over: Partial<Order> = {}): Order {
  return {
    ...testIntent(),
    orderId: 'o1',
    parentOrderId: '',
    status: OrderStatus.Accepted,
    filledQty: 0,
    cumNotional: 0,
    fees: 0,
    reasonCode: '',
    reason: '',
    createdUs: 0,
    updatedUs: 0,
    ...over,
  };
}

describe('RiskEngine.checkNew: one case per code', () => {
  type Setup = (h: ReturnType<typeof harness>) => void;
  const cases: Array<[name: string, options: RiskOptions, setup: Setup, intent: Partial<OrderIntent>, expected: RiskCode | null]> = [
    ['a plain order passes', {}, () => {}, {}, null],
    ['RISK_THROTTLED', { ordersPerSecond: 1, orderBurst: 1 }, (h) => h.code(), {}, 'RISK_THROTTLED'],
    ['RISK_DUPLICATE_ORDER', { duplicateWindowMs: 500 }, (h) => h.code(), {}, 'RISK_DUPLICATE_ORDER'],
    ['RISK_KILL_SWITCH', {}, (h) => h.engine.kill('acct-1', 'ops'), {}, 'RISK_KILL_SWITCH'],
    ['RISK_UNKNOWN_INSTRUMENT', {}, () => {}, { symbol: 'NOPE' }, 'RISK_UNKNOWN_INSTRUMENT'],
    ['RISK_TRADING_HALTED', {}, (h) => h.engine.setTradingState({ symbol: SYM }, 'halted', 'ops'), {}, 'RISK_TRADING_HALTED'],
    ['RISK_CIRCUIT_BREAKER', {}, (h) => (h.engine.onTrade(SYM, 10_000, 0), h.engine.onTrade(SYM, 10_501, 1)), {}, 'RISK_CIRCUIT_BREAKER'],
    ['RISK_REDUCE_ONLY', {}, (h) => h.engine.setTradingState({ account: 'acct-1' }, 'reducing', 'ops'), {}, 'RISK_REDUCE_ONLY'],
    ['RISK_INVALID_PRICE', {}, () => {}, { price: 0 }, 'RISK_INVALID_PRICE'],
    ['RISK_INVALID_QTY', {}, () => {}, { qty: 4 }, 'RISK_INVALID_QTY'],
    ['RISK_MAX_ORDER_QTY', { accounts: { 'acct-1': { maxOrderQty: 99 } } }, () => {}, {}, 'RISK_MAX_ORDER_QTY'],
    ['RISK_NO_REFERENCE_PRICE', {}, (h) => h.refs.set(SYM, Number.NaN), { orderType: OrderType.Market, price: 0 }, 'RISK_NO_REFERENCE_PRICE'],
    ['RISK_PRICE_COLLAR', {}, () => {}, { price: 10_501 }, 'RISK_PRICE_COLLAR'],
    ['RISK_MAX_NOTIONAL', {}, () => {}, { qty: 501 }, 'RISK_MAX_NOTIONAL'],
    ['RISK_POSITION_LIMIT', {}, (h) => h.setExposure('acct-1', { position: 1_950 }), {}, 'RISK_POSITION_LIMIT'],
    ['RISK_CREDIT_LIMIT', {}, (h) => h.setExposure('acct-1', { openBuyNotional: 99_000_000_000 }), {}, 'RISK_CREDIT_LIMIT'],
    ['RISK_MAX_OPEN_ORDERS', {}, (h) => h.setExposure('acct-1', { openOrders: 10 }), {}, 'RISK_MAX_OPEN_ORDERS'],
    ['RISK_SELF_TRADE', {}, (h) => h.setExposure('acct-1', { ownBestAsk: 10_000 }), {}, 'RISK_SELF_TRADE'],
  ];
  it.each(cases)('%s', (_name, options, setup, intent, expected) => {
    const h = harness(options);
    setup(h);
    expect(h.code(intent)).toBe(expected);
    if (expected !== null) expect(h.events.deny.at(-1)).toMatchObject({ kind: 'new', account: 'acct-1', code: expected });
  });
});

describe('RiskEngine stage order', () => {
  it.each([
    ['throttle before duplicate, kill, breaker', 'RISK_THROTTLED'],
  ])('%s', (_name, expected) => {
    const h = harness({ ordersPerSecond: 1, orderBurst: 1, duplicateWindowMs: 1_000 });
    expect(h.code()).toBe(null);
    h.engine.kill('*', 'ops');
    h.engine.onTrade(SYM, 10_000, 0);
    h.engine.onTrade(SYM, 20_000, 1);
    expect(h.code()).toBe(expected);
  });

  it('walks the stages in the documented order as each cause is removed', () => {
    const h = harness({ duplicateWindowMs: 1_000 });
    expect(h.code({ clientOrderId: 'a' })).toBe(null);
    h.engine.kill('acct-1', 'ops');
    h.engine.setTradingState({}, 'halted', 'ops');
    h.engine.onTrade(SYM, 10_000, 0);
    h.engine.onTrade(SYM, 20_000, 1);
    const same = { clientOrderId: 'b', price: 10_000, qty: 100 };
    expect(h.code(same)).toBe('RISK_DUPLICATE_ORDER');
    h.clock.advance(1_000);
    expect(h.code(same)).toBe('RISK_KILL_SWITCH');
    h.engine.unkill('acct-1', 'ops');
    expect(h.code({ ...same, symbol: 'NOPE' })).toBe('RISK_UNKNOWN_INSTRUMENT');
    expect(h.code(same)).toBe('RISK_TRADING_HALTED');
    h.engine.setTradingState({}, 'active', 'ops');
    expect(h.code(same)).toBe('RISK_CIRCUIT_BREAKER');
    h.engine.clearHalt(SYM, 'ops');
    expect(h.code({ ...same, price: 0 })).toBe('RISK_INVALID_PRICE');
    expect(h.code(same)).toBe(null);
  });
});

describe('throttle', () => {
  it('refills at the configured rate on the fake clock', () => {
    const h = harness({ ordersPerSecond: 10, orderBurst: 5 });
    const burst = Array.from({ length: 7 }, (_, i) => h.code({ clientOrderId: `c${i}` }));
    expect(burst).toEqual([null, null, null, null, null, 'RISK_THROTTLED', 'RISK_THROTTLED']);
    h.clock.advance(99); // 0.99 of a token
    expect(h.code()).toBe('RISK_THROTTLED');
    h.clock.advance(1); // one token after 100 ms at 10/s
    expect(h.code()).toBe(null);
    expect(h.code()).toBe('RISK_THROTTLED');
    h.clock.advance(10_000); // never beyond the burst
    expect(Array.from({ length: 6 }, () => h.code()).filter((c) => c === null)).toHaveLength(5);
  });

  it('is per account', () => {
    const h = harness({ ordersPerSecond: 1, orderBurst: 1 });
    expect(h.code({ account: 'a' })).toBe(null);
    expect(h.code({ account: 'a' })).toBe('RISK_THROTTLED');
    expect(h.code({ account: 'b' })).toBe(null);
  });

  it('replaces have their own bucket (RISK_MODIFY_THROTTLED)', () => {
    const h = harness({ ordersPerSecond: 1, orderBurst: 1, modifiesPerSecond: 2, modifyBurst: 2 });
    expect(h.code()).toBe(null);
    expect(h.code()).toBe('RISK_THROTTLED');
    const codes = Array.from({ length: 3 }, () => {
      const r = h.engine.checkReplace(order(), 10_000, 100);
      return r.ok ? null : r.reason.code;
    });
    expect(codes).toEqual([null, null, 'RISK_MODIFY_THROTTLED']);
    h.clock.advance(500);
    expect(h.engine.checkReplace(order(), 10_000, 100).ok).toBe(true);
  });
});

describe('duplicate detection', () => {
  it('is off by default', () => {
    const h = harness();
    expect([h.code(), h.code(), h.code()]).toEqual([null, null, null]);
  });

  it('refuses the same order within the window, accepts it after', () => {
    const h = harness({ duplicateWindowMs: 500 });
    expect(h.code({ clientOrderId: 'a' })).toBe(null);
    h.clock.advance(499);
    expect(h.code({ clientOrderId: 'b' })).toBe('RISK_DUPLICATE_ORDER');
    h.clock.advance(1);
    expect(h.code({ clientOrderId: 'c' })).toBe(null);
  });

  it.each([
    ['side', { side: Side.Sell }],
    ['price', { price: 10_001 }],
    ['qty', { qty: 101 }],
    ['symbol', { symbol: 'OTH-USD' }],
    ['account', { account: 'acct-2' }],
    ['order type', { orderType: OrderType.Market, price: 0 }],
  ])('a different %s is not a duplicate', (_what, diff) => {
    const h = harness({ duplicateWindowMs: 500 });
    expect(h.code()).toBe(null);
    expect(h.code(diff)).toBe(null);
  });

  it('only accepted orders count: a retry after a denial shows the real reason', () => {
    const h = harness({ duplicateWindowMs: 500 });
    h.setExposure('acct-1', { openOrders: 10 });
    expect(h.code()).toBe('RISK_MAX_OPEN_ORDERS');
    expect(h.code()).toBe('RISK_MAX_OPEN_ORDERS');
  });
});

describe('kill switch', () => {
  it('kill refuses new orders and replaces, emits kill + alert; unkill restores', () => {
    const h = harness();
    expect(h.engine.kill('acct-1', 'alice')).toBe(true);
    expect(h.engine.kill('acct-1', 'alice')).toBe(false); // already thrown: no second event
    expect(h.events.kill).toEqual([{ scope: 'acct-1', active: true, actor: 'alice', timeMs: 1_000_000 }]);
    expect(h.events.alert.map((a) => [a.code, a.severity, a.account, a.actor])).toEqual([['RISK_ALERT_KILL_SWITCH', 'critical', 'acct-1', 'alice']]);
    expect(h.code()).toBe('RISK_KILL_SWITCH');
    expect(h.code({ account: 'acct-2' })).toBe(null);
    const r = h.engine.checkReplace(order(), 10_000, 100);
    expect(r.ok ? null : r.reason.code).toBe('RISK_KILL_SWITCH');
    expect(h.engine.isKilled('acct-1')).toBe(true);

    expect(h.engine.unkill('acct-1', 'bob')).toBe(true);
    expect(h.engine.unkill('acct-1', 'bob')).toBe(false);
    expect(h.events.kill.at(-1)).toEqual({ scope: 'acct-1', active: false, actor: 'bob', timeMs: 1_000_000 });
    expect(h.events.alert.at(-1)).toMatchObject({ code: 'RISK_ALERT_KILL_SWITCH', severity: 'warning' });
    expect(h.code()).toBe(null);
  });

  it("'*' kills every account; releasing it leaves account switches thrown", () => {
    const h = harness();
    h.engine.kill('acct-1', 'ops');
    h.engine.kill('*', 'ops');
    expect(h.code({ account: 'acct-2' })).toBe('RISK_KILL_SWITCH');
    expect(h.events.kill.at(-1)).toMatchObject({ scope: '*', active: true });
    expect(h.events.alert.at(-1)).not.toHaveProperty('account');
    h.engine.unkill('*', 'ops');
    expect(h.code({ account: 'acct-2' })).toBe(null);
    expect(h.code({ account: 'acct-1' })).toBe('RISK_KILL_SWITCH');
    expect(h.engine.state().killSwitch).toEqual({ global: null, accounts: [{ account: 'acct-1', actor: 'ops', sinceMs: 1_000_000 }] });
  });
});

describe('trading states', () => {
  it('reducing allows reducing orders only', () => {
    const h = harness();
    h.engine.setTradingState({ account: 'acct-1' }, 'reducing', 'ops');
    h.setExposure('acct-1', { position: 100, openSellQty: 30 });
    expect(h.code({ side: Side.Sell, qty: 70 })).toBe(null);
    expect(h.code({ side: Side.Sell, qty: 71 })).toBe('RISK_REDUCE_ONLY');
    expect(h.code({ side: Side.Buy, qty: 5 })).toBe('RISK_REDUCE_ONLY');
    expect(h.code({ side: Side.Sell, qty: 70, orderType: OrderType.Market, price: 0 })).toBe(null);
  });

  // [account state, symbol state, expected effective, expected code of a buy from flat]
  it.each([
    ['active', 'active', 'active', null],
    ['reducing', 'active', 'reducing', 'RISK_REDUCE_ONLY'],
    ['active', 'reducing', 'reducing', 'RISK_REDUCE_ONLY'],
    ['halted', 'reducing', 'halted', 'RISK_TRADING_HALTED'],
    ['reducing', 'halted', 'halted', 'RISK_TRADING_HALTED'],
    ['active', 'halted', 'halted', 'RISK_TRADING_HALTED'],
    ['halted', 'active', 'halted', 'RISK_TRADING_HALTED'],
  ] as const)('account %s + instrument %s -> %s (the stricter wins)', (account, symbol, effective, expected) => {
    const h = harness();
    h.engine.setTradingState({ account: 'acct-1' }, account, 'ops');
    h.engine.setTradingState({ symbol: SYM }, symbol, 'ops');
    expect(h.engine.tradingState('acct-1', SYM)).toBe(effective);
    expect(h.code()).toBe(expected);
  });

  it('scopes: global, account, symbol, account in symbol', () => {
    const h = harness();
    h.engine.setTradingState({ account: 'acct-1', symbol: SYM }, 'halted', 'ops');
    expect(h.code()).toBe('RISK_TRADING_HALTED');
    expect(h.code({ symbol: 'OTH-USD' })).toBe(null);
    expect(h.code({ account: 'acct-2' })).toBe(null);
    h.engine.setTradingState({}, 'reducing', 'ops');
    expect(h.code({ account: 'acct-2' })).toBe('RISK_REDUCE_ONLY');
    h.engine.setTradingState({}, 'active', 'ops');
    h.engine.setTradingState({ account: 'acct-1', symbol: SYM }, 'active', 'ops');
    expect(h.code()).toBe(null);
    expect(h.engine.state().tradingStates).toEqual([]);
  });

  it("emits 'state' on change only, with the previous state", () => {
    const h = harness();
    h.engine.setTradingState({ symbol: SYM }, 'reducing', 'alice');
    h.engine.setTradingState({ symbol: SYM }, 'reducing', 'alice');
    h.engine.setTradingState({ symbol: SYM }, 'active', 'bob');
    expect(h.events.state).toEqual([
      { symbol: SYM, state: 'reducing', previous: 'active', actor: 'alice', timeMs: 1_000_000 },
      { symbol: SYM, state: 'active', previous: 'reducing', actor: 'bob', timeMs: 1_000_000 },
    ]);
  });

  it('rejects an unknown state (admin input is validated)', () => {
    const h = harness();
    expect(() => h.engine.setTradingState({}, 'paused' as never, 'ops')).toThrow(TypeError);
  });
});

describe('circuit breaker', () => {
  it('trips past 5% within the window, halts, and resumes by itself after the cool-off', () => {
    const h = harness(); // defaults: 5%, 60 s window, 30 s cool-off
    h.engine.onTrade(SYM, 10_000, 0);
    h.engine.onTrade(SYM, 10_500, 1_000_000); // exactly 5%: no trip
    expect(h.events.halt).toEqual([]);
    h.engine.onTrade(SYM, 10_501, 2_000_000);
    expect(h.events.halt).toEqual([{ symbol: SYM, reason: 'circuit-breaker', price: 10_501, fromPrice: 10_000, sinceMs: 1_000_000, untilMs: 1_030_000 }]);
    expect(h.events.alert.map((a) => [a.code, a.symbol])).toEqual([['RISK_ALERT_CIRCUIT_BREAKER', SYM]]);
    expect(h.code()).toBe('RISK_CIRCUIT_BREAKER');
    expect(h.code({ symbol: 'OTH-USD' })).toBe(null); // other symbols trade on
    expect(h.engine.state().halts).toHaveLength(1);

    h.clock.advance(29_999);
    expect(h.events.resume).toEqual([]);
    expect(h.code()).toBe('RISK_CIRCUIT_BREAKER');
    h.clock.advance(1); // the timer fires: resume without any order or trade arriving
    expect(h.events.resume).toEqual([{ symbol: SYM, reason: 'cooloff-elapsed', actor: '', timeMs: 1_030_000 }]);
    expect(h.engine.isHalted(SYM)).toBe(false);
    expect(h.code()).toBe(null);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('trips on a fall from the window high', () => {
    const h = harness();
    h.engine.onTrade(SYM, 10_000, 0);
    h.engine.onTrade(SYM, 10_400, 1);
    h.engine.onTrade(SYM, 9_880, 2); // exactly 5% under 10,400
    expect(h.events.halt).toEqual([]);
    h.engine.onTrade(SYM, 9_879, 3);
    expect(h.events.halt[0]).toMatchObject({ price: 9_879, fromPrice: 10_400 });
  });

  it('forgets prices older than the window (trade time)', () => {
    const h = harness();
    h.engine.onTrade(SYM, 10_000, 0);
    h.engine.onTrade(SYM, 10_400, 30_000_000);
    h.engine.onTrade(SYM, 10_900, 60_000_001); // 10,000 left the window; +4.8% over 10,400
    expect(h.events.halt).toEqual([]);
    h.engine.onTrade(SYM, 10_000, 60_000_002); // -8.3% from 10,900
    expect(h.events.halt).toHaveLength(1);
  });

  it('resumes lazily on the next check when no timer runs, emitting resume once', () => {
    const clock = new FakeClock(0);
    const engine = new RiskEngine({ breakerCooloffMs: 1_000 }, {
      instrument: () => TEST_INSTRUMENT,
      referencePrice: () => 10_000,
      exposure: () => FLAT,
      nowMs: clock.nowMs,
      setTimer: () => () => {}, // a scheduler that never fires
    });
    const resumes: unknown[] = [];
    engine.on('resume', (e) => resumes.push(e));
    engine.onTrade(SYM, 10_000, 0);
    engine.onTrade(SYM, 20_000, 1);
    expect(engine.checkNew(testIntent()).ok).toBe(false);
    clock.now = 1_000;
    expect(engine.checkNew(testIntent()).ok).toBe(true);
    expect(engine.isHalted(SYM)).toBe(false);
    expect(resumes).toHaveLength(1);
  });

  it('after the cool-off the new level is the reference; a still-moving market trips again', () => {
    const h = harness({ breakerCooloffMs: 1_000 });
    h.engine.onTrade(SYM, 10_000, 0);
    h.engine.onTrade(SYM, 11_000, 1);
    h.engine.onTrade(SYM, 11_100, 2); // during the halt: feeds the window, no second halt
    expect(h.events.halt).toHaveLength(1);
    h.clock.advance(1_000);
    h.engine.onTrade(SYM, 11_050, 3);
    expect(h.events.halt).toHaveLength(1);
    h.engine.onTrade(SYM, 12_000, 4);
    expect(h.events.halt).toHaveLength(2);
  });

  it('an operator can clear a halt early', () => {
    const h = harness();
    h.engine.onTrade(SYM, 10_000, 0);
    h.engine.onTrade(SYM, 20_000, 1);
    expect(h.engine.clearHalt(SYM, 'ops')).toBe(true);
    expect(h.engine.clearHalt(SYM, 'ops')).toBe(false);
    expect(h.events.resume).toEqual([{ symbol: SYM, reason: 'manual', actor: 'ops', timeMs: 1_000_000 }]);
    expect(h.code()).toBe(null);
    h.clock.advance(60_000); // the stale timer finds nothing to resume
    expect(h.events.resume).toHaveLength(1);
  });

  it('close() cancels pending timers', () => {
    const h = harness();
    h.engine.onTrade(SYM, 10_000, 0);
    h.engine.onTrade(SYM, 20_000, 1);
    expect(h.clock.pendingTimers).toBe(1);
    h.engine.close();
    expect(h.clock.pendingTimers).toBe(0);
  });
});

describe('compliance: repeated denials', () => {
  it('alerts once when an account collects N denials within the window, then stays quiet for a window', () => {
    const h = harness({ denialAlertThreshold: 3, denialAlertWindowMs: 10_000 });
    const deny = () => h.code({ qty: 0 });
    deny();
    h.clock.advance(5_000);
    deny();
    expect(h.events.alert).toEqual([]);
    h.clock.advance(5_000); // third denial exactly at the window's end
    deny();
    expect(h.events.alert).toEqual([
      {
        code: 'RISK_ALERT_REPEATED_DENIALS',
        severity: 'warning',
        message: expect.any(String),
        timeMs: 1_010_000,
        account: 'acct-1',
        symbol: SYM,
      },
    ]);
    deny();
    deny();
    expect(h.events.alert).toHaveLength(1); // quiet period
    h.clock.advance(10_000);
    deny();
    expect(h.events.alert).toHaveLength(2);
  });

  it('denials spread wider than the window do not alert; other accounts are separate', () => {
    const h = harness({ denialAlertThreshold: 3, denialAlertWindowMs: 10_000 });
    for (let i = 0; i < 10; i++) {
      h.code({ qty: 0 });
      h.code({ qty: 0, account: `other-${i}` });
      h.clock.advance(5_001);
    }
    expect(h.events.alert).toEqual([]);
    expect(h.events.deny).toHaveLength(20);
  });

  it('throttle denials count (a runaway algo is what this catches)', () => {
    const h = harness({ ordersPerSecond: 1, orderBurst: 1, denialAlertThreshold: 5 });
    for (let i = 0; i < 6; i++) h.code();
    expect(h.events.alert.map((a) => a.code)).toEqual(['RISK_ALERT_REPEATED_DENIALS']);
  });
});

describe('checkReplace', () => {
  const replaceCode = (h: ReturnType<typeof harness>, o: Order, price: number, qty: number) => {
    const r = h.engine.checkReplace(o, price, qty);
    return r.ok ? null : r.reason.code;
  };

  it('applies the same limits to the new values', () => {
    const h = harness();
    expect(replaceCode(h, order(), 10_500, 100)).toBe(null);
    expect(replaceCode(h, order(), 10_501, 100)).toBe('RISK_PRICE_COLLAR');
    expect(replaceCode(h, order(), 10_000, 501)).toBe('RISK_MAX_NOTIONAL');
    expect(replaceCode(h, order(), 0, 100)).toBe('RISK_INVALID_PRICE');
    expect(h.events.deny.at(-1)).toMatchObject({ kind: 'replace', orderId: 'o1', code: 'RISK_INVALID_PRICE' });
  });

  it("treats the order's own open qty, notional and slot as replaced", () => {
    const h = harness({ accounts: { 'acct-1': { creditLimit: 1e15 } } });
    // The account's only open order is this buy of 500 @ 10,000: at every limit already.
    h.setExposure('acct-1', { position: 1_500, openBuyQty: 500, openOrders: 10, openBuyNotional: 50_000_000_000 });
    const o = order({ qty: 500 });
    expect(replaceCode(h, o, 10_000, 500)).toBe(null); // same size: no new exposure
    expect(h.code({ qty: 5 })).toBe('RISK_POSITION_LIMIT'); // while a new order would not fit
    h.setExposure('acct-1', { position: 1_500, openBuyQty: 500, openOrders: 9, openBuyNotional: 50_000_000_000 });
    expect(replaceCode(h, o, 10_000, 501)).toBe('RISK_MAX_NOTIONAL');
    h.setExposure('acct-1', { position: 1_501, openBuyQty: 500, openOrders: 9, openBuyNotional: 0 });
    expect(replaceCode(h, o, 10_000, 500)).toBe('RISK_POSITION_LIMIT'); // 1,501 + 500 > 2,000
  });

  it("takes the order's own open notional out of the credit in use", () => {
    const h = harness({ accounts: { 'acct-1': { creditLimit: 50_000_000_000 } } });
    h.setExposure('acct-1', { openBuyQty: 500, openOrders: 1, openBuyNotional: 50_000_000_000 });
    const o = order({ qty: 500 });
    expect(replaceCode(h, o, 10_000, 500)).toBe(null);
    expect(replaceCode(h, o, 9_999, 500)).toBe(null);
    expect(h.code({ qty: 5 })).toBe('RISK_CREDIT_LIMIT');
    h.setExposure('acct-1', { openBuyQty: 500, openOrders: 1, openBuyNotional: 50_000_000_001 });
    expect(replaceCode(h, o, 10_000, 500)).toBe('RISK_CREDIT_LIMIT');
  });

  it('unwinds its fills from the position so filled lots are not counted twice', () => {
    const h = harness({ accounts: { 'acct-1': { creditLimit: 1e15 } } });
    // Buy 500 filled 300: position 1,800 includes the 300; 200 still open.
    h.setExposure('acct-1', { position: 1_800, openBuyQty: 200, openOrders: 1, openBuyNotional: 20_000_000_000 });
    const o = order({ qty: 500, filledQty: 300 });
    expect(replaceCode(h, o, 10_000, 500)).toBe(null); // 1,800 - 300 + 500 = 2,000: at the limit
    // The account position limit is hit by any growth.
    h.setExposure('acct-1', { position: 1_801, openBuyQty: 200, openOrders: 1, openBuyNotional: 20_000_000_000 });
    expect(replaceCode(h, o, 10_000, 500)).toBe('RISK_POSITION_LIMIT');
  });

  it('newQty is the total order qty and must exceed the filled qty', () => {
    const h = harness();
    const o = order({ qty: 500, filledQty: 300 });
    expect(replaceCode(h, o, 10_000, 300)).toBe('RISK_INVALID_QTY');
    expect(replaceCode(h, o, 10_000, 301)).toBe(null);
    expect(replaceCode(h, o, 10_000, 301.5)).toBe('RISK_INVALID_QTY');
  });

  it('reduce-only sells can be resized within the position', () => {
    const h = harness();
    h.engine.setTradingState({ account: 'acct-1' }, 'reducing', 'ops');
    // Long 80 after selling 20 of a 60 sell; 40 still open.
    h.setExposure('acct-1', { position: 80, openSellQty: 40, openOrders: 1 });
    const o = order({ side: Side.Sell, qty: 60, filledQty: 20 });
    expect(replaceCode(h, o, 10_000, 100)).toBe(null); // 80 more to sell: exactly flat
    expect(replaceCode(h, o, 10_000, 101)).toBe('RISK_REDUCE_ONLY');
  });

  it('is refused while the symbol is halted or broken', () => {
    const h = harness();
    h.engine.setTradingState({ symbol: SYM }, 'halted', 'ops');
    expect(replaceCode(h, order(), 10_000, 100)).toBe('RISK_TRADING_HALTED');
    h.engine.setTradingState({ symbol: SYM }, 'active', 'ops');
    h.engine.onTrade(SYM, 10_000, 0);
    h.engine.onTrade(SYM, 20_000, 1);
    expect(replaceCode(h, order(), 10_000, 100)).toBe('RISK_CIRCUIT_BREAKER');
  });
});

describe('limits and state', () => {
  it('resolves house < house symbol < account < account symbol, and can change at run time', () => {
    const h = harness({
      limits: { ...TEST_LIMITS, symbols: { [SYM]: { maxOpenOrders: 5 } } },
      accounts: { 'acct-1': { maxOpenOrders: 4, symbols: { [SYM]: { maxOpenOrders: 3 } } } },
    });
    expect(h.engine.limits('acct-2', 'OTH-USD').maxOpenOrders).toBe(10);
    expect(h.engine.limits('acct-2', SYM).maxOpenOrders).toBe(5);
    expect(h.engine.limits('acct-1', 'OTH-USD').maxOpenOrders).toBe(4);
    expect(h.engine.limits('acct-1', SYM).maxOpenOrders).toBe(3);
    h.setExposure('acct-1', { openOrders: 3 });
    expect(h.code()).toBe('RISK_MAX_OPEN_ORDERS');
    h.engine.setAccountLimits('acct-1', undefined);
    expect(h.code()).toBe(null);
    h.engine.setHouseLimits({ ...TEST_LIMITS, maxOpenOrders: 3 });
    expect(h.code()).toBe('RISK_MAX_OPEN_ORDERS');
    expect(() => h.engine.setAccountLimits('acct-1', { maxNotional: -1 })).toThrow(RangeError);
  });

  it('state() is a JSON-serialisable snapshot', () => {
    const h = harness();
    h.engine.kill('acct-9', 'ops');
    h.engine.setTradingState({ symbol: SYM }, 'reducing', 'ops');
    const s = h.engine.state();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s.tradingStates).toEqual([{ symbol: SYM, state: 'reducing', actor: 'ops', sinceMs: 1_000_000 }]);
    expect(s.options.breakerPct).toBe(5);
  });

  it('rejects invalid options at construction', () => {
    expect(() => harness({ ordersPerSecond: 0 })).toThrow(RangeError);
    expect(() => harness({ accounts: { a: { creditLimit: 1.5 } } })).toThrow(RangeError);
  });
});
