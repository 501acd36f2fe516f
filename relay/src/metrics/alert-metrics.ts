import { ErrorCode } from '@tickmesh/shared';
import type { Registry } from 'prom-client';
import { runningTotalCounter } from './running-total-counter';

/** Codes whose series exist from the start (at 0), so `increase()` in alert rules sees their first alert. */
const ALERT_CODES: readonly string[] = Object.values(ErrorCode).filter((c) => c.startsWith('RISK_ALERT_') || c.startsWith('SURV_') || c.startsWith('MD_ANOMALY_'));

/**
 * tickmesh_alerts_total{code}: every alert the relay journaled (risk, market-abuse
 * surveillance, market-data anomalies), read at scrape time from the desk's plain counts.
 * deploy/prometheus/alerts.yaml pages on it.
 */
export function registerAlertMetrics(registry: Registry, counts: () => ReadonlyMap<string, number> | undefined): void {
  runningTotalCounter('tickmesh_alerts_total', 'Alerts journaled, by stable code (RISK_ALERT_*, SURV_*, MD_ANOMALY_*)', ['code'], [registry], function* () {
    const c = counts();
    for (const code of ALERT_CODES) yield [{ code }, c?.get(code) ?? 0];
    if (c) for (const [code, n] of c) if (!ALERT_CODES.includes(code)) yield [{ code }, n];
  });
}
