import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Algo, ErrorCode, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type NewOrderMsg, type ServerMsg } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../src/journal/index';
import type { Relay } from '../src/server/relay-server';
import { defaultSimVenues } from '../src/venues/sim/index';
import { ProtoClient, startRelay, until } from './harness';

// An anomaly halts a symbol: on a relay with both simulated venues, both BTC-USD books are made
// to cross (a bid published 10 bps through the ask). With no venue left whose price can be
// trusted, the symbol's circuit breaker trips: orders are refused RISK_TRADING_HALTED naming the
// anomalies, and the halt is journaled and alerted as a breaker trip is. Once one venue's book is
// whole again the halt ends and orders are taken.

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

const isReport = (m: ServerMsg): m is ExecutionReportMsg => m.type === 'executionReport';
const DONE: number[] = [OrderStatus.Accepted, OrderStatus.Denied, OrderStatus.Rejected, OrderStatus.Filled, OrderStatus.Canceled];

function order(clientOrderId: string, price: number): NewOrderMsg {
  return {
    type: 'newOrder', requestId: 1, clientOrderId, symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy, orderType: OrderType.Limit,
    timeInForce: TimeInForce.GTC, price, qty: 1, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
  };
}

describe('every venue of a symbol suspect, on a live relay', () => {
  it('trips the symbol’s breaker: orders refused RISK_TRADING_HALTED naming the anomalies, halt journaled and alerted; one venue whole again resumes it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-mdhalt-'));
    const [simA, simB] = defaultSimVenues({ seed: 11, updatesPerSecond: 200 });
    const r = (relay = await startRelay([simA, simB], { flushMs: 5, dataDir }));
    const streams = () => r.md.streamIdsForSymbol('BTC-USD').map((id) => r.md.stream(id)!);
    const at = (venue: string) => streams().find((s) => s.instrument.venue === venue)!;
    await until(() => streams().every((s) => s.book.bestAsk() > 0 && s.book.bestBid() > 0), 10_000, 'both BTC-USD books');
    const c = await ProtoClient.connect(r.url);
    let n = 0;
    /** A small resting bid 1 % under sim-a's best bid: its first final-or-accepted report. */
    const bid = async () => {
      const id = `b-${++n}`;
      c.send(order(id, Math.round(at('sim-a').book.bestBid() * 0.99)));
      return (await c.next((m) => isReport(m) && m.clientOrderId === id && DONE.includes(m.status), 10_000)) as ExecutionReportMsg;
    };

    expect((await bid()).status).toBe(OrderStatus.Accepted);

    // One venue crossed: the other still has a price, so the symbol trades on.
    const cross = (venue: string, sim: typeof simA) => {
      const ask = at(venue).book.bestAsk();
      expect(sim.phantomLevel('BTC-USD', Side.Buy, ask + Math.round(ask * 0.001), 1_000)).toBe(true);
    };
    cross('sim-a', simA);
    await until(() => r.trading.anomalies.suspectOf('sim-a', 'BTC-USD') !== undefined, 5_000, 'sim-a suspect');
    expect(r.trading.risk.isHalted('BTC-USD')).toBe(false);
    expect((await bid()).status).toBe(OrderStatus.Accepted);

    // Both crossed: no trustworthy BTC-USD price left.
    cross('sim-b', simB);
    await until(() => r.trading.risk.isHalted('BTC-USD'), 5_000, 'BTC-USD halted');
    const refused = await bid();
    expect(refused).toMatchObject({ status: OrderStatus.Denied, reasonCode: ErrorCode.RISK_TRADING_HALTED });
    expect(refused.reason).toContain('sim-a MD_ANOMALY_CROSSED_BOOK');
    expect(refused.reason).toContain('sim-b MD_ANOMALY_CROSSED_BOOK');
    // The books are still published (the venues are the venues') and keep the halt open.
    expect(r.trading.anomalies.suspectOf('sim-b', 'BTC-USD')?.code).toBe(ErrorCode.MD_ANOMALY_CROSSED_BOOK);

    // sim-b whole again: a trustworthy price exists, the halt ends at the monitor's next check.
    simB.republishBook('BTC-USD');
    await until(() => !r.trading.risk.isHalted('BTC-USD'), 5_000, 'BTC-USD resumed');
    expect((await bid()).status).toBe(OrderStatus.Accepted);
    c.close();
    await r.stop();
    relay = undefined;

    // Journaled as a breaker trip is: the admin halt and resume, and the breaker alert naming the anomalies.
    const records = (await Journal.read(join(dataDir, 'journal.tmj'))).map((e) => e.record);
    const admin = records.flatMap((x) => (x.kind === 'admin' && x.target === 'BTC-USD' ? [x] : []));
    expect(admin.map((x) => [x.actor, x.action])).toEqual([
      ['circuit-breaker', 'halt'],
      ['circuit-breaker', 'resume'],
    ]);
    expect(admin[0]!.detail).toContain('MD_ANOMALY_CROSSED_BOOK');
    expect(admin[1]!.detail).toBe('market-trusted');
    const alerts = records.flatMap((x) => (x.kind === 'alert' && x.code === 'RISK_ALERT_CIRCUIT_BREAKER' ? [x] : []));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ symbol: 'BTC-USD' });
    expect(alerts[0]!.message).toContain('sim-a MD_ANOMALY_CROSSED_BOOK, sim-b MD_ANOMALY_CROSSED_BOOK');
  }, 60_000);
});
