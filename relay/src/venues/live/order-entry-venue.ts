import type { ResumedOrder, VenueAdapter, VenueExecution, VenueHealth, VenueOrderRequest } from '../venue-adapter';

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

/** A socket as health reads it: open now, and connects made so far. */
interface CountedSocket {
  readonly isOpen: boolean;
  readonly connects: number;
}

/**
 * A real venue's health from the counters kept where things happen: its market-data socket,
 * its private order socket (undefined without keys: then the order figures are absent, not 0),
 * the rate-limit answers of all its gates and its reconciliation passes.
 */
export function venueHealth(market: CountedSocket, orderSocket: CountedSocket | undefined, rateLimited: number, reconciliations: number): VenueHealth {
  return {
    connected: market.isOpen,
    connects: market.connects + (orderSocket?.connects ?? 0),
    rateLimited,
    ordersConnected: orderSocket ? orderSocket.isOpen : undefined,
    reconciliations: orderSocket ? reconciliations : undefined,
  };
}
