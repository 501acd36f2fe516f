import type { RestingOrder } from './resting-order';

/**
 * All orders at one price on one side: an intrusive doubly-linked FIFO (time priority) with a
 * running total, so L2 updates cost O(1) and unlinking any order needs no search.
 */
export class PriceLevel {
  price = 0;
  /** Sum of `remaining` of the orders in the queue (lots). */
  total = 0;
  count = 0;
  head: RestingOrder | null = null;
  tail: RestingOrder | null = null;

  /** Appends at the back of the queue (lowest time priority). */
  append(o: RestingOrder): void {
    o.level = this;
    o.next = null;
    o.prev = this.tail;
    if (this.tail === null) this.head = o;
    else this.tail.next = o;
    this.tail = o;
    this.total += o.remaining;
    this.count++;
  }

  /** Unlinks `o` and subtracts its remaining quantity from the total. */
  unlink(o: RestingOrder): void {
    const p = o.prev;
    const n = o.next;
    if (p === null) this.head = n;
    else p.next = n;
    if (n === null) this.tail = p;
    else n.prev = p;
    o.prev = o.next = null;
    o.level = null;
    this.total -= o.remaining;
    this.count--;
  }

  reset(price: number): void {
    this.price = price;
    this.total = 0;
    this.count = 0;
    this.head = this.tail = null;
  }
}
