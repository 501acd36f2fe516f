/**
 * The slice of ccxt (ccxt.pro, 4.5) the generic adapter uses, typed structurally so the relay's
 * types do not depend on ccxt's generated declarations, and loaded lazily: the relay bundle
 * (scripts/build-relay.mjs) stays free of ccxt's ~100 exchanges unless `--venues ccxt:<id>`
 * asks for one.
 *
 * ccxt normalises every exchange to one shape: unified symbols ("BTC/USDT"), markets with
 * `precision` (tick and lot) and `limits`, order books of [price, amount] float pairs, trades,
 * orders with our `clientOrderId`, and one error hierarchy. That shape is all the adapter reads.
 */

/** A price level as ccxt keeps it: floats (see ccxt-symbols.ts for how they become exact ticks). */
export type CcxtLevel = [number, number, ...unknown[]];

export interface CcxtOrderBook {
  bids: CcxtLevel[];
  asks: CcxtLevel[];
  /** The venue's update id where it has one (Binance's `u`); undefined elsewhere. */
  nonce?: number;
  timestamp?: number;
}

export interface CcxtTrade {
  id?: string;
  order?: string;
  timestamp?: number;
  symbol?: string;
  side?: 'buy' | 'sell';
  takerOrMaker?: 'taker' | 'maker';
  price: number;
  amount: number;
  fee?: { cost?: number; currency?: string };
}

export interface CcxtOrder {
  id: string;
  clientOrderId?: string;
  timestamp?: number;
  symbol: string;
  status?: 'open' | 'closed' | 'canceled' | 'expired' | 'rejected';
  filled?: number;
  amount?: number;
  price?: number;
}

export interface CcxtMarketInfo {
  id: string;
  symbol: string;
  base: string;
  quote: string;
  type?: string;
  spot?: boolean;
  active?: boolean | undefined;
  precision: { price?: number; amount?: number };
  limits: { amount?: { min?: number; max?: number }; price?: { min?: number; max?: number }; cost?: { min?: number; max?: number } };
  maker?: number;
  taker?: number;
}

/** One ccxt WebSocket client (ccxt/js/src/base/ws/WsClient.js): `connection` is a `ws` WebSocket. */
export interface CcxtWsClient {
  url: string;
  connection?: {
    readyState: number;
    on(event: 'message' | 'ping', listener: () => void): unknown;
    terminate(): void;
  };
  subscriptions?: Record<string, unknown>;
}

/** What `features.spot.createOrder` says (ccxt 4): absent entries are unknown, treated as unsupported. */
export interface CcxtCreateOrderFeatures {
  timeInForce?: Partial<Record<'IOC' | 'FOK' | 'PO' | 'GTD' | 'GTC', boolean>>;
}

export interface CcxtExchange {
  readonly id: string;
  has: Record<string, boolean | 'emulated' | undefined>;
  features?: { spot?: { createOrder?: CcxtCreateOrderFeatures } };
  precisionMode: number;
  markets: Record<string, CcxtMarketInfo>;
  orderbooks: Record<string, unknown>;
  clients: Record<string, CcxtWsClient>;
  loadMarkets(reload?: boolean): Promise<Record<string, CcxtMarketInfo>>;
  watchOrderBook(symbol: string, limit?: number): Promise<CcxtOrderBook>;
  watchTrades(symbol: string): Promise<CcxtTrade[]>;
  createOrder(symbol: string, type: string, side: string, amount: number, price?: number, params?: Record<string, unknown>): Promise<CcxtOrder>;
  cancelOrder(id: string, symbol: string): Promise<CcxtOrder>;
  fetchOpenOrders(symbol: string): Promise<CcxtOrder[]>;
  fetchClosedOrders(symbol: string, since?: number): Promise<CcxtOrder[]>;
  fetchOrders(symbol: string, since?: number): Promise<CcxtOrder[]>;
  fetchOrder(id: string, symbol: string): Promise<CcxtOrder>;
  fetchMyTrades(symbol: string, since?: number): Promise<CcxtTrade[]>;
  fetchOHLCV(symbol: string, timeframe: string, since?: number, limit?: number): Promise<number[][]>;
  setSandboxMode(on: boolean): void;
  close(): Promise<void>;
}

/** ccxt's precision modes (ccxt/js/src/base/functions/number.js). */
export const CcxtPrecision = { DECIMAL_PLACES: 2, SIGNIFICANT_DIGITS: 3, TICK_SIZE: 4 } as const;

interface CcxtModule {
  pro: Record<string, new (config: Record<string, unknown>) => CcxtExchange>;
  exchanges: string[];
}

let loaded: Promise<CcxtModule> | undefined;

/** ccxt, imported on first use (a non-literal specifier, so the relay bundle does not inline it). */
export function loadCcxt(): Promise<CcxtModule> {
  const name = 'ccxt';
  loaded ??= (import(name) as Promise<{ default: CcxtModule }>).then((m) => m.default ?? (m as unknown as CcxtModule));
  return loaded;
}

/** Names of an error's classes, most derived first (ccxt's hierarchy: RateLimitExceeded < DDoSProtection < NetworkError < BaseError). */
export function errorKinds(err: unknown): string[] {
  const kinds: string[] = [];
  for (let p = err !== null && typeof err === 'object' ? Object.getPrototypeOf(err) : null; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const name = (p as { constructor?: { name?: string } }).constructor?.name;
    if (name) kinds.push(name);
  }
  return kinds;
}

/** How a ccxt error is handled: its most derived class, and the families that decide. */
export interface CcxtErrorKind {
  kind: string;
  /** RateLimitExceeded / DDoSProtection: the venue said to back off. */
  rateLimited: boolean;
  /** NetworkError family (timeouts, closed sockets, exchange unavailable): the outcome of a request is unknown. */
  network: boolean;
  /** OrderNotFound: the venue does not know the order. */
  orderNotFound: boolean;
}

export function describeError(err: unknown): CcxtErrorKind {
  const kinds = errorKinds(err);
  return {
    kind: kinds[0] ?? typeof err,
    rateLimited: kinds.includes('RateLimitExceeded') || kinds.includes('DDoSProtection'),
    network: kinds.includes('NetworkError'),
    orderNotFound: kinds.includes('OrderNotFound'),
  };
}
