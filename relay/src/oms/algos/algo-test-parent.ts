import { Algo, OrderStatus, OrderType, Side, TimeInForce, type Order } from '@tickmesh/shared';

/** A parent order for algo tests; override what the test is about. */
export function algoParent(over: Partial<Order>): Order {
  return {
    account: 'acc-1',
    clientOrderId: 'c-1',
    symbol: 'BTC-USD',
    venue: '',
    side: Side.Buy,
    orderType: OrderType.Limit,
    timeInForce: TimeInForce.GTC,
    price: 10_000,
    qty: 100,
    postOnly: false,
    algo: Algo.TWAP,
    displayQty: 0,
    durationMs: 60_000,
    orderId: 'p-1',
    parentOrderId: '',
    status: OrderStatus.Accepted,
    filledQty: 0,
    cumNotional: 0,
    fees: 0,
    reasonCode: '',
    reason: '',
    createdUs: 0,
    updatedUs: 0,
    ...over,
  };
}
