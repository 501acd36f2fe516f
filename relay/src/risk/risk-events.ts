import type { RiskAlertCode, RiskCode, TradingState } from '@tickmesh/shared';

/** A circuit breaker halted a symbol. Trading resumes by itself at `untilMs`. */
export interface RiskHaltEvent {
  symbol: string;
  reason: 'circuit-breaker';
  /** The trade price (ticks) that tripped the breaker. */
  price: number;
  /** The window's price it moved away from (its low for a rise, its high for a fall). */
  fromPrice: number;
  sinceMs: number;
  untilMs: number;
}

/** A breaker halt ended: the cool-off elapsed, or an operator cleared it. */
export interface RiskResumeEvent {
  symbol: string;
  reason: 'cooloff-elapsed' | 'manual';
  /** Who cleared it ('' for an automatic resume). */
  actor: string;
  timeMs: number;
}

/** The kill switch of an account (or `'*'`: every account) was thrown or released. */
export interface RiskKillEvent {
  /** An account id, or '*' for the global switch. */
  scope: string;
  /** true: thrown (the OMS must cancel every open order in scope); false: released. */
  active: boolean;
  actor: string;
  timeMs: number;
}

/** A trading state was set by an operator. Absent account/symbol = every account/symbol. */
export interface RiskStateEvent {
  account?: string;
  symbol?: string;
  state: TradingState;
  previous: TradingState;
  actor: string;
  timeMs: number;
}

/** One risk denial: every refused new order or replace is a recorded decision. */
export interface RiskDenyEvent {
  kind: 'new' | 'replace';
  account: string;
  symbol: string;
  clientOrderId: string;
  /** The replaced order's id; '' for new orders. */
  orderId: string;
  code: RiskCode;
  message: string;
  timeMs: number;
}

/** A compliance alert for the log, the journal and the admins. */
export interface RiskAlert {
  code: RiskAlertCode;
  severity: 'warning' | 'critical';
  message: string;
  timeMs: number;
  account?: string;
  symbol?: string;
  actor?: string;
}

/** The events of `RiskEngine.on(name, listener)`. */
export interface RiskEvents {
  halt: RiskHaltEvent;
  resume: RiskResumeEvent;
  kill: RiskKillEvent;
  state: RiskStateEvent;
  deny: RiskDenyEvent;
  alert: RiskAlert;
}
