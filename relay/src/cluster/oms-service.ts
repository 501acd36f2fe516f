import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { ErrorCode, type ExecutionReportMsg } from '@tickmesh/shared';
import type { Logger } from 'pino';
import { AccountBuckets } from '../server/account-buckets';
import { forwardOrderRequest, type OrderEntry, type OrderRequestMsg } from '../session/order-requests';
import { answerApi, type ApiRoutes } from './api-over-nats';
import { MSG_ID_HEADER, type OrderRpcReply, type OrderRpcRequest } from './order-rpc';
import { OMS_API_SUBJECT, OMS_ORDER_SUBJECT, OMS_QUEUE, reportSubject } from './subjects';

/** How long an answer is kept for a retry of the same request (well past any edge's budget). */
const ANSWER_KEPT_MS = 60_000;

const ORDER_TYPES = new Set<OrderRequestMsg['type']>(['newOrder', 'cancelOrder', 'replaceOrder', 'cancelAll']);

/** What the OMS node counted (for /metrics and tests). */
export interface OmsServiceStats {
  /** Order requests taken to the OMS. */
  requests: number;
  /** Retries answered from the first answer (the same Nats-Msg-Id), not taken again. */
  duplicates: number;
  /** Requests that came after their edge had given up (deadline passed): dropped, never executed. */
  expired: number;
  /** Requests refused with SESSION_RATE_LIMITED: the account's budget, across every edge, was spent. */
  rateLimited: number;
  /** Execution reports published for the edges. */
  reports: number;
  /** REST calls answered for edges. */
  apiCalls: number;
}

/**
 * The OMS node's side of the cluster: it answers the edges' order requests (queue group: one
 * OMS answers each) under one request budget per account for the whole cluster, and REST calls, and publishes every execution report on its account's
 * subject so each edge delivers it to that account's sessions.
 *
 * Idempotent: a request's Nats-Msg-Id is remembered with its answer for ANSWER_KEPT_MS, so an
 * edge that retries after a lost reply gets the first answer and the venue sees one order.
 * A request past its deadline is dropped unanswered: the edge has already told its client
 * OMS_TIMEOUT, so the order must not appear later.
 */
export class OmsService {
  readonly stats: OmsServiceStats = { requests: 0, duplicates: 0, expired: 0, rateLimited: 0, reports: 0, apiCalls: 0 };
  /** Each edge holds an account to its budget for its own sessions; this holds it across all edges. */
  private readonly budgets: AccountBuckets;
  private readonly answers = new Map<string, { atMs: number; reply: Promise<Uint8Array> }>();
  private readonly subscriptions: Subscription[] = [];
  private stopReports: (() => void) | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly oms: OrderEntry & { onReport(listener: (r: ExecutionReportMsg) => void): () => void },
    private readonly routes: ApiRoutes,
    private readonly log: Logger,
    /** The per-account request rate of the whole cluster (--account-messages-per-second). */
    accountMessagesPerSecond: number,
  ) {
    this.budgets = new AccountBuckets(accountMessagesPerSecond);
  }

  start(): void {
    this.stopReports = this.oms.onReport((r) => {
      this.stats.reports++;
      this.nc.publish(reportSubject(r.account), JSON.stringify(r));
    });
    this.subscriptions.push(this.nc.subscribe(OMS_ORDER_SUBJECT, { queue: OMS_QUEUE, callback: (_err, m) => this.onOrder(m) }));
    this.subscriptions.push(
      this.nc.subscribe(OMS_API_SUBJECT, {
        queue: OMS_QUEUE,
        callback: (_err, m) => {
          this.stats.apiCalls++;
          answerApi(this.routes, m.data, this.nc.info?.max_payload ?? 1024 * 1024).then(
            (bytes) => m.respond(bytes),
            (err) => this.log.error({ err }, 'cluster: REST call failed'),
          );
        },
      }),
    );
    this.log.info('oms answering orders and REST calls on nats');
  }

  private onOrder(m: Msg): void {
    let request: OrderRpcRequest & { deadlineMs?: number };
    try {
      request = JSON.parse(new TextDecoder().decode(m.data)) as OrderRpcRequest & { deadlineMs?: number };
      if (typeof request.account !== 'string' || !request.msg || !ORDER_TYPES.has(request.msg.type)) throw new Error('shape');
    } catch {
      m.respond(encode({ ok: false, code: ErrorCode.CODEC_MALFORMED, message: 'not an order request' }));
      return;
    }
    const key = m.headers?.get(MSG_ID_HEADER) ?? '';
    const now = Date.now();
    this.forget(now);
    const known = key ? this.answers.get(key) : undefined;
    if (known) {
      this.stats.duplicates++;
      void known.reply.then((bytes) => m.respond(bytes));
      return;
    }
    if (typeof request.deadlineMs === 'number' && now > request.deadlineMs) {
      this.stats.expired++;
      this.log.warn({ account: request.account, type: request.msg.type, key }, 'cluster: order request came after its deadline; dropped');
      return;
    }
    if (!this.budgets.take(request.account)) {
      // Answered, and remembered: a retry of a refused request is refused alike.
      this.stats.rateLimited++;
      const refused = Promise.resolve(encode({ ok: false, code: ErrorCode.SESSION_RATE_LIMITED, message: `account ${request.account} is over its request rate across the cluster` }));
      if (key) this.answers.set(key, { atMs: now, reply: refused });
      void refused.then((bytes) => m.respond(bytes));
      return;
    }
    this.stats.requests++;
    const reply = forwardOrderRequest(this.oms, request.msg, request.account).then(
      (r): Uint8Array => encode(r.ok ? { ok: true, value: typeof r.value === 'number' ? r.value : undefined } : { ok: false, code: r.reason.code, message: r.reason.message }),
      (err: unknown): Uint8Array => {
        this.log.error({ err, account: request.account }, 'cluster: order request failed');
        return encode({ ok: false, code: ErrorCode.OMS_INTERNAL_ERROR, message: 'the order could not be processed' });
      },
    );
    if (key) this.answers.set(key, { atMs: now, reply });
    void reply.then((bytes) => m.respond(bytes));
  }

  /** Drops answers older than ANSWER_KEPT_MS (the map is in arrival order). */
  private forget(now: number): void {
    for (const [key, a] of this.answers) {
      if (now - a.atMs < ANSWER_KEPT_MS) return;
      this.answers.delete(key);
    }
  }

  /** Stops answering; resolves once the server has it (a request after that gets no responders, not silence). */
  async close(): Promise<void> {
    this.stopReports?.();
    for (const s of this.subscriptions) s.unsubscribe();
    await this.nc.flush().catch(() => {});
  }
}

function encode(r: OrderRpcReply): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(r));
}
