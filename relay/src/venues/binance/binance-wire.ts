/**
 * Binance Spot wire messages, as its API documentation gives them (spot REST /api/v3, market
 * streams on stream.binance.com:9443 as combined streams, the user data stream). Parsing is
 * shape checking only; decimals stay strings until FeedBook turns them into ticks and lots.
 */

/** `<symbol>@depth@100ms`: absolute quantities per level; U..u are the update ids it carries. */
export interface DepthUpdate {
  e: 'depthUpdate';
  E: number;
  s: string;
  U: number;
  u: number;
  b: [string, string][];
  a: [string, string][];
}

/** `<symbol>@trade`: one trade; m = the buyer is the maker (so the taker sold). */
export interface TradeEvent {
  e: 'trade';
  E: number;
  s: string;
  t: number;
  p: string;
  q: string;
  T: number;
  m: boolean;
}

/** GET /api/v3/depth. */
export interface DepthSnapshot {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
}

/** One filter of an exchangeInfo symbol (only the fields we read). */
export interface SymbolFilter {
  filterType: string;
  tickSize?: string;
  minPrice?: string;
  maxPrice?: string;
  stepSize?: string;
  minQty?: string;
  maxQty?: string;
  minNotional?: string;
}

/** One symbol of GET /api/v3/exchangeInfo. */
export interface ExchangeSymbol {
  symbol: string;
  status: string;
  baseAsset: string;
  quoteAsset: string;
  orderTypes: string[];
  filters: SymbolFilter[];
}

export interface ExchangeInfo {
  symbols: ExchangeSymbol[];
}

/** The user data stream's order event (fields we read). */
export interface ExecutionReportEvent {
  e: 'executionReport';
  E: number;
  s: string;
  /** Client order id; for a cancel, the cancel's own id (the order's is in C). */
  c: string;
  C: string;
  S: 'BUY' | 'SELL';
  o: string;
  f: string;
  q: string;
  p: string;
  /** Execution type: NEW, CANCELED, REPLACED, REJECTED, TRADE, EXPIRED, TRADE_PREVENTION. */
  x: string;
  /** Order status: NEW, PARTIALLY_FILLED, FILLED, CANCELED, REJECTED, EXPIRED, … */
  X: string;
  /** Reject reason, "NONE" otherwise. */
  r: string;
  i: number;
  /** Last executed quantity and price, cumulative filled quantity. */
  l: string;
  L: string;
  z: string;
  /** Commission of this fill and its asset. */
  n: string;
  N: string | null;
  T: number;
  t: number;
  m: boolean;
}

/** GET /api/v3/openOrders and order query answers (fields we read). */
export interface OrderInfo {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  price: string;
  origQty: string;
  executedQty: string;
  status: string;
  side: 'BUY' | 'SELL';
  type: string;
  timeInForce: string;
}

/** GET /api/v3/myTrades (fields we read). */
export interface MyTrade {
  symbol: string;
  id: number;
  orderId: number;
  price: string;
  qty: string;
  commission: string;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
}

/** Binance's error body: {"code": -2010, "msg": "Account has insufficient balance…"}. */
export interface BinanceError {
  code: number;
  msg: string;
}

/** A combined-stream frame: {"stream": "btcusdt@depth@100ms", "data": {...}}. */
export type StreamEvent = DepthUpdate | TradeEvent;

const isLevels = (v: unknown): v is [string, string][] =>
  Array.isArray(v) && v.every((l) => Array.isArray(l) && typeof l[0] === 'string' && typeof l[1] === 'string');

/** A market-stream frame's payload, or undefined when it is not a depth or trade event we can read. */
export function parseStreamFrame(text: string): StreamEvent | undefined {
  let msg: { stream?: unknown; data?: Record<string, unknown> };
  try {
    msg = JSON.parse(text) as typeof msg;
  } catch {
    return undefined;
  }
  const d = msg.data;
  if (!d || typeof d !== 'object') return undefined;
  if (d.e === 'depthUpdate') {
    return typeof d.s === 'string' && Number.isSafeInteger(d.U) && Number.isSafeInteger(d.u) && isLevels(d.b) && isLevels(d.a) ? (d as unknown as DepthUpdate) : undefined;
  }
  if (d.e === 'trade') {
    return typeof d.s === 'string' && Number.isSafeInteger(d.t) && typeof d.p === 'string' && typeof d.q === 'string' && typeof d.m === 'boolean' && Number.isFinite(d.T)
      ? (d as unknown as TradeEvent)
      : undefined;
  }
  return undefined;
}

export function isDepthSnapshot(v: unknown): v is DepthSnapshot {
  const s = v as DepthSnapshot;
  return !!s && Number.isSafeInteger(s.lastUpdateId) && isLevels(s.bids) && isLevels(s.asks);
}

export function isExchangeInfo(v: unknown): v is ExchangeInfo {
  const e = v as ExchangeInfo;
  return !!e && Array.isArray(e.symbols) && e.symbols.every((s) => typeof s.symbol === 'string' && Array.isArray(s.filters));
}

/** Stream names of one symbol (lower case, as Binance requires). */
export function streamNames(exchangeSymbol: string): { depth: string; trade: string } {
  const s = exchangeSymbol.toLowerCase();
  return { depth: `${s}@depth@100ms`, trade: `${s}@trade` };
}
