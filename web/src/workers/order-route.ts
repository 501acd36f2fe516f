import { ErrorCode, decodeServer, encodeClient, type ClientMsg, type ExecutionReportMsg, type ServerMsg } from '@tickmesh/shared';

/** Which link carries order requests now. */
export type OrderCarrier = 'ws' | 'peer';

/** An order request sent on the channel and unanswered this long counts the channel as failed (it falls back to /ws). */
export const CHANNEL_ANSWER_TIMEOUT_MS = 1000;
/** Report keys remembered to drop the second copy (the same report arrives on /ws and on the channel). */
const REPORT_KEYS_KEPT = 4096;
/** Re-sent request ids remembered for their duplicate refusal. */
const RESENT_IDS_KEPT = 1024;

/** The main thread's end of the channel (a comlink proxy): bytes out, and told when the worker gives it up. */
export interface OrderChannelLink {
  send(bytes: Uint8Array): void;
  lost(): void;
}

type OrderRequest = Extract<ClientMsg, { type: 'newOrder' | 'cancelOrder' | 'replaceOrder' | 'cancelAll' }>;

export function isOrderRequest(msg: ClientMsg): msg is OrderRequest {
  return msg.type === 'newOrder' || msg.type === 'cancelOrder' || msg.type === 'replaceOrder' || msg.type === 'cancelAll';
}

/** Counters for the UI and tests: what went where. */
export interface OrderRouteStats {
  carrier: OrderCarrier;
  sentOnChannel: number;
  sentOnWs: number;
  /** Requests re-sent on /ws after the channel failed with them unanswered. */
  resent: number;
  /** Second copies of reports dropped. */
  duplicateReports: number;
}

/**
 * Where the worker's order requests go: the relay's order channel (a WebRTC data channel to the
 * relay itself, its bytes carried by the main thread's PeerJS) once its Welcome arrived, else
 * the /ws socket. Market data always stays on /ws.
 *
 * Nothing lost: an order request sent on the channel is kept until the relay answers it (a
 * report or an Error with its requestId, on either link). When the channel closes, or leaves
 * one unanswered for CHANNEL_ANSWER_TIMEOUT_MS, the route falls back to /ws and re-sends each
 * kept request there unchanged. Nothing doubled: the re-sent requests carry their client order
 * ids, so the OMS refuses one it already took (OMS_DUPLICATE_CLIENT_ORDER_ID, dropped here:
 * the order exists) and its reports reach the /ws session anyway, which gets every report of
 * the account. With both links open each report arrives twice: the second copy is dropped.
 */
export class OrderRoute {
  private channel: OrderChannelLink | undefined;
  private ready = false;
  private readonly unanswered = new Map<number, { msg: OrderRequest; timer: ReturnType<typeof setTimeout> }>();
  private readonly resentIds = new Set<number>();
  private readonly reportKeys = new Set<string>();
  private readonly counts = { sentOnChannel: 0, sentOnWs: 0, resent: 0, duplicateReports: 0 };

  constructor(private readonly sendWs: (bytes: Uint8Array) => boolean) {}

  get carrier(): OrderCarrier {
    return this.channel !== undefined && this.ready ? 'peer' : 'ws';
  }

  stats(): OrderRouteStats {
    return { carrier: this.carrier, ...this.counts };
  }

  /** A channel opened (main thread); orders move to it once its Welcome arrives. undefined: it closed. */
  setChannel(link: OrderChannelLink | undefined): void {
    if (link === undefined) return this.fallBack(false);
    this.channel = link;
    this.ready = false;
  }

  /** One frame from the channel; returns the message for the engine to handle (reports, Errors), undefined for the channel's own. */
  channelFrame(bytes: Uint8Array): ServerMsg | undefined {
    const r = decodeServer(bytes);
    if (!r.ok) return undefined;
    const msg = r.value;
    if (msg.type === 'welcome') {
      if (this.channel !== undefined) this.ready = true;
      return undefined;
    }
    if (msg.type === 'executionReport' || msg.type === 'error') return msg;
    return undefined;
  }

  /** Sends one client message: order requests on the carrier, anything else on /ws. */
  send(msg: ClientMsg): boolean {
    const bytes = encodeClient(msg);
    if (!isOrderRequest(msg) || this.carrier !== 'peer') {
      if (isOrderRequest(msg)) this.counts.sentOnWs++;
      return this.sendWs(bytes);
    }
    this.counts.sentOnChannel++;
    const timer = setTimeout(() => this.fallBack(true), CHANNEL_ANSWER_TIMEOUT_MS);
    this.unanswered.set(msg.requestId, { msg, timer });
    (this.channel as OrderChannelLink).send(bytes);
    return true;
  }

  /** A report from either link: false for the second copy (drop it). */
  firstCopy(r: ExecutionReportMsg): boolean {
    this.answered(r.requestId);
    const key = `${r.orderId}|${r.execType}|${r.status}|${r.filledQty}|${r.tradeId}|${r.price}|${r.qty}|${r.timeUs}|${r.clientOrderId}`;
    if (this.reportKeys.has(key)) {
      this.counts.duplicateReports++;
      return false;
    }
    this.reportKeys.add(key);
    // Both copies arrive within moments of each other: a bounded window is enough.
    if (this.reportKeys.size > REPORT_KEYS_KEPT) this.reportKeys.delete(this.reportKeys.values().next().value as string);
    return true;
  }

  /** An Error from either link: true when it is the OMS refusing a re-sent request it already has (drop it). */
  swallow(msg: Extract<ServerMsg, { type: 'error' }>): boolean {
    this.answered(msg.requestId);
    if (!this.resentIds.has(msg.requestId)) return false;
    this.resentIds.delete(msg.requestId);
    return msg.code === ErrorCode.OMS_DUPLICATE_CLIENT_ORDER_ID;
  }

  private answered(requestId: number): void {
    const u = this.unanswered.get(requestId);
    if (u === undefined) return;
    clearTimeout(u.timer);
    this.unanswered.delete(requestId);
  }

  /** silent: the channel left a request unanswered; it is given up and the main thread told. */
  private fallBack(silent: boolean): void {
    const link = this.channel;
    this.channel = undefined;
    this.ready = false;
    for (const [requestId, u] of this.unanswered) {
      clearTimeout(u.timer);
      this.resentIds.add(requestId);
      if (this.resentIds.size > RESENT_IDS_KEPT) this.resentIds.delete(this.resentIds.values().next().value as number);
      this.counts.resent++;
      this.counts.sentOnWs++;
      this.sendWs(encodeClient(u.msg));
    }
    this.unanswered.clear();
    if (link !== undefined && silent) link.lost();
  }
}
