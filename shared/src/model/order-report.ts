import type { ExecutionReportMsg } from './messages';
import { ExecType, type Order } from './order';

/**
 * Folds one execution report into the order it is about: the relay's journal replay and the
 * browser's blotter both keep orders this way, so they agree on every field.
 *
 * A cancel reject's code belongs to the request, not the order, so it leaves `reasonCode` and
 * its text alone; a pending replace carries the client id the order takes only once the venue confirms,
 * so it leaves `clientOrderId` alone; fees accumulate per fill.
 */
export function applyReport(o: Order, r: ExecutionReportMsg): void {
  o.status = r.status;
  o.price = r.price;
  o.qty = r.qty;
  o.filledQty = r.filledQty;
  o.cumNotional = r.cumNotional;
  o.updatedUs = r.timeUs;
  if (r.execType !== ExecType.CancelRejected) foldReason(o, r);
  if (r.execType !== ExecType.PendingReplace) o.clientOrderId = r.clientOrderId;
  if (r.execType === ExecType.Trade) o.fees += r.fee;
  // A trailing stop's level moves and a fired trigger is recorded: the report has the latest.
  if (r.trigger !== undefined) o.trigger = { ...r.trigger };
  // An algo's clock: each report of the parent carries where it stands now.
  if (r.schedule !== undefined) o.schedule = { ...r.schedule };
}

/**
 * The order's reason after a report: the report's code, with its text — or, when the report
 * repeats the code without one, the text the order already holds. No code, no text. The OMS
 * folds its live orders with this too, so REST after a restart says what it said before.
 */
export function foldReason(o: Pick<Order, 'reasonCode' | 'reason'>, r: Pick<ExecutionReportMsg, 'reasonCode' | 'reason'>): void {
  o.reason = r.reasonCode === '' ? '' : r.reason || (r.reasonCode === o.reasonCode ? o.reason : '');
  o.reasonCode = r.reasonCode;
}
