import { fail, type Result } from '@tickmesh/shared';
import type { OrderEntry } from '../session/order-requests';

/** Stable code of an order sent to an edge: the OMS over NATS is a later slice of issue 12. */
export const OMS_NOT_ON_EDGE = 'OMS_NOT_ON_EDGE';

/** An edge's order entry for now: every order request is refused with OMS_NOT_ON_EDGE. */
export const edgeOrders: OrderEntry = {
  newOrder: () => refused(),
  cancel: () => refused(),
  replace: () => refused(),
  // An edge holds no orders: there is nothing to cancel.
  cancelAll: () => Promise.resolve(0),
};

function refused(): Promise<Result<unknown>> {
  return Promise.resolve(fail(OMS_NOT_ON_EDGE, 'orders are not taken on an edge yet: send them to a relay with --role all'));
}
