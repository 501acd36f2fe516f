import type { ResumedOrder, VenueAdapter, VenueExecution, VenueOrderRequest } from '../venue-adapter';

/** A real venue's order entry (BinanceOrders, CoinbaseOrders, KrakenOrders): the order half of its adapter. */
export interface VenueOrderEntry {
  start(): void;
  stop(): Promise<void>;
  submit(order: VenueOrderRequest): void;
  cancel(orderId: string): void;
  replace(orderId: string, price: number, qty: number): void;
  onExecution(listener: (report: VenueExecution) => void): void;
  resume(orders: readonly ResumedOrder[]): void;
}

/**
 * Base of every real venue's adapter: VenueAdapter's order methods are its order entry's, so
 * the adapter itself is only market data. A real venue keeps our orders while we are down,
 * so resume() hands them back to the order entry to reconcile.
 */
export abstract class OrderEntryVenue implements Pick<VenueAdapter, 'submit' | 'cancel' | 'replace' | 'onExecution' | 'resume'> {
  protected abstract readonly orders: VenueOrderEntry;

  submit(order: VenueOrderRequest): void {
    this.orders.submit(order);
  }

  cancel(orderId: string): void {
    this.orders.cancel(orderId);
  }

  replace(orderId: string, price: number, qty: number): void {
    this.orders.replace(orderId, price, qty);
  }

  onExecution(listener: (report: VenueExecution) => void): void {
    this.orders.onExecution(listener);
  }

  resume(orders: readonly ResumedOrder[]): void {
    this.orders.resume(orders);
  }
}
