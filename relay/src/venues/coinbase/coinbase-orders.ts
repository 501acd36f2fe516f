import { ErrorCode } from '@tickmesh/shared';
import type { VenueCredentials } from '../live/venue-credentials';
import type { VenueExecution, VenueOrderRequest } from '../venue-adapter';

/** Options of {@link CoinbaseOrders}. */
export interface CoinbaseOrdersOptions {
  credentials: VenueCredentials | undefined;
  nowUs: () => number;
}

/**
 * Order entry on Coinbase: not implemented yet (POST /api/v3/brokerage/orders with an ES256
 * JWT and the `user` channel are still to be written). Until then every order is refused by
 * our side, never sent: without keys with VENUE_NO_CREDENTIALS (market data only, as for
 * every venue), with keys with VENUE_UNSUPPORTED_ORDER_TYPE. A cancel or replace of an order
 * that can never have been accepted is `cancel-rejected` with VENUE_UNKNOWN_ORDER.
 * Reports are delivered on a microtask, never inside submit() (as the sim venue does).
 */
export class CoinbaseOrders {
  private readonly listeners: ((r: VenueExecution) => void)[] = [];

  constructor(private readonly options: CoinbaseOrdersOptions) {}

  onExecution(listener: (r: VenueExecution) => void): void {
    this.listeners.push(listener);
  }

  submit(order: VenueOrderRequest): void {
    const code = this.options.credentials === undefined ? ErrorCode.VENUE_NO_CREDENTIALS : ErrorCode.VENUE_UNSUPPORTED_ORDER_TYPE;
    const reason = this.options.credentials === undefined ? 'coinbase: no API keys configured (market data only)' : 'coinbase: order entry is not supported by this adapter yet';
    this.report(order.orderId, 'rejected', code, reason);
  }

  cancel(orderId: string): void {
    this.report(orderId, 'cancel-rejected', ErrorCode.VENUE_UNKNOWN_ORDER, 'coinbase: no order was sent');
  }

  replace(orderId: string, _price: number, _qty: number): void {
    this.report(orderId, 'cancel-rejected', ErrorCode.VENUE_UNKNOWN_ORDER, 'coinbase: no order was sent');
  }

  private report(orderId: string, kind: 'rejected' | 'cancel-rejected', reasonCode: string, reason: string): void {
    const r: VenueExecution = { orderId, kind, price: 0, qty: 0, leavesQty: 0, tradeId: 0, liquidityMaker: false, fee: 0, reasonCode, reason, timeUs: this.options.nowUs() };
    queueMicrotask(() => {
      for (const l of this.listeners) l(r);
    });
  }
}
