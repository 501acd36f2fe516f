import { ErrorCode } from '@tickmesh/shared';
import type { OrderRequestMsg } from '../session/order-requests';

/**
 * What an edge and the OMS node say to each other about orders, in one place: the request
 * (an order request of a session, under the account the edge authenticated), the reply, and
 * the codes an edge answers with when no OMS does.
 */

/** An edge's order request: the session's message as decoded, and the session's account (never the message's). */
export interface OrderRpcRequest {
  account: string;
  msg: OrderRequestMsg;
}

/** The OMS's answer: accepted (a cancel-all says how many it canceled), or refused with the OMS's own code. */
export type OrderRpcReply = { ok: true; value?: number } | { ok: false; code: string; message: string };

/** Header carrying a request's idempotency key (the name JetStream uses for its dedupe). */
export const MSG_ID_HEADER = 'Nats-Msg-Id';

export const ClusterOrderCode = {
  /** No OMS node subscribes (none started, or all down): the request was not taken. */
  OMS_UNAVAILABLE: 'OMS_UNAVAILABLE',
  /** An OMS node may have taken the request but its answer did not come in time: reports will tell. */
  OMS_TIMEOUT: 'OMS_TIMEOUT',
  /**
   * The node has no NATS connection right now (reconnecting): the request was not sent; or the
   * connection failed under a request, which then may have reached the OMS (its reports will tell).
   */
  CLUSTER_NATS_DOWN: 'CLUSTER_NATS_DOWN',
  /**
   * Notice to every session of an edge that was cut from NATS: execution reports published
   * meanwhile did not reach it; the client reloads its orders and fills (GET /api/orders, /fills).
   */
  CLUSTER_REPORTS_GAP: 'CLUSTER_REPORTS_GAP',
  /** A REST answer larger than NATS carries in one message (max_payload): ask for less. */
  CLUSTER_REPLY_TOO_LARGE: 'CLUSTER_REPLY_TOO_LARGE',
} as const;

/** The request's key for the OMS's dedupe: a retry of the same request carries the same one. */
export function requestKey(edgeId: string, n: number): string {
  return `${edgeId}.${n}`;
}

/** Decodes a reply; anything that is not a well-formed reply is the OMS's internal error, not a crash. */
export function parseOrderReply(bytes: Uint8Array): OrderRpcReply {
  try {
    const r = JSON.parse(new TextDecoder().decode(bytes)) as Partial<{ ok: boolean; value: number; code: string; message: string }>;
    if (r.ok === true) return { ok: true, value: typeof r.value === 'number' ? r.value : undefined };
    if (r.ok === false && typeof r.code === 'string') return { ok: false, code: r.code, message: typeof r.message === 'string' ? r.message : '' };
  } catch {
    // fall through
  }
  return { ok: false, code: ErrorCode.OMS_INTERNAL_ERROR, message: 'the OMS answered something that is not an order reply' };
}
