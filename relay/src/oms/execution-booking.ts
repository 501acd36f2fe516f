import { ErrorCode, ExecType, OrderStatus } from '@tickmesh/shared';
import type { VenueExecution } from '../venues/venue-adapter';
import { tradeEvent, type OmsCore } from './oms-core';
import { displayedStatus, fillOf } from './order-record';
import { isTerminal } from './order-transitions';
import type { ParentOrders } from './parent-orders';

/**
 * Applies what venues report about our venue-facing orders (direct orders and children):
 * the status change through the transition table, and for a fill the booking of the fill
 * and of the position — once, on the order that traded; a child's parent only rolls it up.
 * A report the table refuses is journaled as an alert and not applied, except a fill: the
 * trade happened whatever our state says, so it is always booked.
 */
export class ExecutionBooking {
  constructor(
    private readonly core: OmsCore,
    private readonly parents: ParentOrders,
  ) {}

  apply(venueId: string, e: VenueExecution): void {
    const core = this.core;
    const rec = core.store.get(e.orderId);
    if (rec === undefined || rec.parent !== null || rec.order.venue !== venueId) {
      core.alert(ErrorCode.OMS_UNKNOWN_ORDER, rec?.order.account ?? '', rec?.order.symbol ?? '', `${venueId} reported ${e.kind} for unknown order ${e.orderId}`, e.timeUs);
      return;
    }
    const o = rec.order;
    switch (e.kind) {
      case 'accepted': {
        if (rec.working === OrderStatus.Submitted) rec.working = OrderStatus.Accepted;
        if (!core.moveFromVenue(rec, displayedStatus(rec), e)) return;
        core.publish(rec, { execType: ExecType.New, timeUs: e.timeUs });
        this.parents.childAccepted(rec, e.timeUs);
        return;
      }
      case 'fill': {
        o.filledQty += e.qty;
        o.cumNotional += e.price * e.qty;
        o.fees += e.fee;
        const to = o.filledQty >= o.qty ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
        if (!isTerminal(o.status)) {
          rec.working = to;
          if (to === OrderStatus.Filled) rec.pending.length = 0;
        }
        const moved = core.moveFromVenue(rec, to, e);
        const fill = fillOf(rec, e.price, e.qty, e.fee, e.liquidityMaker, e.tradeId, e.timeUs);
        core.store.addFill(fill);
        core.book.apply(fill);
        core.publish(rec, tradeEvent(e));
        this.parents.childFilled(rec, e);
        if (moved && isTerminal(o.status)) this.parents.childEnded(rec, e.timeUs);
        return;
      }
      case 'canceled':
      case 'expired':
      case 'rejected': {
        const to = e.kind === 'canceled' ? OrderStatus.Canceled : e.kind === 'expired' ? OrderStatus.Expired : OrderStatus.Rejected;
        if (!core.moveFromVenue(rec, to, e)) return;
        rec.pending.length = 0;
        o.reasonCode = e.reasonCode;
        const execType = e.kind === 'canceled' ? ExecType.Canceled : e.kind === 'expired' ? ExecType.Expired : ExecType.Rejected;
        core.publish(rec, { execType, timeUs: e.timeUs, reason: e.reason });
        this.parents.childEnded(rec, e.timeUs);
        return;
      }
      case 'replaced': {
        const i = rec.pending.findIndex((p) => p.kind === 'replace');
        const req = i >= 0 ? rec.pending.splice(i, 1)[0]! : undefined;
        if (rec.working === OrderStatus.Submitted) rec.working = OrderStatus.Accepted;
        if (!core.moveFromVenue(rec, displayedStatus(rec), e)) return;
        o.price = e.price;
        o.qty = e.qty;
        if (req !== undefined && req.clientOrderId !== '') o.clientOrderId = req.clientOrderId;
        core.publish(rec, { execType: ExecType.Replaced, timeUs: e.timeUs });
        return;
      }
      case 'cancel-rejected': {
        // Venues answer requests in order: the oldest outstanding one was refused.
        rec.pending.shift();
        if (!isTerminal(o.status) && !core.moveFromVenue(rec, displayedStatus(rec), e)) return;
        core.publish(rec, { execType: ExecType.CancelRejected, timeUs: e.timeUs, reasonCode: e.reasonCode, reason: e.reason });
        return;
      }
    }
  }
}
