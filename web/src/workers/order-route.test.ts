import { Algo, ErrorCode, ExecType, OrderStatus, OrderType, Side, TimeInForce, decodeClient, encodeServer, type ClientMsg, type ExecutionReportMsg } from '@tickmesh/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHANNEL_ANSWER_TIMEOUT_MS, OrderRoute } from './order-route';

// The route with the real codec: bytes the relay would send, bytes the relay would receive.

afterEach(() => vi.useRealTimers());

const welcome = encodeServer({ type: 'welcome', requestId: 0, sessionId: 's', serverTimeUs: 1, heartbeatMs: 10_000, instruments: [], mdPublicKey: new Uint8Array(0), account: 'demo', role: 'trader' });

function newOrder(requestId: number, clientOrderId: string): ClientMsg {
  return { type: 'newOrder', requestId, clientOrderId, symbol: 'BTC-USD', venue: '', side: Side.Buy, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC, price: 100, qty: 1, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0 };
}

function report(requestId: number, clientOrderId: string, over: Partial<ExecutionReportMsg> = {}): ExecutionReportMsg {
  return {
    type: 'executionReport', requestId, orderId: `o-${clientOrderId}`, clientOrderId, parentOrderId: '', status: OrderStatus.Accepted, execType: ExecType.New, symbol: 'BTC-USD', venue: 'sim-a',
    side: Side.Buy, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC, price: 100, qty: 1, filledQty: 0, leavesQty: 1, cumNotional: 0, lastPrice: 0, lastQty: 0, tradeId: 0, reasonCode: '', reason: '', fee: 0,
    liquidityMaker: false, timeUs: 1_000 + requestId, account: 'demo', algo: Algo.None, ...over,
  };
}

function harness() {
  const ws: ClientMsg[] = [];
  const channel: ClientMsg[] = [];
  let lost = 0;
  const route = new OrderRoute((bytes) => {
    const r = decodeClient(bytes);
    if (r.ok) ws.push(r.value);
    return true;
  });
  const link = {
    send: (bytes: Uint8Array) => {
      const r = decodeClient(bytes);
      if (r.ok) channel.push(r.value);
    },
    lost: () => lost++,
  };
  return { route, ws, channel, link, lost: () => lost };
}

describe('OrderRoute', () => {
  it('orders take the channel only after its Welcome; market-data requests stay on /ws', () => {
    const h = harness();
    h.route.setChannel(h.link);
    h.route.send(newOrder(1, 'a'));
    expect(h.route.carrier).toBe('ws');
    expect(h.route.channelFrame(welcome)).toBeUndefined();
    expect(h.route.carrier).toBe('peer');
    h.route.send(newOrder(2, 'b'));
    h.route.send({ type: 'subscribe', requestId: 3, streamIds: [], symbols: ['BTC-USD'] });
    expect(h.ws.map((m) => m.requestId)).toEqual([1, 3]);
    expect(h.channel.map((m) => m.requestId)).toEqual([2]);
  });

  it('the channel closes with requests unanswered: each is re-sent on /ws once, unchanged; its duplicate refusal is dropped, other Errors are not', () => {
    const h = harness();
    h.route.setChannel(h.link);
    h.route.channelFrame(welcome);
    h.route.send(newOrder(1, 'a'));
    h.route.send(newOrder(2, 'b'));
    h.route.send(newOrder(3, 'c'));
    expect(h.route.firstCopy(report(1, 'a'))).toBe(true);
    h.route.setChannel(undefined);
    expect(h.route.carrier).toBe('ws');
    expect(h.ws).toEqual([newOrder(2, 'b'), newOrder(3, 'c')]);
    // 'b' had reached the relay before the cut: the OMS refuses it again, and that is no news.
    expect(h.route.swallow({ type: 'error', requestId: 2, code: ErrorCode.OMS_DUPLICATE_CLIENT_ORDER_ID, message: 'duplicate b' })).toBe(true);
    expect(h.route.swallow({ type: 'error', requestId: 3, code: ErrorCode.RISK_MAX_NOTIONAL, message: 'too big' })).toBe(false);
    // An order never re-sent keeps its duplicate refusal (the trader reused an id).
    expect(h.route.swallow({ type: 'error', requestId: 1, code: ErrorCode.OMS_DUPLICATE_CLIENT_ORDER_ID, message: 'duplicate a' })).toBe(false);
    expect(h.route.stats()).toMatchObject({ sentOnChannel: 3, sentOnWs: 2, resent: 2 });
  });

  it('a request left unanswered on the channel for 1 s: falls back to /ws, re-sends it and tells the main thread', () => {
    vi.useFakeTimers();
    const h = harness();
    h.route.setChannel(h.link);
    h.route.channelFrame(welcome);
    h.route.send(newOrder(1, 'a'));
    vi.advanceTimersByTime(CHANNEL_ANSWER_TIMEOUT_MS - 1);
    expect(h.route.carrier).toBe('peer');
    vi.advanceTimersByTime(1);
    expect(h.route.carrier).toBe('ws');
    expect(h.lost()).toBe(1);
    expect(h.ws).toEqual([newOrder(1, 'a')]);
  });

  it('an answered request is not re-sent; the second copy of a report (the other link) is dropped', () => {
    vi.useFakeTimers();
    const h = harness();
    h.route.setChannel(h.link);
    h.route.channelFrame(welcome);
    h.route.send(newOrder(1, 'a'));
    const r = report(1, 'a');
    const fromChannel = h.route.channelFrame(encodeServer(r));
    expect(fromChannel).toEqual(r);
    expect(h.route.firstCopy(fromChannel as ExecutionReportMsg)).toBe(true);
    expect(h.route.firstCopy({ ...r })).toBe(false);
    // A later report of the same order is news.
    expect(h.route.firstCopy(report(1, 'a', { status: OrderStatus.Filled, execType: ExecType.Trade, filledQty: 1, tradeId: 9 }))).toBe(true);
    vi.advanceTimersByTime(CHANNEL_ANSWER_TIMEOUT_MS * 2);
    expect(h.route.carrier).toBe('peer');
    expect(h.ws).toEqual([]);
    expect(h.route.stats().duplicateReports).toBe(1);
  });
});
