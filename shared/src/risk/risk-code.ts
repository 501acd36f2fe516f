import type { ErrorCode } from '../model/codes';

/**
 * Every code a risk check can return: the shared pre-trade rules and the relay's risk engine.
 * Derived from `ErrorCode` so a code exists in exactly one place (shared/src/model/codes.ts).
 */
export type RiskCode = Exclude<Extract<ErrorCode, `RISK_${string}`>, `RISK_ALERT_${string}`>;

/** Codes of compliance alerts: emitted as events by the relay, never returned by a check. */
export type RiskAlertCode = Extract<ErrorCode, `RISK_ALERT_${string}`>;
