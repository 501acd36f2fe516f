import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Algo, ErrorCode, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type NewOrderMsg, type ServerMsg } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../src/journal/index';
import type { Relay } from '../src/server/relay-server';
import type { SurveillanceAlert } from '../src/surveillance/index';
import { evidenceText } from '../src/surveillance/live/alert-desk';
import { defaultSimVenues } from '../src/venues/sim/index';
import { ProtoClient, startRelay, until } from './harness';

// Surveillance after the fact over a real relay's journal: a trader behaves normally, then
// spoofs (large bids 10 bps behind the touch placed and pulled within moments, three times, while
// selling; the same bids at the touch before them are market making), and
// `npm run journal -- surveil` names exactly that, with the journal records as evidence; the
// relay's live surveillance journaled the same alert as it happened.
const cli = fileURLToPath(new URL('../src/journal/cli.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

const isReport = (m: ServerMsg): m is ExecutionReportMsg => m.type === 'executionReport';

function order(clientOrderId: string, side: Side, price: number, qty: number, tif: TimeInForce): NewOrderMsg {
  return { type: 'newOrder', requestId: 1, clientOrderId, symbol: 'BTC-USD', venue: 'sim-a', side, orderType: OrderType.Limit, timeInForce: tif, price, qty, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0 };
}

function surveil(file: string): Promise<{ code: number; alerts: SurveillanceAlert[]; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', cli, 'surveil', file], { cwd: repoRoot }, (error, stdout, stderr) => {
      const alerts = stdout.trim() === '' ? [] : stdout.trim().split('\n').map((l) => JSON.parse(l) as SurveillanceAlert);
      resolve({ code: error ? Number(error.code ?? 1) : 0, alerts, stderr });
    });
  });
}

describe('npm run journal -- surveil over a relay journal', () => {
  it('finds the spoofing, cites its orders, cancels and fill by journal seq, and nothing in the ordinary trading before it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-surv-'));
    const r = (relay = await startRelay(defaultSimVenues({ seed: 21, updatesPerSecond: 100 }), { dataDir, flushMs: 5 }));
    const c = await ProtoClient.connect(r.url);
    const book = () => r.md.stream(r.md.streamIdsForSymbol('BTC-USD').find((id) => r.md.stream(id)!.instrument.venue === 'sim-a')!)!.book;
    const report = (id: string, done: (m: ExecutionReportMsg) => boolean) =>
      (c.next((m) => isReport(m) && m.clientOrderId === id && done(m), 10_000) as Promise<ExecutionReportMsg>).catch((e: Error) => {
        throw new Error(`${e.message}: ${id}; last: ${JSON.stringify(c.received.slice(-3).map((m) => (isReport(m) ? [m.clientOrderId, m.status, m.execType, m.reasonCode] : m.type)))}`);
      });
    const accepted = (id: string) => report(id, (m) => m.status === OrderStatus.Accepted);
    const canceled = (id: string) => report(id, (m) => m.status === OrderStatus.Canceled);
    const cancel = (id: string) => c.send({ type: 'cancelOrder', requestId: 2, clientOrderId: `x-${id}`, origClientOrderId: id });

    await until(() => Number.isFinite(book().bestBid()) && Number.isFinite(book().bestAsk()), 10_000, 'a two-sided sim-a book');
    // Ordinary: small resting bids, pulled after a while; one small buy that trades.
    for (let i = 0; i < 6; i++) {
      c.send(order(`n${i}`, Side.Buy, book().bestBid() - 200 - i, 2, TimeInForce.GTC));
      await accepted(`n${i}`);
    }
    await new Promise((res) => setTimeout(res, 2500));
    for (let i = 0; i < 6; i++) {
      cancel(`n${i}`);
      await canceled(`n${i}`);
    }
    c.send(order('n-take', Side.Buy, book().bestAsk() + 20, 2, TimeInForce.IOC));
    await report('n-take', (m) => m.filledQty > 0);

    // Spoofing: a 100-lot bid (50× the usual 2) 10 bps behind the best bid, placed and pulled within ~100 ms, three
    // times, then a sell that trades. The same bids at the touch are tried first: pulled as fast, they are market making.
    for (let i = 0; i < 3; i++) {
      const id = `t${i}`;
      c.send(order(id, Side.Buy, book().bestBid(), 100, TimeInForce.GTC));
      await accepted(id);
      cancel(id);
      // At the touch the market may take it first: either way it is over.
      await report(id, (m) => m.status === OrderStatus.Canceled || m.status === OrderStatus.Filled);
    }
    const spoofIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = `s${i}`;
      c.send(order(id, Side.Buy, Math.round(book().bestBid() * (1 - 10 / 10_000)), 100, TimeInForce.GTC));
      spoofIds.push((await accepted(id)).orderId);
      cancel(id);
      await canceled(id);
    }
    c.send(order('s-sell', Side.Sell, book().bestBid() - 20, 2, TimeInForce.IOC));
    const sold = await report('s-sell', (m) => m.filledQty > 0);
    c.close();
    await r.stop();
    relay = undefined;

    const out = await surveil(join(dataDir, 'journal.tmj'));
    expect(out.code).toBe(0);
    expect(out.alerts.map((a) => [a.code, a.account, a.symbol])).toEqual([[ErrorCode.SURV_SPOOFING, 'trader', 'BTC-USD']]);
    const a = out.alerts[0]!;
    const cited = new Set(a.evidence.map((e) => e.orderId));
    for (const id of spoofIds) expect(cited.has(id)).toBe(true);
    expect(cited.has(sold.orderId)).toBe(true);
    // Judged by the touch the OMS journaled with each order: the ones at the touch are not cited, the distance is stated.
    expect(a.evidence.filter((e) => e.what === 'order').map((e) => e.orderId)).toEqual(spoofIds);
    for (const e of a.evidence.filter((x) => x.what === 'order')) expect(e.touchBps).toBeGreaterThanOrEqual(9);
    expect(a.message).toMatch(/placed [\d.-]+ bps behind the best bid/);
    // Evidence is by journal record: orders and cancels of the three, the sell's fill, in journal order.
    expect(a.evidence.filter((e) => e.what === 'order')).toHaveLength(3);
    expect(a.evidence.filter((e) => e.what === 'cancel')).toHaveLength(3);
    expect(a.evidence.map((e) => e.seq)).toEqual([...a.evidence.map((e) => e.seq)].sort((x, y) => x - y));
    expect(out.stderr).toMatch(/surveilled \d+ records: \d+ trading events, 1 alerts/);

    // The relay surveilled live too: the same alert is in its journal, citing the same records.
    const live = (await Journal.read(join(dataDir, 'journal.tmj'))).flatMap((e) => (e.record.kind === 'alert' ? [e.record] : []));
    expect(live.map((l) => [l.code, l.account, l.symbol])).toEqual([[ErrorCode.SURV_SPOOFING, 'trader', 'BTC-USD']]);
    expect(live[0]!.message).toContain(`evidence ${a.evidence.map(evidenceText).join(', ')}`);
    expect(live[0]!.message).toMatch(/order \S+ \([\d.]+ bps from the touch\)/);
  }, 60_000);
});
