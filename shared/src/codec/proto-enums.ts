import { Algo } from '../model/messages';
import { ExecType, OrderStatus, OrderType, TimeInForce } from '../model/order';
import { Side } from '../model/side';

/**
 * Allowed wire values of each enum. Domain numbering equals proto numbering, so mapping is the
 * identity; decoding only checks membership. Proto's UNSPECIFIED (0) is excluded wherever the
 * domain type has no such member.
 */
export const SIDES: readonly Side[] = [Side.Buy, Side.Sell];
export const ORDER_TYPES: readonly OrderType[] = Object.values(OrderType);
export const TIMES_IN_FORCE: readonly TimeInForce[] = Object.values(TimeInForce);
export const ORDER_STATUSES: readonly OrderStatus[] = Object.values(OrderStatus);
export const EXEC_TYPES: readonly ExecType[] = Object.values(ExecType);
export const ALGOS: readonly Algo[] = Object.values(Algo);

/** proto: TIME_IN_FORCE_UNSPECIFIED = 0 means GTC. */
export function timeInForceFromWire(v: number): number {
  return v === 0 ? TimeInForce.GTC : v;
}
