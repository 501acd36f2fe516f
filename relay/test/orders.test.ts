import { Algo, ErrorCode, OrderStatus, OrderType, Side, StreamState, TimeInForce, type ExecutionReportMsg, type NewOrderMsg, type ServerMsg } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Relay } from '../src/server/relay-server';
import { defaultSimVenues } from '../src/venues/sim/index';
import { ProtoClient, startRelay, tokenOf } from './harness';

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

type Report = ExecutionReportMsg;
const isReport = (m: ServerMsg): m is Report => m.type === 'executionReport';

function order(clientOrderId: string, over: Partial<NewOrderMsg> = {}): NewOrderMsg {
  return {
    type: 'newOrder', requestId: 1, clientOrderId, symbol: 'BTC-USD', venue: '', side: Side.Buy, orderType: OrderType.Limit,
    timeInForce: TimeInForce.IOC, price: 0, qty: 10, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0, ...over,
  };
}

async function api(r: Relay, path: string, who: 'trader' | 'viewer' | 'admin' = 'trader', init: RequestInit = {}) {
  const res = await fetch(`${r.url}${path}`, { ...init, headers: { authorization: `Bearer ${tokenOf(r.url, who)}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function startSim(): Promise<Relay> {
  relay = await startRelay(defaultSimVenues({ seed: 5, updatesPerSecond: 200 }), { flushMs: 5 });
  return relay;
}

/** A price that crosses the whole displayed book: the order takes liquidity at once. */
function aggressive(r: Relay, side: Side): number {
  const ids = r.md.streamIdsForSymbol('BTC-USD');
  const best = ids.map((id) => (side === Side.Buy ? r.md.stream(id)!.book.bestAsk() : r.md.stream(id)!.book.bestBid()));
  return side === Side.Buy ? Math.max(...best) + 50 : Math.min(...best) - 50;
}

describe('orders through the relay', () => {
  it('a trader buys through the smart order router: durable reports, a fill, a position, a fills query', async () => {
    const r = await startSim();
    const c = await ProtoClient.connect(r.url);
    c.send(order('buy-1', { price: aggressive(r, Side.Buy), qty: 20 }));
    const done = await c.next((m) => isReport(m) && m.clientOrderId === 'buy-1' && m.parentOrderId === '' && (m.status === OrderStatus.Filled || m.status === OrderStatus.Canceled || m.status === OrderStatus.PartiallyFilled && m.leavesQty === 0), 10_000) as Report;
    expect(done.filledQty).toBeGreaterThan(0);
    expect(done.account).toBe('trader');
    const reports = c.received.filter(isReport);
    expect(reports.some((m) => m.execType === 2 /* trade */ && m.lastQty > 0)).toBe(true);

    const positions = await api(r, '/api/positions');
    expect(positions.status).toBe(200);
    const pos = (positions.body.positions as Array<{ symbol: string; qty: number }>).find((p) => p.symbol === 'BTC-USD');
    expect(pos?.qty).toBe(done.filledQty);
    const fills = await api(r, '/api/fills');
    expect((fills.body.fills as unknown[]).length).toBeGreaterThan(0);
    const orders = await api(r, '/api/orders');
    expect((orders.body.orders as Array<{ clientOrderId: string }>).some((o) => o.clientOrderId === 'buy-1')).toBe(true);
    c.close();
  });

  it('risk denies with a stable code before anything reaches a venue', async () => {
    const r = await startSim();
    const c = await ProtoClient.connect(r.url);
    c.send(order('fat-finger', { price: aggressive(r, Side.Buy) * 2, qty: 1, timeInForce: TimeInForce.GTC }));
    const denied = (await c.next((m) => isReport(m) && m.clientOrderId === 'fat-finger' && m.status === OrderStatus.Denied)) as Report;
    expect(denied.reasonCode).toBe('RISK_PRICE_COLLAR');
    c.send(order('too-big', { price: aggressive(r, Side.Buy), qty: 1_000_000_000 }));
    const big = (await c.next((m) => isReport(m) && m.clientOrderId === 'too-big' && m.status === OrderStatus.Denied)) as Report;
    expect(big.reasonCode).toMatch(/^RISK_/);
    c.close();
  });

  it('refuses a duplicate client order id and a viewer trading, each with its code', async () => {
    const r = await startSim();
    const c = await ProtoClient.connect(r.url);
    c.send(order('dup', { price: aggressive(r, Side.Sell), side: Side.Sell, qty: 1, timeInForce: TimeInForce.GTC }));
    await c.next((m) => isReport(m) && m.clientOrderId === 'dup');
    c.send({ ...order('dup'), requestId: 77 });
    expect(await c.error(ErrorCode.OMS_DUPLICATE_CLIENT_ORDER_ID)).toMatchObject({ requestId: 77 });

    const viewer = await ProtoClient.connect(r.url, {}, tokenOf(r.url, 'viewer'));
    viewer.send({ ...order('v-1'), requestId: 9 });
    expect(await viewer.error(ErrorCode.AUTH_FORBIDDEN)).toMatchObject({ requestId: 9 });
    c.close();
    viewer.close();
  });

  it('an admin halt denies new orders, shows HALTED on the stream, and resume lifts it; both are in the audit trail', async () => {
    const r = await startSim();
    const c = await ProtoClient.connect(r.url);
    c.send({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['BTC-USD'] });
    await c.next((m) => m.type === 'bookSnapshot');
    const halt = await api(r, '/api/admin/halt', 'admin', { method: 'POST', body: JSON.stringify({ symbol: 'BTC-USD' }) });
    expect(halt.status).toBe(200);
    await c.next((m) => m.type === 'bookBatch' && m.state === StreamState.Halted);
    c.send(order('while-halted', { price: aggressive(r, Side.Buy), qty: 1 }));
    const denied = (await c.next((m) => isReport(m) && m.clientOrderId === 'while-halted')) as Report;
    expect(denied.status).toBe(OrderStatus.Denied);
    expect(denied.reasonCode).toBe('RISK_TRADING_HALTED');
    expect((await api(r, '/api/admin/resume', 'admin', { method: 'POST', body: JSON.stringify({ symbol: 'BTC-USD' }) })).status).toBe(200);
    await c.next((m) => m.type === 'bookBatch' && m.state === StreamState.Live);

    const audit = await api(r, '/api/audit', 'admin');
    const kinds = (audit.body.entries as Array<{ record: { kind: string; action?: string } }>).map((e) => `${e.record.kind}:${e.record.action ?? ''}`);
    expect(kinds).toContain('admin:halt');
    expect(kinds).toContain('admin:resume');
    expect(kinds).toContain('risk:');
    expect((await api(r, '/api/audit/verify', 'admin')).body).toMatchObject({ ok: true });
    // A trader may not halt anything or read the audit trail.
    expect((await api(r, '/api/admin/halt', 'trader', { method: 'POST', body: '{"symbol":"BTC-USD"}' })).status).toBe(403);
    expect((await api(r, '/api/audit', 'trader')).status).toBe(403);
    c.close();
  });

  it('the kill switch cancels working orders and refuses new ones', async () => {
    const r = await startSim();
    const c = await ProtoClient.connect(r.url);
    const far = r.md.stream(r.md.streamIdsForSymbol('BTC-USD')[0]!)!.book.bestBid() - 500;
    c.send(order('resting', { venue: 'sim-a', price: far, qty: 2, timeInForce: TimeInForce.GTC }));
    await c.next((m) => isReport(m) && m.clientOrderId === 'resting' && m.status === OrderStatus.Accepted);
    expect((await api(r, '/api/admin/kill', 'admin', { method: 'POST', body: JSON.stringify({ account: 'trader' }) })).status).toBe(200);
    await c.next((m) => isReport(m) && m.clientOrderId === 'resting' && m.status === OrderStatus.Canceled);
    c.send(order('after-kill', { price: far, qty: 1, timeInForce: TimeInForce.GTC }));
    const denied = (await c.next((m) => isReport(m) && m.clientOrderId === 'after-kill')) as Report;
    expect(denied.reasonCode).toBe('RISK_KILL_SWITCH');
    c.close();
  });
});

describe('cancel-on-disconnect and compliance alerts', () => {
  it('cancels the working orders of a cancel-on-disconnect account when its last session closes', async () => {
    const r = await startSim();
    const updated = await r.auth.updateAccount('trader', { cancelOnDisconnect: true });
    expect(updated.ok).toBe(true);
    const c = await ProtoClient.connect(r.url);
    const far = r.md.stream(r.md.streamIdsForSymbol('BTC-USD')[0]!)!.book.bestBid() - 500;
    c.send(order('cod-1', { venue: 'sim-a', price: far, qty: 2, timeInForce: TimeInForce.GTC }));
    await c.next((m) => isReport(m) && m.clientOrderId === 'cod-1' && m.status === OrderStatus.Accepted);
    c.close();
    await c.closed;
    const start = Date.now();
    let status = 0;
    while (Date.now() - start < 5000) {
      const { body } = await api(r, '/api/orders');
      status = (body.orders as Array<{ clientOrderId: string; status: number }>).find((o) => o.clientOrderId === 'cod-1')!.status;
      if (status === OrderStatus.Canceled) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(status).toBe(OrderStatus.Canceled);
  });

  it('a kill switch shows up as a compliance alert for admins', async () => {
    const r = await startSim();
    await api(r, '/api/admin/kill', 'admin', { method: 'POST', body: JSON.stringify({ account: 'trader' }) });
    const start = Date.now();
    let codes: string[] = [];
    while (Date.now() - start < 5000 && codes.length === 0) {
      const { body } = await api(r, '/api/admin/alerts', 'admin');
      codes = (body.alerts as Array<{ record: { code: string } }>).map((a) => a.record.code);
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(codes).toContain('RISK_ALERT_KILL_SWITCH');
    expect((await api(r, '/api/admin/alerts', 'trader')).status).toBe(403);
  });
});
