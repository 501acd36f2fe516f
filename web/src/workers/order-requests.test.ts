import { Algo, ExecType, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type OrderIntent } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { OrderBlotter } from './order-blotter';
import { OrderRequests } from './order-requests';

const intent = (clientOrderId: string): OrderIntent => ({
  account: 'acc', clientOrderId, symbol: 'BTC-USD', venue: '', side: Side.Sell, orderType: OrderType.Market,
  timeInForce: TimeInForce.IOC, price: 0, qty: 10, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
});

const accepted = (clientOrderId: string, requestId: number): ExecutionReportMsg => ({
  type: 'executionReport', requestId, orderId: `O-${clientOrderId}`, clientOrderId, parentOrderId: '', status: OrderStatus.Accepted,
  execType: ExecType.New, symbol: 'BTC-USD', venue: 'sim-a', side: Side.Sell, orderType: OrderType.Market, timeInForce: TimeInForce.IOC, price: 0, qty: 10,
  filledQty: 0, leavesQty: 10, cumNotional: 0, lastPrice: 0, lastQty: 0, tradeId: 0, reasonCode: '', reason: '', fee: 0,
  liquidityMaker: false, timeUs: 1, account: 'acc', algo: Algo.None,
});

describe('OrderRequests', () => {
  it('an Error answering a new order becomes a Denied row with the relay code and message', () => {
    const blotter = new OrderBlotter();
    const reqs = new OrderRequests(() => blotter);
    reqs.remember(7, { kind: 'new', intent: intent('n1') });
    reqs.refused(7, 'AUTH_FORBIDDEN', 'a viewer may not trade', 9_000);
    expect(blotter.takeChanged()).toEqual([
      expect.objectContaining({ clientOrderId: 'n1', orderId: '', status: OrderStatus.Denied, reasonCode: 'AUTH_FORBIDDEN', reason: 'a viewer may not trade', local: true, createdUs: 9_000 }),
    ]);
    // Answered once: the same Error again (or one for a request never sent) adds nothing.
    reqs.refused(7, 'AUTH_FORBIDDEN', 'again', 9_001);
    reqs.refused(0, 'CODEC_MALFORMED', 'not ours', 9_002);
    expect(blotter.takeChanged()).toEqual([]);
  });

  it('a report settles its request: it names the intent, and a later Error for it adds no row', () => {
    const blotter = new OrderBlotter();
    const reqs = new OrderRequests(() => blotter);
    const i = intent('n2');
    reqs.remember(8, { kind: 'new', intent: i });
    expect(reqs.settled(8)).toBe(i);
    blotter.apply(accepted('n2', 8), i);
    blotter.takeChanged();
    reqs.refused(8, 'OMS_DUPLICATE_CLIENT_ORDER_ID', 'late', 2);
    expect(blotter.takeChanged()).toEqual([]);
    expect(reqs.settled(8)).toBeUndefined();
  });

  it('an Error answering a cancel marks the order it named; other requests leave the blotter alone', () => {
    const blotter = new OrderBlotter();
    const reqs = new OrderRequests(() => blotter);
    blotter.apply(accepted('n3', 0));
    blotter.takeChanged();
    reqs.remember(9, { kind: 'cancel', origClientOrderId: 'n3' });
    reqs.remember(10, { kind: 'other' });
    reqs.refused(10, 'OMS_RATE_LIMITED', 'slow down', 3);
    expect(blotter.takeChanged()).toEqual([]);
    reqs.refused(9, 'OMS_UNKNOWN_ORDER', 'no order n3 at the venue', 4);
    expect(blotter.takeChanged()).toEqual([expect.objectContaining({ clientOrderId: 'n3', status: OrderStatus.Accepted, reasonCode: 'OMS_UNKNOWN_ORDER', reason: 'no order n3 at the venue' })]);
  });

  it('forgets the oldest requests past its bound', () => {
    const blotter = new OrderBlotter();
    const reqs = new OrderRequests(() => blotter, 2);
    for (let id = 1; id <= 3; id++) reqs.remember(id, { kind: 'new', intent: intent(`r${id}`) });
    expect(reqs.size).toBe(2);
    reqs.refused(1, 'X', 'x', 1);
    reqs.refused(3, 'Y', 'y', 2);
    expect(blotter.takeChanged().map((o) => o.clientOrderId)).toEqual(['r3']);
  });
});
