import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '@tickmesh/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Relay } from '../src/server/relay-server';
import { startRelay } from './harness';
import { ScriptedVenue, testInstrument } from './scripted-venue';

/**
 * deploy/prometheus/alerts.yaml checked against a running relay, so the rules cannot drift
 * from what it exports: every metric a rule reads is on /metrics, every code a rule names is
 * a stable code with a series there, and every alert code (RISK_ALERT_*, SURV_*, MD_ANOMALY_*)
 * is covered by some rule.
 */
const file = join(import.meta.dirname, '../../deploy/prometheus/alerts.yaml');
type Rule = { alert: string; expr: string; for?: string; labels: { severity: string }; annotations: { summary: string; description?: string } };
const rules = (parse(readFileSync(file, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const alertCodes = Object.values(ErrorCode).filter((c) => /^(RISK_ALERT_|SURV_|MD_ANOMALY_)/.test(c));

/** The codes a rule's `code="…"` or `code=~"…"` matcher selects (a regex anchored, as PromQL does). */
function codesOf(expr: string): string[] {
  const out: string[] = [];
  for (const m of expr.matchAll(/code(=~|=)"([^"]+)"/g)) {
    const re = m[1] === '=' ? new RegExp(`^${m[2]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : new RegExp(`^(?:${m[2]})$`);
    const hit = Object.values(ErrorCode).filter((c) => re.test(c));
    // A matcher that selects nothing is a typo: the rule could never fire.
    expect(hit, `${m[0]} in ${expr}`).not.toEqual([]);
    out.push(...hit);
    // Each alternative of a group names a real code (a misspelt one would silently match nothing).
    const group = /^(.*)\(([^()]+)\)$/.exec(m[2]!);
    if (m[1] === '=~' && group) for (const alt of group[2]!.split('|')) expect(Object.values(ErrorCode)).toContain(`${group[1]}${alt}`);
  }
  return out;
}

let relay: Relay;
let metrics = '';
beforeAll(async () => {
  relay = await startRelay([new ScriptedVenue('test', [testInstrument('BTC-USD')])]);
  metrics = await (await fetch(`${relay.url}/metrics`)).text();
});
afterAll(() => relay.stop());

describe('deploy/prometheus/alerts.yaml', () => {
  it('every rule is complete: name, expression, severity warning or critical, a summary', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      expect(r.alert).toMatch(/^Tickmesh[A-Za-z]+$/);
      expect(r.expr.length).toBeGreaterThan(0);
      expect(['warning', 'critical']).toContain(r.labels.severity);
      expect(r.annotations.summary.length).toBeGreaterThan(0);
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  it('reads only metrics the relay exports, and the alert codes it names each have a series from the start', () => {
    for (const r of rules) {
      for (const [name] of r.expr.matchAll(/tickmesh_[a-z_]+/g)) expect(metrics, `${r.alert}: ${name}`).toContain(`# TYPE ${name} `);
      for (const code of codesOf(r.expr)) expect(metrics, `${r.alert}: ${code}`).toContain(`tickmesh_alerts_total{code="${code}"} 0`);
    }
    expect(metrics).toContain('tickmesh_venue_stream_state{venue="test",symbol="BTC-USD",state="stale"}');
  });

  it('covers every alert code the relay can raise', () => {
    const covered = new Set(rules.flatMap((r) => codesOf(r.expr)));
    expect(alertCodes.filter((c) => !covered.has(c))).toEqual([]);
  });
});
