import { ErrorCode, OrderStatus, fail, ok, type Result } from '@tickmesh/shared';

const S = OrderStatus;

/**
 * THE order state machine (DESIGN.md house style 4): every status change of every order,
 * parent or child, goes through this one table; anything not listed is an error
 * (OMS_INVALID_TRANSITION). Terminal statuses have no exits.
 *
 * Why the less obvious edges exist:
 * - Initialized → Canceled: a child canceled while its Submitted record was still becoming
 *   durable, so it never reached the venue; also orders found half-created on recovery.
 * - Submitted → PendingCancel / PendingCancel → Rejected: a client may cancel before the venue
 *   acknowledged; the venue may then still refuse the new order.
 * - PendingCancel → PartiallyFilled / Filled (and the same from PendingUpdate): a fill can
 *   cross our cancel/replace on the wire; the fill is real and wins.
 * - PendingCancel → Submitted / Accepted / PartiallyFilled / Triggered / PendingUpdate and
 *   PendingUpdate → Accepted / PartiallyFilled / Triggered: a cancel reject (or replace reject)
 *   restores the status the order had before the request, and a replace acknowledgement
 *   returns the order to working. The OMS remembers that status (OrderRecord.working).
 * - PendingUpdate → PendingCancel: a cancel may be sent while a replace is outstanding.
 * - PartiallyFilled → PartiallyFilled: each further partial fill is a state change.
 *
 * Conditional orders (relay/src/oms/conditional; the parent the OMS holds, never a venue):
 * - Submitted → PendingTrigger: armed once risk passed; Accepted / PartiallyFilled →
 *   PendingTrigger: a bracket's exits armed once its entry filled (or ended part-filled).
 * - PendingTrigger → PartiallyFilled / Filled: an OCO's limit leg traded while its stop waits;
 *   PartiallyFilled → Triggered: that OCO's stop then fired for the rest.
 * - PendingTrigger → Triggered: the relay's market data crossed the trigger; the child goes out.
 * - Triggered → Denied: the triggered child failed its risk re-check (a halted market): it is
 *   refused with the risk code, never sent, and the conditional order ends with it.
 * - PendingTrigger → Canceled / Expired and PendingCancel → PendingTrigger: as for working
 *   orders (an armed order with nothing at a venue cancels at once).
 */
export const transitions: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  [S.Initialized]: [S.Denied, S.Submitted, S.Canceled],
  [S.Denied]: [],
  [S.Submitted]: [S.Accepted, S.Rejected, S.PendingCancel, S.PartiallyFilled, S.Filled, S.Canceled, S.Expired, S.PendingTrigger],
  [S.Accepted]: [S.PendingUpdate, S.PendingCancel, S.PartiallyFilled, S.Filled, S.Canceled, S.Expired, S.Triggered, S.PendingTrigger],
  [S.Rejected]: [],
  [S.PendingUpdate]: [S.Accepted, S.PartiallyFilled, S.Triggered, S.PendingCancel, S.Filled, S.Canceled, S.Expired],
  [S.PendingCancel]: [
    S.Submitted,
    S.Accepted,
    S.PartiallyFilled,
    S.Triggered,
    S.PendingUpdate,
    S.Filled,
    S.Canceled,
    S.Expired,
    S.Rejected,
    S.PendingTrigger,
  ],
  [S.PartiallyFilled]: [S.PartiallyFilled, S.PendingUpdate, S.PendingCancel, S.Filled, S.Canceled, S.Expired, S.PendingTrigger, S.Triggered],
  [S.Filled]: [],
  [S.Canceled]: [],
  [S.Expired]: [],
  [S.Triggered]: [S.PendingUpdate, S.PendingCancel, S.PartiallyFilled, S.Filled, S.Canceled, S.Expired, S.Rejected, S.Denied],
  [S.PendingTrigger]: [S.Triggered, S.PartiallyFilled, S.Filled, S.PendingCancel, S.Canceled, S.Expired],
};

/** Human-readable status names (messages and alerts only; never matched on). */
export const orderStatusName: Readonly<Record<OrderStatus, string>> = {
  [S.Initialized]: 'initialized',
  [S.Denied]: 'denied',
  [S.Submitted]: 'submitted',
  [S.Accepted]: 'accepted',
  [S.Rejected]: 'rejected',
  [S.PendingUpdate]: 'pending-update',
  [S.PendingCancel]: 'pending-cancel',
  [S.PartiallyFilled]: 'partially-filled',
  [S.Filled]: 'filled',
  [S.Canceled]: 'canceled',
  [S.Expired]: 'expired',
  [S.Triggered]: 'triggered',
  [S.PendingTrigger]: 'pending-trigger',
};

/** True if the table allows `from` → `to`. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return transitions[from].includes(to);
}

/** True for statuses with no exits (denied, rejected, filled, canceled, expired). */
export function isTerminal(status: OrderStatus): boolean {
  return transitions[status].length === 0;
}

/**
 * Moves `order` to `to` if the table allows it; the order is left untouched otherwise.
 * @returns the previous status, or OMS_INVALID_TRANSITION.
 */
export function transition(order: { status: OrderStatus }, to: OrderStatus): Result<OrderStatus> {
  const from = order.status;
  if (!canTransition(from, to)) {
    return fail(ErrorCode.OMS_INVALID_TRANSITION, `order status ${orderStatusName[from]} cannot become ${orderStatusName[to]}`);
  }
  order.status = to;
  return ok(from);
}
