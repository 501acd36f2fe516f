import { Algo, ExecType, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type OrderIntent } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { OrderBlotter } from './order-blotter';

function intent(clientOrderId: string, over: Partial<OrderIntent> = {}): OrderIntent {
  return {
    account: 'acc', clientOrderId, symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy, orderType: OrderType.Limit,
    timeInForce: TimeInForce.GTC, price: 5_000_000, qty: 100, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0, ...over,
  };
}

function report(over: Partial<ExecutionReportMsg>): ExecutionReportMsg {
  return {
    type: 'executionReport', requestId: 0, orderId: 'O1', clientOrderId: 'c1', parentOrderId: '', status: OrderStatus.Accepted,
    execType: ExecType.New, symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy, orderType: OrderType.Limit, timeInForce: TimeInForce.GTC, price: 5_000_000, qty: 100,
    filledQty: 0, leavesQty: 100, cumNotional: 0, lastPrice: 0, lastQty: 0, tradeId: 0, reasonCode: '', reason: '', fee: 0,
    liquidityMaker: false, timeUs: 1_000, account: 'acc', algo: Algo.None, ...over,
  };
}

describe('OrderBlotter denied requests', () => {
  it('keeps a refused request as a Denied row with its code and text, and no relay order id', () => {
    const b = new OrderBlotter();
    b.deniedRequest(intent('big', { qty: 50_000_000 }), 'RISK_INVALID_QTY', 2_000, 'qty 5,000 BTC is above the instrument maximum 1,000 BTC');
    const [row] = b.takeChanged();
    expect(row).toMatchObject({
      clientOrderId: 'big', orderId: '', status: OrderStatus.Denied, reasonCode: 'RISK_INVALID_QTY',
      reason: 'qty 5,000 BTC is above the instrument maximum 1,000 BTC', local: true, qty: 50_000_000, createdUs: 2_000,
    });
    // Only the OrderIntent fields and the row's own: nothing extra leaks in from the caller's object.
    expect(Object.keys(row!).sort()).toEqual(
      [...Object.keys(intent('x')), 'orderId', 'parentOrderId', 'status', 'filledQty', 'cumNotional', 'fees', 'reasonCode', 'reason', 'local', 'createdUs', 'updatedUs'].sort(),
    );
  });

  it('is not a real order: no client-id lookup, no exposure, and reports and REST loads leave it alone', () => {
    const b = new OrderBlotter();
    b.apply(report({ clientOrderId: 'c1' }));
    b.deniedRequest(intent('c1'), 'OMS_DUPLICATE_CLIENT_ORDER_ID', 2_000, 'client order id c1 is live');
    expect(b.byClientOrderId('c1')?.orderId).toBe('O1');
    expect(b.exposure('BTC-USD', () => 0).openOrders).toBe(1);
    b.takeChanged();
    b.apply(report({ clientOrderId: 'c1', status: OrderStatus.Canceled, execType: ExecType.Canceled, timeUs: 3_000 }));
    b.load([{ ...b.byClientOrderId('c1')!, orderId: 'O2', clientOrderId: 'c2' }]);
    const denied = [...b.values()].filter((o) => o.status === OrderStatus.Denied);
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ orderId: '', clientOrderId: 'c1', reasonCode: 'OMS_DUPLICATE_CLIENT_ORDER_ID', reason: 'client order id c1 is live' });
    expect(b.size).toBe(3);
  });

  it('keeps at most maxLocalDenials of them, dropping the oldest', () => {
    const b = new OrderBlotter({ maxLocalDenials: 3 });
    b.apply(report({}));
    for (let i = 1; i <= 5; i++) b.deniedRequest(intent(`d${i}`), 'RISK_MAX_NOTIONAL', i, `text ${i}`);
    const denied = [...b.values()].filter((o) => o.orderId === '').map((o) => o.clientOrderId);
    expect(denied).toEqual(['d3', 'd4', 'd5']);
    // Dropped before any frame took them: they are not sent either.
    expect(b.takeChanged().map((o) => o.clientOrderId)).toEqual(['c1', 'd3', 'd4', 'd5']);
    expect(b.size).toBe(4); // the relay order is never dropped
  });
});

describe('OrderBlotter orders it did not send', () => {
  it("a child (an algo's slice, a router's leg) takes its time in force from the report, not GTC", () => {
    const b = new OrderBlotter();
    const child = b.apply(report({ orderId: 'C1', clientOrderId: 'twap.1', parentOrderId: 'P1', timeInForce: TimeInForce.IOC }));
    expect(child).toMatchObject({ parentOrderId: 'P1', timeInForce: TimeInForce.IOC });
    // One this page sent keeps what the report says too (the relay's is the order's truth).
    expect(b.apply(report({ orderId: 'O9', clientOrderId: 'c9', timeInForce: TimeInForce.FOK }), intent('c9')).timeInForce).toBe(TimeInForce.FOK);
  });
});

describe('OrderBlotter reasons of relay orders', () => {
  it('keeps the text of a Denied or Rejected report with its code; a later report without a code clears both', () => {
    const b = new OrderBlotter();
    const o = b.apply(report({ status: OrderStatus.Denied, execType: ExecType.Denied, reasonCode: 'RISK_PRICE_COLLAR', reason: 'price 40,000.00 USD is outside the collar' }));
    expect(o).toMatchObject({ reasonCode: 'RISK_PRICE_COLLAR', reason: 'price 40,000.00 USD is outside the collar', local: false });
    const r = b.apply(report({ orderId: 'O2', clientOrderId: 'c2', status: OrderStatus.Rejected, execType: ExecType.Rejected, reasonCode: 'VENUE_POST_ONLY_WOULD_TAKE', reason: 'would take' }));
    expect(r.reason).toBe('would take');
    const again = b.apply(report({ orderId: 'O3', clientOrderId: 'c3', status: OrderStatus.Accepted, reasonCode: 'X', reason: 'x' }));
    b.apply(report({ orderId: 'O3', clientOrderId: 'c3', status: OrderStatus.Canceled, execType: ExecType.Canceled, timeUs: 2_000 }));
    expect(again).toMatchObject({ reasonCode: '', reason: '' });
  });

  it('a cancel reject names the request, not the order: code and text stay as they were', () => {
    const b = new OrderBlotter();
    const o = b.apply(report({}));
    b.apply(report({ execType: ExecType.CancelRejected, reasonCode: 'VENUE_TOO_LATE', reason: 'too late', timeUs: 2_000 }));
    expect(o).toMatchObject({ reasonCode: '', reason: '' });
  });

  it("a REST snapshot gives the code's text; one without texts (an older relay) keeps a text already held for the same code", () => {
    const b = new OrderBlotter();
    const o = b.apply(report({ status: OrderStatus.Denied, execType: ExecType.Denied, reasonCode: 'RISK_MAX_QTY', reason: 'qty 2 BTC is above 1 BTC' }));
    const { local: _local, ...plain } = o;
    b.load([{ ...plain, reason: '', updatedUs: o.updatedUs + 1 }]);
    expect(b.byClientOrderId('c1')).toMatchObject({ reasonCode: 'RISK_MAX_QTY', reason: 'qty 2 BTC is above 1 BTC' });
    b.load([{ ...plain, reasonCode: 'OTHER', reason: '', updatedUs: o.updatedUs + 2 }]);
    expect(b.byClientOrderId('c1')).toMatchObject({ reasonCode: 'OTHER', reason: '' });
    // A fresh worker (after a reload) holds nothing: the text comes from REST.
    const fresh = new OrderBlotter();
    fresh.load([{ ...plain, reason: 'qty 2 BTC is above 1 BTC' }]);
    expect(fresh.byClientOrderId('c1')).toMatchObject({ reasonCode: 'RISK_MAX_QTY', reason: 'qty 2 BTC is above 1 BTC' });
  });

  it('a refused cancel or replace marks the order with the code and text', () => {
    const b = new OrderBlotter();
    const o = b.apply(report({}));
    b.takeChanged();
    b.refused(o, 'RISK_MAX_NOTIONAL', 5_000, 'notional 600,000.00 USD is above the limit 500,000.00 USD');
    expect(b.takeChanged()).toEqual([expect.objectContaining({ orderId: 'O1', status: OrderStatus.Accepted, reasonCode: 'RISK_MAX_NOTIONAL', reason: 'notional 600,000.00 USD is above the limit 500,000.00 USD' })]);
  });
});
