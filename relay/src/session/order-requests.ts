import { ok, orderIntent, type ClientMsg, type OrderIntent, type Result } from '@tickmesh/shared';

/** What a session needs of the OMS (relay/src/oms Oms satisfies it). */
export interface OrderEntry {
  newOrder(intent: OrderIntent, requestId: number): Promise<Result<unknown>>;
  cancel(account: string, origClientOrderId: string, requestId: number): Promise<Result<unknown>>;
  replace(account: string, origClientOrderId: string, newClientOrderId: string, price: number, qty: number, requestId: number): Promise<Result<unknown>>;
  cancelAll(account: string, symbol: string | undefined, requestId: number): Promise<number>;
}

/** Per-account request budget shared by every session of the account. */
export interface AccountLimiter {
  take(account: string): boolean;
}

export type OrderRequestMsg = Extract<ClientMsg, { type: 'newOrder' | 'cancelOrder' | 'replaceOrder' | 'cancelAll' }>;

/** Hands one order request to the OMS under `account` (the session's, never the message's). */
export function forwardOrderRequest(orders: OrderEntry, msg: OrderRequestMsg, account: string): Promise<Result<unknown>> {
  switch (msg.type) {
    case 'newOrder':
      return orders.newOrder(orderIntent(msg, account), msg.requestId);
    case 'cancelOrder':
      return orders.cancel(account, msg.origClientOrderId, msg.requestId);
    case 'replaceOrder':
      return orders.replace(account, msg.origClientOrderId, msg.clientOrderId, msg.price, msg.qty, msg.requestId);
    case 'cancelAll':
      return orders.cancelAll(account, msg.symbol || undefined, msg.requestId).then((n) => ok(n));
  }
}
