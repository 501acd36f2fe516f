import type { ExecutionReportMsg } from './messages';
import type { OrderIntent } from './order';

/**
 * What the journal stores: every order event, fill, risk decision and admin action, in the
 * order they happened. The OMS rebuilds orders and positions from these on start; auditors
 * read them back through GET /api/audit. Encoded as protobuf (proto/journal.proto).
 */
export type JournalRecord =
  /** A client's order as received (after wire validation), with the id the OMS gave it. */
  | { kind: 'order-request'; timeUs: number; orderId: string; parentOrderId: string; intent: OrderIntent }
  /** Every state change of an order (accepted, fill, cancel, denial, ...), as sent to clients. */
  | { kind: 'execution'; timeUs: number; report: ExecutionReportMsg }
  /** A risk decision on a request (accepted or denied with its stable code). */
  | { kind: 'risk'; timeUs: number; account: string; orderId: string; clientOrderId: string; accepted: boolean; code: string; message: string }
  /** An admin action: halt, resume, kill switch, limit change ... */
  | { kind: 'admin'; timeUs: number; actor: string; action: string; target: string; detail: string }
  /** A compliance alert (breached limit, repeated denials, breaker trip). */
  | { kind: 'alert'; timeUs: number; code: string; account: string; symbol: string; message: string };

/** A record as stored: its position in the journal and the hash chaining it to the previous one. */
export interface JournalEntry {
  /** 1-based, gap-free. */
  seq: number;
  record: JournalRecord;
  /** SHA-256 over (previous hash || this record's bytes), hex. */
  hash: string;
}
