import type { OrderIntent } from '@tickmesh/shared';
import type { OrderBlotter } from './order-blotter';

/** An order request sent and not yet answered by a report or an Error. */
export type PendingRequest =
  | { kind: 'new'; intent: OrderIntent }
  | { kind: 'cancel' | 'replace'; origClientOrderId: string }
  | { kind: 'other' };

/**
 * The order requests the worker sent, by requestId, until the relay answers them, and what
 * an answer means for the blotter: a report settles its request (and names the intent it came
 * from); an Error for a new order becomes a Denied row with the relay's code and message, an
 * Error for a cancel or replace marks the order it named. Bounded: requests never answered
 * age out, oldest first.
 */
export class OrderRequests {
  private readonly pending = new Map<number, PendingRequest>();

  /** `max`: requests remembered. Default 1,000. */
  constructor(
    private readonly blotter: () => OrderBlotter,
    private readonly max = 1000,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  remember(requestId: number, p: PendingRequest): void {
    this.pending.set(requestId, p);
    if (this.pending.size > this.max) this.pending.delete(this.pending.keys().next().value!);
  }

  /**
   * A report answering `requestId` (0 = unsolicited): the request reached the OMS, so a later
   * Error for it (if any) must not add a second row. Returns the intent of a new order.
   */
  settled(requestId: number): OrderIntent | undefined {
    if (requestId === 0) return undefined;
    const p = this.pending.get(requestId);
    if (p === undefined) return undefined;
    this.pending.delete(requestId);
    return p.kind === 'new' ? p.intent : undefined;
  }

  /** A relay Error answering `requestId`: shown on the blotter when it was an order request of ours. */
  refused(requestId: number, code: string, message: string, nowUs: number): void {
    const p = requestId === 0 ? undefined : this.pending.get(requestId);
    if (p === undefined) return;
    this.pending.delete(requestId);
    const blotter = this.blotter();
    if (p.kind === 'new') blotter.deniedRequest(p.intent, code, nowUs, message);
    else if (p.kind === 'cancel' || p.kind === 'replace') {
      const o = blotter.byClientOrderId(p.origClientOrderId);
      if (o !== undefined) blotter.refused(o, code, nowUs, message);
    }
  }
}
