import type { Instrument } from './instrument';
import type { BookBatch, BookSnapshot } from './market-data';
import type { Side } from './side';
import type { ExecType, OrderStatus, OrderType, TimeInForce } from './order';

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
  | MeshEnvelopeMsg;

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
  | MeshEnvelopeMsg;

export type ClientMsgType = ClientMsg['type'];
export type ServerMsgType = ServerMsg['type'];
