import { ErrorCode } from '@tickmesh/shared';
import type { VenueExecution, VenueOrderRequest } from '../venue-adapter';

/**
 * Kraken order entry — NOT IMPLEMENTED YET (market data only). Every order is refused on our
 * side, never sent: submit -> `rejected` VENUE_UNSUPPORTED_ORDER_TYPE, cancel/replace ->
 * `cancel-rejected` VENUE_UNSUPPORTED_ORDER_TYPE / VENUE_UNSUPPORTED_REPLACE. Reports arrive in
 * a microtask after the call, as every venue's do (the OMS never sees one re-entrantly).
 */
export class KrakenOrders {
  private readonly listeners: ((report: VenueExecution) => void)[] = [];

  constructor(private readonly nowUs: () => number) {}

  onExecution(listener: (report: VenueExecution) => void): void {
    this.listeners.push(listener);
  }

  submit(order: VenueOrderRequest): void {
    this.report(order.orderId, 'rejected', ErrorCode.VENUE_UNSUPPORTED_ORDER_TYPE, 'kraken order entry is not supported yet (market data only)');
  }

  cancel(orderId: string): void {
    this.report(orderId, 'cancel-rejected', ErrorCode.VENUE_UNSUPPORTED_ORDER_TYPE, 'kraken order entry is not supported yet');
  }

  replace(orderId: string, _price: number, _qty: number): void {
    this.report(orderId, 'cancel-rejected', ErrorCode.VENUE_UNSUPPORTED_REPLACE, 'kraken order entry is not supported yet');
  }

  private report(orderId: string, kind: VenueExecution['kind'], reasonCode: string, reason: string): void {
    const exec: VenueExecution = { orderId, kind, price: 0, qty: 0, leavesQty: 0, tradeId: 0, liquidityMaker: false, fee: 0, reasonCode, reason, timeUs: this.nowUs() };
    queueMicrotask(() => {
      for (const l of this.listeners) l(exec);
    });
  }
}
