import type { Fill, Order } from './model';
import { LOCAL_DENIALS_KEPT, type BlotterOrder, type PositionView } from '../workers/terminal-api';

/** Fills the blotter keeps; the relay's /api/fills has the full history. */
export const FILLS_KEPT = 500;

/**
 * The key an order is tracked by: the relay's order id, which never changes (a confirmed
 * replace changes the client id). A request the relay refused outright has no order id: it is
 * its own row, keyed by client id and time, so it cannot overwrite the order whose client id
 * it reused.
 */
export function orderKey(o: Pick<Order, 'clientOrderId' | 'orderId' | 'createdUs'>): string {
  return o.orderId || `refused:${o.clientOrderId}:${o.createdUs}`;
}

/**
 * The account's orders, fills and positions, merged from worker frames. Frames carry only what
 * changed; a plain Map holds the latest state of each order and the reactive list is replaced
 * whole when anything changed.
 */
class AccountState {
  /** Newest first. */
  orders = $state.raw<BlotterOrder[]>([]);
  /** Newest first, at most FILLS_KEPT. */
  fills = $state.raw<Fill[]>([]);
  positions = $state.raw<PositionView[]>([]);
  private byKey = new Map<string, BlotterOrder>();
  /** Keys of refused requests (no relay order), oldest first: kept as boundedly as the worker keeps them. */
  private localKeys: string[] = [];

  applyOrders(changed: BlotterOrder[]): void {
    if (changed.length === 0) return;
    for (const o of changed) {
      const key = orderKey(o);
      if (o.orderId === '' && !this.byKey.has(key)) this.localKeys.push(key);
      this.byKey.set(key, o);
    }
    while (this.localKeys.length > LOCAL_DENIALS_KEPT) this.byKey.delete(this.localKeys.shift()!);
    this.orders = [...this.byKey.values()].sort((a, b) => b.createdUs - a.createdUs);
  }

  applyFills(fills: Fill[]): void {
    if (fills.length === 0) return;
    const next = fills.slice().reverse().concat(this.fills);
    this.fills = next.length > FILLS_KEPT ? next.slice(0, FILLS_KEPT) : next;
  }

  applyPositions(positions: PositionView[] | undefined): void {
    if (positions) this.positions = positions;
  }

  clear(): void {
    this.byKey.clear();
    this.localKeys = [];
    this.orders = [];
    this.fills = [];
    this.positions = [];
  }
}

export const account = new AccountState();
