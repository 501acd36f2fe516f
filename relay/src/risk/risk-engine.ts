import {
  priceText,
  qtyText,
  fail,
  isTradingState,
  orderIntent,
  preTradeCheck,
  withoutOrder,
  type AccountRiskLimits,
  type Instrument,
  type Order,
  type OrderIntent,
  type PreTradeContext,
  type Result,
  type RiskCode,
  type RiskLimits,
  type TradingState,
} from '@tickmesh/shared';
import { AccountThrottle } from './account-throttle';
import { CircuitBreakers, type BreakerHalt, type SuspectVenue } from './circuit-breakers';
import { DenialMonitor } from './denial-monitor';
import { DuplicateFilter } from './duplicate-filter';
import { KillSwitch } from './kill-switch';
import { LimitsRegistry } from './limits-registry';
import type { RiskDeps } from './risk-deps';
import type { RiskEvents } from './risk-events';
import { resolveRiskOptions, type ResolvedRiskOptions, type RiskOptions } from './risk-options';
import type { RiskSnapshot } from './risk-snapshot';
import { TradingStateRegistry, type TradingStateScope } from './trading-state-registry';
import { TypedEmitter } from './typed-emitter';

type Denial = { ok: false; reason: { code: RiskCode; message: string } };

/**
 * The relay's authoritative risk: the shared pre-trade rules on OMS state, plus what only the
 * relay can know (throttles across sessions, duplicates, kill switches, operator trading
 * states, market-data circuit breakers) and compliance alerts.
 *
 * `checkNew` stages, first failure decides (codes in relay/src/risk/README.md):
 * throttle (RISK_THROTTLED) → duplicate (RISK_DUPLICATE_ORDER) → kill switch (RISK_KILL_SWITCH)
 * → instrument known (RISK_UNKNOWN_INSTRUMENT) → trading state, the stricter of global,
 * account, symbol and account-in-symbol (RISK_TRADING_HALTED; 'reducing' is enforced by the
 * shared rules) → circuit breaker (RISK_CIRCUIT_BREAKER for a move; RISK_TRADING_HALTED when it
 * tripped for want of a trustworthy price, see setUntrusted) → `preTradeCheck`.
 *
 * Events (`on(name, listener)`, synchronous): 'halt' / 'resume' (circuit breakers), 'kill'
 * (the OMS cancels every open order in scope when `active`), 'state' (operator trading states),
 * 'deny' (every denial), 'alert' (compliance: repeated denials, breaker trips, kill switch use).
 *
 * Cancels are never checked: reducing risk is always allowed.
 */
export class RiskEngine extends TypedEmitter<RiskEvents> {
  private readonly options: ResolvedRiskOptions;
  private readonly orderThrottle: AccountThrottle;
  private readonly modifyThrottle: AccountThrottle;
  private readonly duplicates: DuplicateFilter;
  private readonly kills = new KillSwitch();
  private readonly states = new TradingStateRegistry();
  private readonly breakers: CircuitBreakers;
  private readonly denials: DenialMonitor;
  private readonly limitsRegistry: LimitsRegistry;
  private readonly timers = new Set<() => void>();
  /** Earliest breaker expiry: the hot paths compare one number instead of scanning halts. */
  private nextExpiryMs = Number.POSITIVE_INFINITY;
  /** Reused for every check: preTradeCheck is synchronous and keeps no reference. */
  private readonly ctx: PreTradeContext;

  /**
   * @param options see `RiskOptions` (defaults in DEFAULT_RISK_OPTIONS); throws RangeError on
   *   an invalid option or limit.
   * @param deps the relay's instruments, reference prices, OMS exposure and clock.
   */
  constructor(
    options: RiskOptions,
    private readonly deps: RiskDeps,
  ) {
    super();
    const o = resolveRiskOptions(options);
    this.options = o;
    this.orderThrottle = new AccountThrottle(o.ordersPerSecond, o.orderBurst);
    this.modifyThrottle = new AccountThrottle(o.modifiesPerSecond, o.modifyBurst);
    this.duplicates = new DuplicateFilter(o.duplicateWindowMs, o.maxDuplicateKeys);
    this.breakers = new CircuitBreakers(o.breakerPct, o.breakerWindowMs, o.breakerCooloffMs);
    this.denials = new DenialMonitor(o.denialAlertThreshold, o.denialAlertWindowMs);
    this.limitsRegistry = new LimitsRegistry(o.limits, o.accounts);
    this.ctx = {
      instrument: undefined as unknown as Instrument,
      referencePrice: Number.NaN,
      position: 0,
      openBuyQty: 0,
      openSellQty: 0,
      openOrders: 0,
      openBuyNotional: 0,
      limits: undefined as unknown as RiskLimits,
      tradingState: 'active',
      ownBestBid: Number.NaN,
      ownBestAsk: Number.NaN,
    };
  }

  /** Authoritative check of a new order. Every denial is emitted as 'deny'. */
  checkNew(intent: OrderIntent): Result<void, RiskCode> {
    const now = this.deps.nowMs();
    const { account, symbol } = intent;
    if (!this.orderThrottle.take(account, now)) {
      return this.deny('new', intent, '', 'RISK_THROTTLED', `more than ${this.options.ordersPerSecond} orders per second`, now);
    }
    let dupKey: string | undefined;
    if (this.duplicates.enabled) {
      dupKey = `${account}\u0000${symbol}\u0000${intent.side}\u0000${intent.orderType}\u0000${intent.price}\u0000${intent.qty}`;
      if (this.duplicates.isDuplicate(dupKey, now)) {
        return this.deny('new', intent, '', 'RISK_DUPLICATE_ORDER', `same order as one accepted within ${this.options.duplicateWindowMs} ms`, now);
      }
    }
    const gate = this.gate(account, symbol, now);
    if (typeof gate === 'string') return this.deny('new', intent, '', gate, this.gateMessage(gate, symbol), now);
    const r = preTradeCheck(intent, this.fillContext(account, symbol, gate.instrument, gate.state));
    if (!r.ok) return this.deny('new', intent, '', r.reason.code, r.reason.message, now);
    if (dupKey !== undefined) this.duplicates.record(dupKey, now);
    return r;
  }

  /**
   * Authoritative check of a replace of `order` to `newPrice` ticks and `newQty` lots, where
   * `newQty` is the new total order quantity including what has filled (FIX OrderQty). Stages:
   * modify throttle (RISK_MODIFY_THROTTLED) → kill switch → instrument → trading state →
   * circuit breaker → newQty must exceed filledQty (RISK_INVALID_QTY) → `preTradeCheck` of the
   * new values with the order itself taken out of the exposure: its open qty, its open buy
   * notional, its slot among open orders, and its fills unwound from the position. The replaced
   * order is thus checked exactly as a fresh order of `newQty` would be before the original
   * was sent.
   */
  checkReplace(order: Order, newPrice: number, newQty: number): Result<void, RiskCode> {
    const now = this.deps.nowMs();
    const { account, symbol } = order;
    if (!this.modifyThrottle.take(account, now)) {
      return this.deny('replace', order, order.orderId, 'RISK_MODIFY_THROTTLED', `more than ${this.options.modifiesPerSecond} replaces per second`, now);
    }
    const gate = this.gate(account, symbol, now);
    if (typeof gate === 'string') return this.deny('replace', order, order.orderId, gate, this.gateMessage(gate, symbol), now);
    if (!Number.isSafeInteger(newQty) || newQty <= order.filledQty) {
      const inst = gate.instrument;
      return this.deny('replace', order, order.orderId, 'RISK_INVALID_QTY', `new qty ${qtyText(inst, newQty)} must exceed the filled ${qtyText(inst, order.filledQty)}`, now);
    }
    const ctx = this.fillContext(account, symbol, gate.instrument, gate.state);
    withoutOrder(ctx, order, gate.instrument);
    // The intent fields copied, then the new price and qty: a spread followed by more
    // properties is a slow path in V8 11 (µs for a 22-field order).
    const replaced = orderIntent(order, account);
    replaced.price = newPrice;
    replaced.qty = newQty;
    const r = preTradeCheck(replaced, ctx);
    if (!r.ok) return this.deny('replace', order, order.orderId, r.reason.code, r.reason.message, now);
    return r;
  }

  /**
   * Sets the trading state of a scope: `{}` every account and symbol, `{ account }`,
   * `{ symbol }`, or `{ account, symbol }`. 'active' clears the scope. The stricter of all scopes
   * that apply governs an order. Emits 'state' when the scope's state changes.
   * @throws TypeError on an unknown state (validate admin input with `isTradingState`).
   */
  setTradingState(scope: TradingStateScope, state: TradingState, actor: string): void {
    if (!isTradingState(state)) throw new TypeError(`unknown trading state ${String(state)}`);
    const now = this.deps.nowMs();
    const previous = this.states.set(scope, state, actor, now);
    if (previous === state) return;
    const event: RiskEvents['state'] = { state, previous, actor, timeMs: now };
    if (scope.account !== undefined) event.account = scope.account;
    if (scope.symbol !== undefined) event.symbol = scope.symbol;
    this.emit('state', event);
  }

  /** The trading state that governs `account` in `symbol` (operator states only, not breakers). */
  tradingState(account: string, symbol: string): TradingState {
    return this.states.effective(account, symbol);
  }

  /**
   * Throws the kill switch of an account, or of every account with '*': new orders and replaces
   * are refused (RISK_KILL_SWITCH) and 'kill' is emitted with `active: true` so the OMS cancels
   * every open order in scope; also alerts RISK_ALERT_KILL_SWITCH. Returns false (and emits
   * nothing) when that switch was already thrown.
   */
  kill(scope: string, actor: string): boolean {
    const now = this.deps.nowMs();
    if (!this.kills.kill(scope, actor, now)) return false;
    this.emit('kill', { scope, active: true, actor, timeMs: now });
    this.alert({
      code: 'RISK_ALERT_KILL_SWITCH',
      severity: 'critical',
      message: `kill switch thrown for ${scope === '*' ? 'every account' : `account ${scope}`} by ${actor}`,
      timeMs: now,
      ...(scope === '*' ? {} : { account: scope }),
      actor,
    });
    return true;
  }

  /**
   * Releases a kill switch ('*' releases the global one only; account switches stay). Emits
   * 'kill' with `active: false` and a RISK_ALERT_KILL_SWITCH warning. Returns false when it was
   * not thrown.
   */
  unkill(scope: string, actor: string): boolean {
    const now = this.deps.nowMs();
    if (!this.kills.unkill(scope)) return false;
    this.emit('kill', { scope, active: false, actor, timeMs: now });
    this.alert({
      code: 'RISK_ALERT_KILL_SWITCH',
      severity: 'warning',
      message: `kill switch released for ${scope === '*' ? 'every account' : `account ${scope}`} by ${actor}`,
      timeMs: now,
      ...(scope === '*' ? {} : { account: scope }),
      actor,
    });
    return true;
  }

  /** True when the account's orders are refused by a kill switch (its own or the global one). */
  isKilled(account: string): boolean {
    return this.kills.isKilled(account);
  }

  /**
   * Feeds one trade print to the circuit breakers (call it for every trade of every venue).
   * A trip halts the symbol for `breakerCooloffMs`, emits 'halt' and a RISK_ALERT_CIRCUIT_BREAKER
   * alert; the automatic resume emits 'resume'.
   */
  /** In the instrument's prices when it is known ("50,013.84 USD"), else in ticks. */
  private breakerMessage(symbol: string, halt: { fromPrice: number; price: number; untilMs: number }): string {
    const inst = this.deps.instrument(symbol);
    const px = (t: number) => (inst === undefined ? `${t} ticks` : priceText(inst, t));
    return `${symbol} moved from ${px(halt.fromPrice)} to ${px(halt.price)} within ${this.options.breakerWindowMs} ms: halted until ${new Date(halt.untilMs).toISOString()}`;
  }

  onTrade(symbol: string, price: number, timeUs: number): void {
    const now = this.deps.nowMs();
    if (now >= this.nextExpiryMs) this.expireHalts(now);
    const halt = this.breakers.onTrade(symbol, price, timeUs, now);
    if (halt === undefined) return;
    if (halt.untilMs < this.nextExpiryMs) this.nextExpiryMs = halt.untilMs;
    this.schedule(this.options.breakerCooloffMs);
    this.halted(halt, now);
  }

  /**
   * Whether `symbol` has a trustworthy price: `suspects` lists every venue quoting it, each with
   * its open market-data anomaly, when none is trusted (MdAnomalyMonitor.onUntrusted); undefined
   * once one is trusted again. Losing the last trusted venue trips the symbol's breaker like a
   * move would: 'halt' (reason 'md-anomaly') and RISK_ALERT_CIRCUIT_BREAKER, new orders and
   * replaces refused RISK_TRADING_HALTED naming the anomalies. No cool-off: it ends, with
   * 'resume' (reason 'market-trusted'), when a venue is trusted again. A price halt already
   * running keeps its cool-off and is followed by this one if the symbol is still untrusted then.
   */
  setUntrusted(symbol: string, suspects: readonly SuspectVenue[] | undefined): void {
    const now = this.deps.nowMs();
    if (now >= this.nextExpiryMs) this.expireHalts(now);
    const { tripped, ended } = this.breakers.setUntrusted(symbol, suspects, now);
    if (tripped !== undefined) this.halted(tripped, now);
    if (ended !== undefined) this.emit('resume', { symbol, reason: 'market-trusted', actor: '', timeMs: now });
  }

  /** A breaker tripped: the 'halt' event and its alert. */
  private halted(halt: BreakerHalt, now: number): void {
    const { symbol } = halt;
    const event: RiskEvents['halt'] = { symbol, reason: halt.anomaly === undefined ? 'circuit-breaker' : 'md-anomaly', price: halt.price, fromPrice: halt.fromPrice, sinceMs: halt.sinceMs, untilMs: halt.untilMs };
    if (halt.anomaly !== undefined) event.anomaly = halt.anomaly;
    this.emit('halt', event);
    this.alert({
      code: 'RISK_ALERT_CIRCUIT_BREAKER',
      severity: 'warning',
      message: halt.anomaly === undefined ? this.breakerMessage(symbol, halt) : `${anomalyText(symbol, halt.anomaly)}: halted until a venue is trusted again`,
      timeMs: now,
      symbol,
    });
  }

  /** True while a circuit breaker halts the symbol. */
  isHalted(symbol: string): boolean {
    const now = this.deps.nowMs();
    if (now >= this.nextExpiryMs) this.expireHalts(now);
    return this.breakers.haltOf(symbol) !== undefined;
  }

  /** Ends a breaker halt before its cool-off (operator action); emits 'resume'. False if not halted. */
  clearHalt(symbol: string, actor: string): boolean {
    const now = this.deps.nowMs();
    if (this.breakers.clear(symbol) === undefined) return false;
    this.nextExpiryMs = this.breakers.nextExpiryMs();
    this.emit('resume', { symbol, reason: 'manual', actor, timeMs: now });
    return true;
  }

  /** Effective limits of an account in a symbol (the browser needs them for its pre-check). */
  limits(account: string, symbol: string): Readonly<RiskLimits> {
    return this.limitsRegistry.get(account, symbol);
  }

  /** Replaces (undefined: removes) an account's limits. Throws RangeError on an invalid limit. */
  setAccountLimits(account: string, limits: AccountRiskLimits | undefined): void {
    this.limitsRegistry.setAccount(account, limits);
  }

  /** Replaces the house limits (every account). Throws RangeError on an invalid limit. */
  setHouseLimits(limits: AccountRiskLimits): void {
    this.limitsRegistry.setHouse(limits);
  }

  /** Snapshot for the admin API. */
  state(): RiskSnapshot {
    const now = this.deps.nowMs();
    if (now >= this.nextExpiryMs) this.expireHalts(now);
    const { limits: _l, accounts: _a, ...options } = this.options;
    return {
      timeMs: now,
      killSwitch: this.kills.snapshot(),
      tradingStates: this.states.snapshot(),
      halts: this.breakers.snapshot(),
      limits: this.limitsRegistry.snapshot(),
      options,
    };
  }

  /** Cancels pending resume timers (relay shutdown). Halts still expire lazily on later calls. */
  close(): void {
    for (const cancel of this.timers) cancel();
    this.timers.clear();
  }

  /** Stages shared by new orders and replaces, after the throttles: kill, instrument, state, breaker. */
  private gate(account: string, symbol: string, now: number): RiskCode | { instrument: Instrument; state: TradingState } {
    if (this.kills.isKilled(account)) return 'RISK_KILL_SWITCH';
    const instrument = this.deps.instrument(symbol);
    if (instrument === undefined) return 'RISK_UNKNOWN_INSTRUMENT';
    const state = this.states.effective(account, symbol);
    if (state === 'halted') return 'RISK_TRADING_HALTED';
    if (now >= this.nextExpiryMs) this.expireHalts(now);
    const halt = this.breakers.haltOf(symbol);
    // Without a trustworthy price the symbol is halted outright, not for a move it made.
    if (halt !== undefined) return halt.anomaly === undefined ? 'RISK_CIRCUIT_BREAKER' : 'RISK_TRADING_HALTED';
    return { instrument, state };
  }

  private gateMessage(code: RiskCode, symbol: string): string {
    const anomaly = code === 'RISK_TRADING_HALTED' ? this.breakers.haltOf(symbol)?.anomaly : undefined;
    if (anomaly === undefined) return gateMessage(code, symbol);
    // The anomalies open now (they may have changed since the trip), else those of the trip.
    return `trading in ${symbol} is halted: ${anomalyText(symbol, this.breakers.untrustedOf(symbol) ?? anomaly)}`;
  }

  private fillContext(account: string, symbol: string, instrument: Instrument, state: TradingState): PreTradeContext {
    const e = this.deps.exposure(account, symbol);
    const c = this.ctx;
    c.instrument = instrument;
    c.referencePrice = this.deps.referencePrice(symbol);
    c.position = e.position;
    c.openBuyQty = e.openBuyQty;
    c.openSellQty = e.openSellQty;
    c.openOrders = e.openOrders;
    c.openBuyNotional = e.openBuyNotional;
    c.limits = this.limitsRegistry.get(account, symbol);
    c.tradingState = state;
    c.ownBestBid = e.ownBestBid;
    c.ownBestAsk = e.ownBestAsk;
    return c;
  }

  private deny(kind: 'new' | 'replace', o: OrderIntent, orderId: string, code: RiskCode, message: string, now: number): Denial {
    this.emit('deny', { kind, account: o.account, symbol: o.symbol, clientOrderId: o.clientOrderId, orderId, code, message, timeMs: now });
    if (this.denials.record(o.account, now)) {
      this.alert({
        code: 'RISK_ALERT_REPEATED_DENIALS',
        severity: 'warning',
        message: `account ${o.account}: ${this.options.denialAlertThreshold} risk denials within ${this.options.denialAlertWindowMs} ms (last ${code})`,
        timeMs: now,
        account: o.account,
        symbol: o.symbol,
      });
    }
    return fail(code, message);
  }

  private alert(a: RiskEvents['alert']): void {
    this.emit('alert', a);
  }

  private expireHalts(now: number): void {
    const { ended, followed } = this.breakers.expire(now);
    this.nextExpiryMs = this.breakers.nextExpiryMs();
    const still = new Set(followed.map((h) => h.symbol));
    for (const h of ended) if (!still.has(h.symbol)) this.emit('resume', { symbol: h.symbol, reason: 'cooloff-elapsed', actor: '', timeMs: now });
    for (const h of followed) this.halted(h, now);
  }

  private schedule(delayMs: number): void {
    const setTimer = this.deps.setTimer ?? defaultSetTimer;
    const cancel = setTimer(() => {
      this.timers.delete(cancel);
      const now = this.deps.nowMs();
      if (now >= this.nextExpiryMs) this.expireHalts(now);
    }, delayMs);
    this.timers.add(cancel);
  }
}

/** "every venue quoting BTC-USD has an open market-data anomaly: sim-a MD_ANOMALY_CROSSED_BOOK, sim-b MD_ANOMALY_FROZEN_FEED" */
function anomalyText(symbol: string, suspects: readonly SuspectVenue[]): string {
  return `every venue quoting ${symbol} has an open market-data anomaly: ${suspects.map((s) => `${s.venue} ${s.code}`).join(', ')}`;
}

function gateMessage(code: RiskCode, symbol: string): string {
  switch (code) {
    case 'RISK_KILL_SWITCH':
      return 'the kill switch is on: new orders are refused';
    case 'RISK_UNKNOWN_INSTRUMENT':
      return `unknown instrument ${symbol}`;
    case 'RISK_TRADING_HALTED':
      return `trading in ${symbol} is halted`;
    case 'RISK_CIRCUIT_BREAKER':
      return `${symbol} is halted by a circuit breaker`;
    default:
      return code;
  }
}

function defaultSetTimer(fn: () => void, delayMs: number): () => void {
  const t = setTimeout(fn, delayMs);
  // Node: a pending resume must not keep the process alive; browsers' numeric ids have no unref.
  if (typeof t === 'object' && t !== null && 'unref' in t) t.unref();
  return () => clearTimeout(t);
}
