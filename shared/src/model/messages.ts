import type { Instrument } from './instrument';
import type { BookBatch, BookSnapshot } from './market-data';
import type { Side } from './side';
import type { OrderConditional, ReportTrigger } from './conditional';
import type { AlgoSchedule, ExecType, OrderStatus, OrderType, TimeInForce } from './order';

/**
 * Domain view of every wire message. The codecs (protobuf for /ws, legacy JSON for /ws/json)
 * translate between these and bytes; nothing outside shared/src/codec sees generated types.
 * `requestId` (0 = none) is echoed by the reply or Error a client message causes.
 */

export const Algo = { None: 0, TWAP: 1, VWAP: 2, Iceberg: 3 } as const;
export type Algo = (typeof Algo)[keyof typeof Algo];

export interface NewOrderMsg {
  type: 'newOrder';
  requestId: number;
  clientOrderId: string;
  symbol: string;
  /** Empty = smart order routing. */
  venue: string;
  side: Side;
  orderType: OrderType;
  timeInForce: TimeInForce;
  price: number;
  qty: number;
  postOnly: boolean;
  algo: Algo;
  displayQty: number;
  durationMs: number;
  /** Stop, take-profit, trailing, OCO, bracket (proto NewOrder fields 13-20); absent = an ordinary order. */
  conditional?: OrderConditional;
}

export type ClientMsg =
  /** `features`: optional wire features asked for (shared/src/codec/wire-features.ts); absent = none. */
  | { type: 'hello'; requestId: number; clientName: string; protocolVersion: number; token: string; features?: string[] }
  | { type: 'subscribe'; requestId: number; streamIds: number[]; symbols: string[] }
  | { type: 'unsubscribe'; requestId: number; streamIds: number[]; symbols: string[] }
  | { type: 'ping'; requestId: number; nonce: number; timeUs: number }
  | { type: 'pong'; requestId: number; nonce: number; timeUs: number }
  | NewOrderMsg
  | { type: 'cancelOrder'; requestId: number; clientOrderId: string; origClientOrderId: string }
  | { type: 'replaceOrder'; requestId: number; clientOrderId: string; origClientOrderId: string; price: number; qty: number }
  | { type: 'cancelAll'; requestId: number; symbol: string }
  | MeshEnvelopeMsg
  /** Admin only: every alert from now on, first those the relay holds with a journal seq above `sinceSeq` (proto/alerts.proto). */
  | { type: 'subscribeAlerts'; requestId: number; sinceSeq: number };

/**
 * One mesh message (proto/mesh.proto `MeshMessage`) on a peer's relay link, either direction.
 * `payload` stays encoded: the mesh (shared/src/mesh) reads it, and signed frames must be
 * forwarded byte for byte. Decoders hand out a view into the received frame, not a copy.
 */
export interface MeshEnvelopeMsg {
  type: 'mesh';
  requestId: number;
  payload: Uint8Array;
}

export interface ExecutionReportMsg {
  type: 'executionReport';
  requestId: number;
  orderId: string;
  clientOrderId: string;
  parentOrderId: string;
  status: OrderStatus;
  execType: ExecType;
  symbol: string;
  venue: string;
  side: Side;
  orderType: OrderType;
  /** The order's; an algo's slices and a router's taking legs are IOC (proto field 33). */
  timeInForce: TimeInForce;
  price: number;
  qty: number;
  filledQty: number;
  leavesQty: number;
  cumNotional: number;
  lastPrice: number;
  lastQty: number;
  tradeId: number;
  reasonCode: string;
  reason: string;
  fee: number;
  liquidityMaker: boolean;
  timeUs: number;
  account: string;
  algo: Algo;
  /** Conditional orders only: the armed level and which trigger fired at what price (proto fields 25-30). */
  trigger?: ReportTrigger;
  /** TWAP and VWAP parents only: the next slice and the horizon's end (proto fields 31-32). */
  schedule?: AlgoSchedule;
}

/** One journal record an alert rests on. */
export interface AlertEvidenceRef {
  seq: number;
  orderId: string;
  /** "order", "cancel" or "fill". */
  what: string;
}

/** An alert as journaled, pushed to admin sessions that subscribed (proto/alerts.proto Alert). */
export interface AlertMsg {
  type: 'alert';
  requestId: number;
  /** Its journal record's seq (as GET /api/admin/alerts lists it). */
  seq: number;
  /** Stable: RISK_ALERT_*, SURV_*, MD_ANOMALY_*. */
  code: string;
  /** '' for market-data anomalies. */
  account: string;
  symbol: string;
  /** Market-data anomalies; '' otherwise. */
  venue: string;
  timeUs: number;
  /** 0..1; 0 = none given (risk alerts). */
  score: number;
  message: string;
  evidence: AlertEvidenceRef[];
  /** The figures a market-data anomaly rests on, as text. */
  figures: Record<string, string>;
}

export type ServerMsg =
  | {
      type: 'welcome';
      requestId: number;
      sessionId: string;
      serverTimeUs: number;
      heartbeatMs: number;
      instruments: Instrument[];
      mdPublicKey: Uint8Array;
      account: string;
      role: string;
      /** The Hello.features this relay uses on the session; absent = none. */
      features?: string[];
    }
  | { type: 'error'; requestId: number; code: string; message: string }
  | { type: 'ping'; requestId: number; nonce: number; timeUs: number }
  | { type: 'pong'; requestId: number; nonce: number; timeUs: number }
  | { type: 'subscribed'; requestId: number; streamIds: number[] }
  | { type: 'unsubscribed'; requestId: number; streamIds: number[] }
  | { type: 'instruments'; requestId: number; instruments: Instrument[] }
  | ({ type: 'bookSnapshot'; requestId: number } & BookSnapshot)
  | ({ type: 'bookBatch'; requestId: number } & BookBatch)
  | ExecutionReportMsg
  | MeshEnvelopeMsg
  | AlertMsg;

export type ClientMsgType = ClientMsg['type'];
export type ServerMsgType = ServerMsg['type'];
