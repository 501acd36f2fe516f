import { ErrorCode, OrderType, Side, TimeInForce } from '@tickmesh/shared';
import { fromUnits } from '../live/exact-units';
import type { VenueOrderRequest } from '../venue-adapter';
import { canonicalAsset, type KrakenMarket } from './kraken-symbols';
import { plainDecimal } from './kraken-wire';

/**
 * Kraken Spot order shapes as they travel: private REST (/0/private/AddOrder, CancelOrder,
 * AmendOrder, OpenOrders, ClosedOrders, QueryOrders, TradesHistory, GetWebSocketsToken) and
 * the WebSocket v2 `executions` channel, and the functions that read and write them. No I/O.
 * Money stays decimal text end to end: REST sends strings; v2 sends JSON numbers, whose raw
 * digits are quoted before JSON.parse (as kraken-wire does for the book).
 */

/** Every private REST answer: HTTP 200 with `error` (["EOrder:Insufficient funds"]) or `result`. */
export interface KrakenEnvelope<T> {
  error?: string[];
  result?: T;
}

export interface AddOrderResult {
  descr?: { order?: string };
  txid?: string[];
}

export interface CancelOrderResult {
  count: number;
  pending?: boolean;
}

export interface AmendOrderResult {
  amend_id: string;
}

export interface WsTokenResult {
  token: string;
  /** Seconds the token may be used to subscribe (900); a subscription made with it lasts. */
  expires: number;
}

export type KrakenOrderStatus = 'pending' | 'open' | 'closed' | 'canceled' | 'expired';

/** One order of OpenOrders / ClosedOrders / QueryOrders (keyed by its txid). */
export interface KrakenOrderInfo {
  cl_ord_id?: string;
  userref?: number | null;
  status: KrakenOrderStatus;
  reason?: string | null;
  /** Seconds since the epoch, with fraction. */
  opentm: number;
  closetm?: number;
  descr: { pair: string; type: 'buy' | 'sell'; ordertype: string; price: string; order?: string };
  vol: string;
  vol_exec: string;
  cost: string;
  fee: string;
  price: string;
  oflags?: string;
}

/** One trade of TradesHistory (keyed by the trade txid); `fee` in the quote currency with fciq. */
export interface KrakenTradeInfo {
  ordertxid: string;
  pair: string;
  time: number;
  type: 'buy' | 'sell';
  ordertype: string;
  price: string;
  cost: string;
  fee: string;
  vol: string;
  /** Kraken's trade id, unique per pair (the public `trade` channel's id). */
  trade_id: number;
  maker: boolean;
}

export type ExecType = 'pending_new' | 'new' | 'trade' | 'filled' | 'iceberg_refill' | 'canceled' | 'expired' | 'amended' | 'restated' | 'status';

/** One report of the `executions` channel (which fields are set depends on exec_type). Decimals as text. */
export interface ExecutionReport {
  exec_type: ExecType;
  order_id: string;
  cl_ord_id?: string;
  symbol?: string;
  order_status?: string;
  order_qty?: string;
  limit_price?: string;
  cum_qty?: string;
  timestamp: string;
  exec_id?: string;
  trade_id?: number;
  last_qty?: string;
  last_price?: string;
  liquidity_ind?: 'm' | 't';
  fees?: { asset: string; qty: string }[];
  fee_usd_equiv?: string;
  reason?: string;
  amended?: boolean;
}

/** A frame of the authenticated v2 endpoint, as order entry uses it. */
export type ExecutionsFrame =
  | { kind: 'executions'; type: 'snapshot' | 'update'; sequence: number | undefined; data: ExecutionReport[] }
  | { kind: 'ack'; method: string; success: boolean; error?: string; channel?: string }
  | { kind: 'other' };

const NUMBER_FIELD = /"(order_qty|limit_price|cum_qty|cum_cost|avg_price|last_qty|last_price|cost|qty|fee_usd_equiv|display_qty)"\s*:\s*(-?[0-9][0-9.eE+-]*)/g;
const DECIMAL_KEYS = ['order_qty', 'limit_price', 'cum_qty', 'last_qty', 'last_price', 'fee_usd_equiv'] as const;

/** Reads one frame; undefined when it is not JSON or an executions message without its data. */
export function parseExecutionsFrame(text: string): ExecutionsFrame | undefined {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text.replace(NUMBER_FIELD, '"$1":"$2"')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof m !== 'object' || m === null) return undefined;
  if (typeof m.method === 'string') {
    const result = (typeof m.result === 'object' && m.result !== null ? m.result : {}) as Record<string, unknown>;
    return { kind: 'ack', method: m.method, success: m.success === true, error: typeof m.error === 'string' ? m.error : undefined, channel: typeof result.channel === 'string' ? result.channel : undefined };
  }
  if (m.channel !== 'executions') return { kind: 'other' };
  if ((m.type !== 'snapshot' && m.type !== 'update') || !Array.isArray(m.data)) return undefined;
  const data: ExecutionReport[] = [];
  for (const d of m.data as Record<string, unknown>[]) {
    if (typeof d !== 'object' || d === null || typeof d.exec_type !== 'string' || typeof d.order_id !== 'string') return undefined;
    const r = d as unknown as ExecutionReport & Record<string, unknown>;
    for (const k of DECIMAL_KEYS) if (typeof r[k] === 'string') r[k] = plainDecimal(r[k] as string) ?? r[k];
    if (Array.isArray(r.fees)) r.fees = r.fees.map((f) => ({ asset: String(f.asset), qty: plainDecimal(String(f.qty)) ?? String(f.qty) }));
    data.push(r);
  }
  return { kind: 'executions', type: m.type, sequence: typeof m.sequence === 'number' ? m.sequence : undefined, data };
}

/**
 * AddOrder's parameters for an order (without cl_ord_id), or the VENUE_* code it is refused
 * with: limit GTC / IOC, post-only (oflags `post`) only on GTC limits, market orders (IOC by
 * nature). Kraken Spot has no FOK and no Day. `fciq` asks for fees in the quote currency, so
 * every fee is exact in the quote units VenueExecution carries.
 */
export function addOrderParams(o: VenueOrderRequest, m: KrakenMarket): Record<string, string> | string {
  const base = { pair: m.restPair, type: o.side === Side.Buy ? 'buy' : 'sell', volume: fromUnits(o.qty, m.size) };
  if (o.type === OrderType.Market) {
    if (o.postOnly || (o.timeInForce !== TimeInForce.IOC && o.timeInForce !== TimeInForce.GTC)) return ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE;
    return { ...base, ordertype: 'market', oflags: 'fciq' };
  }
  if (o.type !== OrderType.Limit) return ErrorCode.VENUE_UNSUPPORTED_ORDER_TYPE;
  const tif = o.timeInForce === TimeInForce.GTC ? 'GTC' : o.timeInForce === TimeInForce.IOC ? 'IOC' : undefined;
  if (!tif || (o.postOnly && tif !== 'GTC')) return ErrorCode.VENUE_UNSUPPORTED_TIME_IN_FORCE;
  return { ...base, ordertype: 'limit', price: fromUnits(o.price, m.price), timeinforce: tif, oflags: o.postOnly ? 'post,fciq' : 'fciq' };
}

/** The stable code of Kraken's in-body errors; the text itself goes to the report's reason. */
export function krakenErrorCode(errors: readonly string[]): string {
  if (errors.some((e) => /^E(API|Order|General):(Rate limit exceeded|Too many requests)/.test(e))) return ErrorCode.VENUE_RATE_LIMITED;
  if (errors.some((e) => e === 'EOrder:Unknown order' || e === 'EOrder:Invalid order')) return ErrorCode.VENUE_ORDER_NOT_FOUND;
  return ErrorCode.VENUE_REJECTED;
}

/** A plain non-negative decimal as (digits, places); undefined otherwise. */
function decimal(value: string): { digits: bigint; places: number } | undefined {
  if (!/^\d+(\.\d+)?$/.test(value)) return undefined;
  const dot = value.indexOf('.');
  return dot < 0 ? { digits: BigInt(value), places: 0 } : { digits: BigInt(value.slice(0, dot) + value.slice(dot + 1)), places: value.length - dot - 1 };
}

/** digits × 10^-places in units of 1e-8, rounded half up. */
function e8(digits: bigint, places: number): number {
  if (places <= 8) return Number(digits * 10n ** BigInt(8 - places));
  const div = 10n ** BigInt(places - 8);
  return Number((digits + div / 2n) / div);
}

/** A decimal in units of 1e-8, rounded half up past the 8th decimal; undefined when unreadable. */
export function decimalE8(value: string): number | undefined {
  const d = decimal(value);
  return d ? e8(d.digits, d.places) : undefined;
}

/** a × b in units of 1e-8, exactly then rounded half up (a base-asset fee valued at the fill price). */
export function productE8(a: string, b: string): number | undefined {
  const x = decimal(a);
  const y = decimal(b);
  return x && y ? e8(x.digits * y.digits, x.places + y.places) : undefined;
}

/**
 * One fill's fee in quote units × 1e-8: a fee in the quote asset exactly; one in the base asset
 * valued at the fill price; any other asset (KFEE credits) by its USD equivalent on a USD
 * market, else 0 (the caller logs it).
 */
export function feeE8(fees: readonly { asset: string; qty: string }[] | undefined, usdEquiv: string | undefined, m: KrakenMarket, price: string): number | undefined {
  let total = 0;
  for (const f of fees ?? []) {
    const asset = canonicalAsset(f.asset);
    const v = asset === m.instrument.quote ? decimalE8(f.qty) : asset === m.instrument.base ? productE8(f.qty, price) : m.instrument.quote === 'USD' && usdEquiv ? decimalE8(usdEquiv) : undefined;
    if (v === undefined) return undefined;
    total += v;
  }
  return total;
}
