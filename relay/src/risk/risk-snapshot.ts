import type { AccountRiskLimits } from '@tickmesh/shared';
import type { BreakerHalt } from './circuit-breakers';
import type { KillRecord } from './kill-switch';
import type { ResolvedRiskOptions } from './risk-options';
import type { TradingStateRecord } from './trading-state-registry';

/** `RiskEngine.state()`: everything an operator sees on the admin API, JSON-serialisable. */
export interface RiskSnapshot {
  timeMs: number;
  killSwitch: { global: KillRecord | null; accounts: Array<KillRecord & { account: string }> };
  /** Non-active trading states only; anything not listed is active. */
  tradingStates: TradingStateRecord[];
  /** Symbols halted by a circuit breaker. */
  halts: BreakerHalt[];
  limits: { house: AccountRiskLimits; accounts: Record<string, AccountRiskLimits> };
  options: Omit<ResolvedRiskOptions, 'limits' | 'accounts'>;
}
