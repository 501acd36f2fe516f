/**
 * Coinbase Advanced Trade wire messages, as its documentation gives them (market data
 * WebSocket wss://advanced-trade-ws.coinbase.com, REST /api/v3/brokerage). Every server
 * message is one envelope {channel, client_id, timestamp, sequence_num, events[]}; the
 * sequence_num counts the messages of the whole connection (all channels), so a gap or a
 * repeat means the connection lost or replayed something. Parsing is shape checking only;
 * decimals stay strings until FeedBook turns them into ticks and lots.
 */

/** One level of an l2_data event: new_quantity is the level's new absolute size ("0" removes it). */
export interface L2Update {
  /** "bid" or "offer" (asks). */
  side: string;
  event_time: string;
  price_level: string;
  new_quantity: string;
}

/** An l2_data event: the full book of a product ("snapshot") or changed levels ("update"). */
export interface L2Event {
  type: 'snapshot' | 'update';
  product_id: string;
  updates: L2Update[];
}

/** One trade of a market_trades event. `side` is the taker's side (see coinbase-venue.ts). */
export interface MarketTrade {
  trade_id: string;
  product_id: string;
  price: string;
  size: string;
  side: 'BUY' | 'SELL';
  time: string;
}

export interface MarketTradesEvent {
  type: 'snapshot' | 'update';
  trades: MarketTrade[];
}

export interface HeartbeatEvent {
  current_time: string;
  /** A number in the docs' examples, a string in some SDKs: both are read. */
  heartbeat_counter: number | string;
}

/** A server message, by channel, with the connection's sequence number. */
export type CoinbaseMessage =
  | { channel: 'l2_data'; sequence_num: number; timestamp: string; events: L2Event[] }
  | { channel: 'market_trades'; sequence_num: number; timestamp: string; events: MarketTradesEvent[] }
  | { channel: 'heartbeats'; sequence_num: number; timestamp: string; events: HeartbeatEvent[] }
  | { channel: 'subscriptions'; sequence_num: number; timestamp: string; events: unknown[] }
  /** Any other channel (status, ticker …): only its sequence number matters to us. */
  | { channel: 'other'; sequence_num: number; timestamp: string; events: unknown[]; raw: string }
  /** l2_data or market_trades whose events we cannot read: its content is lost to us. */
  | { channel: 'malformed'; sequence_num: number; timestamp: string; events: unknown[]; raw: string };

/** A subscribe/unsubscribe request: one channel per message, as the docs require. */
export interface SubscribeRequest {
  type: 'subscribe' | 'unsubscribe';
  channel: string;
  product_ids?: string[];
  jwt?: string;
}

/** GET /api/v3/brokerage/market/products/{product_id} (the fields we read). */
export interface Product {
  product_id: string;
  base_currency_id: string;
  quote_currency_id: string;
  quote_increment: string;
  base_increment: string;
  base_min_size: string;
  base_max_size: string;
  status: string;
  trading_disabled: boolean;
  is_disabled?: boolean;
  cancel_only?: boolean;
  product_type?: string;
  /** Set when Coinbase publishes this product's market data under another id (BTC-USDC -> BTC-USD). */
  alias?: string;
}

/** The subscribe requests for market data of `products` on one connection. */
export function marketDataSubscriptions(products: readonly string[]): SubscribeRequest[] {
  return [
    // Heartbeats first: they keep the connection (and quiet products) alive and tick the watchdog.
    { type: 'subscribe', channel: 'heartbeats' },
    { type: 'subscribe', channel: 'level2', product_ids: [...products] },
    { type: 'subscribe', channel: 'market_trades', product_ids: [...products] },
  ];
}

const isStr = (v: unknown): v is string => typeof v === 'string';

function isL2Update(v: unknown): v is L2Update {
  const u = v as L2Update;
  return !!u && isStr(u.side) && isStr(u.price_level) && isStr(u.new_quantity);
}

function isL2Event(v: unknown): v is L2Event {
  const e = v as L2Event;
  return !!e && (e.type === 'snapshot' || e.type === 'update') && isStr(e.product_id) && Array.isArray(e.updates) && e.updates.every(isL2Update);
}

function isTrade(v: unknown): v is MarketTrade {
  const t = v as MarketTrade;
  return !!t && isStr(t.trade_id) && isStr(t.product_id) && isStr(t.price) && isStr(t.size) && (t.side === 'BUY' || t.side === 'SELL');
}

function isTradesEvent(v: unknown): v is MarketTradesEvent {
  const e = v as MarketTradesEvent;
  return !!e && (e.type === 'snapshot' || e.type === 'update') && Array.isArray(e.trades) && e.trades.every(isTrade);
}

/**
 * A server message, or undefined when it is not JSON or has no integer sequence_num (an
 * error answer to a bad request has none). A channel we read (l2_data, market_trades) whose
 * events have the wrong shape comes back as 'malformed': its data is lost to us.
 */
export function parseMessage(text: string): CoinbaseMessage | undefined {
  let m: { channel?: unknown; sequence_num?: unknown; timestamp?: unknown; events?: unknown };
  try {
    m = JSON.parse(text) as typeof m;
  } catch {
    return undefined;
  }
  if (!m || typeof m !== 'object' || !Number.isSafeInteger(m.sequence_num)) return undefined;
  const seq = m.sequence_num as number;
  const timestamp = isStr(m.timestamp) ? m.timestamp : '';
  const events = Array.isArray(m.events) ? (m.events as unknown[]) : [];
  switch (m.channel) {
    case 'l2_data':
      return events.every(isL2Event) ? { channel: 'l2_data', sequence_num: seq, timestamp, events } : { channel: 'malformed', sequence_num: seq, timestamp, events, raw: text.slice(0, 200) };
    case 'market_trades':
      return events.every(isTradesEvent) ? { channel: 'market_trades', sequence_num: seq, timestamp, events } : { channel: 'malformed', sequence_num: seq, timestamp, events, raw: text.slice(0, 200) };
    case 'heartbeats':
      return { channel: 'heartbeats', sequence_num: seq, timestamp, events: events as HeartbeatEvent[] };
    case 'subscriptions':
      return { channel: 'subscriptions', sequence_num: seq, timestamp, events };
    default:
      return { channel: 'other', sequence_num: seq, timestamp, events, raw: text.slice(0, 200) };
  }
}

export function isProduct(v: unknown): v is Product {
  const p = v as Product;
  return (
    !!p &&
    isStr(p.product_id) &&
    isStr(p.base_currency_id) &&
    isStr(p.quote_currency_id) &&
    isStr(p.quote_increment) &&
    isStr(p.base_increment) &&
    isStr(p.base_min_size) &&
    isStr(p.base_max_size) &&
    isStr(p.status)
  );
}

/** RFC 3339 time ("2023-02-09T20:32:50.714964855Z") -> µs since the epoch; undefined when unreadable. */
export function rfc3339ToUs(time: string): number | undefined {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (!Number.isFinite(ms)) return undefined;
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return ms * 1000 + Number(frac);
}
