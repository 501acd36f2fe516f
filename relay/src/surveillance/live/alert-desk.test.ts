import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Algo, ErrorCode, ExecType, OrderStatus, OrderType, Side, TimeInForce, type JournalRecord } from '@tickmesh/shared';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../journal/index';
import { registerAlertMetrics } from '../../metrics/alert-metrics';
import { Surveillance } from '../surveillance';
import { AlertDesk } from './alert-desk';
import { surveilledJournal } from './surveilled-journal';

const log = pino({ level: 'silent' });
let journal: Journal | undefined;
afterEach(async () => {
  await journal?.close();
  journal = undefined;
});

async function open(): Promise<Journal> {
  journal = (await Journal.open(join(mkdtempSync(join(tmpdir(), 'tickmesh-alerts-')), 'journal.tmj'), { fsync: false })).journal;
  return journal;
}

/** One side of venue trade `tradeId`, as the OMS journals it. */
function fill(account: string, orderId: string, side: Side, tradeId: number): JournalRecord {
  return {
    kind: 'execution', timeUs: 1_000,
    report: {
      type: 'executionReport', requestId: 0, orderId, clientOrderId: '', parentOrderId: '', status: OrderStatus.Filled, execType: ExecType.Trade, symbol: 'BTC-USD', venue: 'sim-a',
      side, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC, price: 5_000_000, qty: 1, filledQty: 1, leavesQty: 0, cumNotional: 0, lastPrice: 5_000_000, lastQty: 1, tradeId, reasonCode: '', reason: '',
      fee: 0, liquidityMaker: false, timeUs: 1_000, account, algo: Algo.None,
    },
  };
}

describe('live alerts: surveillance behind the OMS journal port, one desk for every alert', () => {
  it('a wash trade appended through the port is journaled as an alert citing both fills by seq, counted and exported', async () => {
    const j = await open();
    const desk = new AlertDesk(j, log);
    const port = surveilledJournal(j, new Surveillance(), desk, log);
    const buy = await port.append(fill('w', 'o-1', Side.Buy, 42));
    const sell = await port.append(fill('w', 'o-2', Side.Sell, 42));
    // The OMS gets the journal's own entries back, unchanged.
    expect([buy.seq, sell.seq]).toEqual([1, 2]);
    // The detectors run in a setImmediate after the records are durable (off the order path).
    expect(desk.counts.size).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    await desk.settled();

    const alerts = (await Journal.read(j.path)).filter((e) => e.record.kind === 'alert');
    expect(alerts.map((e) => [e.seq, e.record.kind === 'alert' && [e.record.code, e.record.account, e.record.symbol]])).toEqual([[3, [ErrorCode.SURV_WASH_TRADE, 'w', 'BTC-USD']]]);
    const message = alerts[0]!.record.kind === 'alert' ? alerts[0]!.record.message : '';
    // Score and evidence survive in the journal as text (its alert record has no fields for them).
    expect(message).toContain('score 1');
    expect(message).toContain('#1 fill o-1, #2 fill o-2');
    expect(desk.detail(3)).toEqual({ venue: undefined, score: 1, evidence: [{ seq: 1, orderId: 'o-1', what: 'fill' }, { seq: 2, orderId: 'o-2', what: 'fill' }] });
    expect(desk.counts.get(ErrorCode.SURV_WASH_TRADE)).toBe(1);

    const registry = new Registry();
    registerAlertMetrics(registry, () => desk.counts);
    const text = await registry.metrics();
    expect(text).toContain('tickmesh_alerts_total{code="SURV_WASH_TRADE"} 1');
    // Series of codes that never fired exist at 0, so alert rules see their first increase.
    expect(text).toContain('tickmesh_alerts_total{code="MD_ANOMALY_FROZEN_FEED"} 0');
    expect(text).toContain('tickmesh_alerts_total{code="RISK_ALERT_KILL_SWITCH"} 0');
  });

  it('a market-data anomaly keeps its venue and figures beside the record; a risk alert is journaled as it was', async () => {
    const j = await open();
    const desk = new AlertDesk(j, log);
    desk.raise({ code: ErrorCode.MD_ANOMALY_CROSSED_BOOK, account: '', venue: 'sim-b', symbol: 'ETH-USD', timeUs: 5_000, score: 1, message: 'sim-b ETH-USD book crossed', evidence: { bid: 3001, ask: 3000 } });
    desk.raise({ code: ErrorCode.RISK_ALERT_KILL_SWITCH, account: 'a', symbol: '', timeUs: 6_000, message: 'kill switch thrown on a' });
    // Kept under its seq from the moment it is appended: a REST read of the file between the
    // write and the durable ack already finds the venue and figures.
    expect(desk.detail(1)).toEqual({ venue: 'sim-b', score: 1, evidence: { bid: 3001, ask: 3000 } });
    await desk.settled();
    const records = (await Journal.read(j.path)).map((e) => e.record);
    expect(records).toEqual([
      { kind: 'alert', timeUs: 5_000, code: ErrorCode.MD_ANOMALY_CROSSED_BOOK, account: '', symbol: 'ETH-USD', message: 'sim-b ETH-USD book crossed · score 1' },
      { kind: 'alert', timeUs: 6_000, code: ErrorCode.RISK_ALERT_KILL_SWITCH, account: 'a', symbol: '', message: 'kill switch thrown on a' },
    ]);
    expect(desk.detail(1)).toEqual({ venue: 'sim-b', score: 1, evidence: { bid: 3001, ask: 3000 } });
    expect(desk.detail(2)).toBeUndefined();
  });

  it('a detector that throws costs that record its surveillance, never the append', async () => {
    const j = await open();
    const broken = { observe: () => { throw new Error('detector bug'); } } as unknown as Surveillance;
    const port = surveilledJournal(j, broken, new AlertDesk(j, log), log);
    await expect(port.append(fill('w', 'o-1', Side.Buy, 1))).resolves.toMatchObject({ seq: 1 });
  });
});
