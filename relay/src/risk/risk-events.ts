import type { RiskAlertCode, RiskCode, TradingState } from '@tickmesh/shared';

/**
 * A circuit breaker halted a symbol: a price move ('circuit-breaker'; trading resumes by itself
 * at `untilMs`), or no venue quoting it has trustworthy prices ('md-anomaly'; `anomaly` names
 * each venue's open anomaly, price and fromPrice are 0, untilMs is Infinity: it resumes when a
 * venue is trusted again).
 */
export interface RiskHaltEvent {
  symbol: string;
  reason: 'circuit-breaker' | 'md-anomaly';
  /** The trade price (ticks) that tripped the breaker. */
  price: number;
  /** The window's price it moved away from (its low for a rise, its high for a fall). */
  fromPrice: number;
  sinceMs: number;
  untilMs: number;
  anomaly?: ReadonlyArray<{ venue: string; code: string }>;
}

/** A breaker halt ended: the cool-off elapsed, a venue of an anomaly halt is trusted again, or an operator cleared it. */
export interface RiskResumeEvent {
  symbol: string;
  reason: 'cooloff-elapsed' | 'market-trusted' | 'manual';
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
