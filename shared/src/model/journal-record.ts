import type { ExecutionReportMsg } from './messages';
import type { OrderIntent } from './order';

/**
 * What the journal stores: every order event, fill, risk decision and admin action, in the
 * order they happened. The OMS rebuilds orders and positions from these on start; auditors
 * read them back through GET /api/audit. Encoded as protobuf (proto/journal.proto).
 */
export type JournalRecord =
  /** A client's order as received (after wire validation), with the id the OMS gave it. */
  | { kind: 'order-request'; timeUs: number; orderId: string; parentOrderId: string; intent: OrderIntent; touch?: OrderTouch }
  /** Every state change of an order (accepted, fill, cancel, denial, ...), as sent to clients. */
  | { kind: 'execution'; timeUs: number; report: ExecutionReportMsg }
  /** A risk decision on a request (accepted or denied with its stable code). */
  | { kind: 'risk'; timeUs: number; account: string; orderId: string; clientOrderId: string; accepted: boolean; code: string; message: string }
  /** An admin action: halt, resume, kill switch, limit change ... */
  | { kind: 'admin'; timeUs: number; actor: string; action: string; target: string; detail: string }
  /** A compliance alert (breached limit, repeated denials, breaker trip). */
  | { kind: 'alert'; timeUs: number; code: string; account: string; symbol: string; message: string };

/**
 * The touch when the OMS took an order, in the instrument's ticks (0 = that side was empty): the
 * best bid and ask of the order's venue, or across the venues smart routing would use when the
 * order names none. Absent in records written before it was recorded, and on child orders.
 */
export interface OrderTouch {
  bid: number;
  ask: number;
}

/** A record as stored: its position in the journal and the hash chaining it to the previous one. */
export interface JournalEntry {
  /** 1-based, gap-free. */
  seq: number;
  record: JournalRecord;
  /** SHA-256 over (previous hash || this record's bytes), hex. */
  hash: string;
}
