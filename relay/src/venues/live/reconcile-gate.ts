import type { TrackedOrder } from './tracked-orders';

/**
 * Cancels and replaces of orders handed back at a restart (VenueAdapter.resume), held until a
 * reconciliation pass has read each order at the venue. Before that the adapter may not be
 * able to act on it (Binance's order session is not up yet, Coinbase has no venue order id),
 * and a refusal then would leave the order working at the venue while the trader thinks the
 * cancel failed for good. Held actions are never dropped: they run, in the order asked, once
 * the order's reconciliation is done; an order that turned out closed at the venue has had
 * its close reported by that reconciliation, which is then the answer to the held cancel.
 */
export class ReconcileGate<Order extends TrackedOrder> {
  private readonly waiting = new Map<Order, (() => void)[]>();

  /** `t` was handed back: its cancels and replaces wait for its first reconciliation. */
  hold(t: Order): void {
    if (!this.waiting.has(t)) this.waiting.set(t, []);
  }

  /** True when `t` still waits and `action` was held for later; false: act now. */
  defer(t: Order, action: () => void): boolean {
    const held = this.waiting.get(t);
    if (!held) return false;
    held.push(action);
    return true;
  }

  /** The orders still waiting, taken when a pass starts: the pass reads every one of them. */
  pending(): Order[] {
    return this.waiting.size === 0 ? NONE : [...this.waiting.keys()];
  }

  /** Orders waiting, and actions held for them (for logs at stop, and tests). */
  get size(): number {
    return this.waiting.size;
  }

  /**
   * `orders` were read by a pass that completed: their held actions run now. An order the
   * pass found closed runs none (its close was reported; a cancel of it would only be refused).
   */
  release(orders: readonly Order[]): void {
    for (const t of orders) {
      const held = this.waiting.get(t);
      if (!held) continue;
      this.waiting.delete(t);
      if (t.terminal) continue;
      for (const action of held) action();
    }
  }
}

const NONE: never[] = [];
