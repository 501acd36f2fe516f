import { errors, headers, nuid, type NatsConnection } from '@nats-io/transport-node';
import { fail, ok, type OrderIntent, type Result } from '@tickmesh/shared';
import type { OrderEntry, OrderRequestMsg } from '../session/order-requests';
import { ClusterOrderCode, MSG_ID_HEADER, parseOrderReply, requestKey, type OrderRpcRequest } from './order-rpc';
import { OMS_ORDER_SUBJECT } from './subjects';

/** How an edge waits for the OMS; defaults written out on each field. */
export interface EdgeOrdersOptions {
  /** Wait for one answer. Default 1000 ms. */
  attemptTimeoutMs: number;
  /**
   * The whole budget of one request, retries included (a standby taking over answers within
   * it). Past it the OMS drops the request unanswered, so one the edge gave up on is never
   * executed later. Default 3000 ms.
   */
  budgetMs: number;
  /** Wait before asking again when no OMS subscribes. Default 200 ms. */
  retryDelayMs: number;
}

const defaults: EdgeOrdersOptions = { attemptTimeoutMs: 1000, budgetMs: 3000, retryDelayMs: 200 };

/** What an edge counted of its order requests (for /metrics and tests). */
export interface EdgeOrdersStats {
  requests: number;
  /** Attempts after the first (a timeout or no responder), each with the request's same key. */
  retries: number;
  /** Requests answered with OMS_TIMEOUT, OMS_UNAVAILABLE or CLUSTER_NATS_DOWN. */
  unanswered: number;
}

/**
 * An edge's order entry: each session request goes to the active OMS by NATS request/reply
 * (queue group, so one OMS answers), with a key of its own in the Nats-Msg-Id header that a
 * retry repeats: the OMS answers a repeated key with its first answer, never a second order.
 *
 * Outcomes a session can tell apart: the OMS's answer (its own codes, as in one process);
 * CLUSTER_NATS_DOWN (not sent); OMS_UNAVAILABLE (no OMS: not taken); OMS_TIMEOUT (sent, no
 * answer in the budget: it may have been taken, and its execution reports will say).
 */
export class EdgeOrders implements OrderEntry {
  readonly stats: EdgeOrdersStats = { requests: 0, retries: 0, unanswered: 0 };
  private readonly options: EdgeOrdersOptions;
  /** This edge's part of every request key: unique across edges and restarts. */
  private readonly edgeId = nuid.next();
  private sent = 0;
  /** False between NATS's disconnect and reconnect: a request then is refused rather than buffered. */
  private natsUp = true;

  constructor(
    private readonly nc: NatsConnection,
    options: Partial<EdgeOrdersOptions> = {},
  ) {
    this.options = { ...defaults, ...options };
  }

  onNatsStatus(status: 'disconnect' | 'reconnect'): void {
    this.natsUp = status === 'reconnect';
  }

  newOrder(intent: OrderIntent, requestId: number): Promise<Result<unknown>> {
    // The intent goes on the wire as the message it came from, whatever fields it grows.
    const { account, ...fields } = intent;
    const msg: OrderRequestMsg = { type: 'newOrder', requestId, ...fields };
    return this.request(account, msg);
  }

  cancel(account: string, origClientOrderId: string, requestId: number): Promise<Result<unknown>> {
    return this.request(account, { type: 'cancelOrder', requestId, clientOrderId: '', origClientOrderId });
  }

  replace(account: string, origClientOrderId: string, clientOrderId: string, price: number, qty: number, requestId: number): Promise<Result<unknown>> {
    return this.request(account, { type: 'replaceOrder', requestId, clientOrderId, origClientOrderId, price, qty });
  }

  async cancelAll(account: string, symbol: string | undefined, requestId: number): Promise<number> {
    const r = await this.request(account, { type: 'cancelAll', requestId, symbol: symbol ?? '' });
    // A session's cancel-all answers with a count; an OMS that could not be reached canceled nothing here.
    return r.ok ? Number(r.value ?? 0) : 0;
  }

  private async request(account: string, msg: OrderRequestMsg): Promise<Result<unknown>> {
    this.stats.requests++;
    if (!this.natsUp || this.nc.isClosed()) return this.unanswered(ClusterOrderCode.CLUSTER_NATS_DOWN, 'the relay has lost its connection to the cluster: the order was not sent; try again in a moment');
    const { attemptTimeoutMs, budgetMs, retryDelayMs } = this.options;
    const deadlineMs = Date.now() + budgetMs;
    const h = headers();
    h.set(MSG_ID_HEADER, requestKey(this.edgeId, ++this.sent));
    const payload = new TextEncoder().encode(JSON.stringify({ account, msg, deadlineMs } satisfies OrderRpcRequest & { deadlineMs: number }));
    let timedOut = false;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.stats.retries++;
      const left = deadlineMs - Date.now();
      if (left <= 0) break;
      try {
        const reply = await this.nc.request(OMS_ORDER_SUBJECT, payload, { timeout: Math.min(attemptTimeoutMs, left), headers: h });
        const r = parseOrderReply(reply.data);
        return r.ok ? ok(r.value) : fail(r.code, r.message);
      } catch (err) {
        if (noResponders(err)) {
          await new Promise((r) => setTimeout(r, Math.min(retryDelayMs, Math.max(0, deadlineMs - Date.now()))));
          continue;
        }
        if (err instanceof errors.TimeoutError) {
          timedOut = true;
          continue;
        }
        // The connection failed under the request: it may or may not have reached the OMS.
        return this.unanswered(ClusterOrderCode.CLUSTER_NATS_DOWN, `the request to the OMS failed (${(err as Error).message}): if it was taken, its execution reports will say`);
      }
    }
    return timedOut
      ? this.unanswered(ClusterOrderCode.OMS_TIMEOUT, `no answer from the OMS within ${budgetMs} ms: the order may still have been taken, its execution reports will say`)
      : this.unanswered(ClusterOrderCode.OMS_UNAVAILABLE, 'no OMS is running in the cluster: the order was not taken');
  }

  private unanswered(code: string, message: string): Result<unknown> {
    this.stats.unanswered++;
    return fail(code, message);
  }
}

function noResponders(err: unknown): boolean {
  return (err instanceof errors.RequestError && err.isNoResponders()) || err instanceof errors.NoRespondersError;
}
