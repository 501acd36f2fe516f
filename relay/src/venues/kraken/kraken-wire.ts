/**
 * Kraken Spot WebSocket v2 and REST AssetPairs as they travel on the wire: message types and
 * the functions that read them. No I/O.
 *
 * v2 sends `price` and `qty` as JSON numbers ("price": 45285.2, "qty": 0.00100000). Parsing
 * those with JSON.parse turns them into doubles, which loses the digits the checksum and exact
 * ticks need. So the raw digits of every `price`/`qty` value are quoted before parsing
 * (quoteDecimals): the adapter sees the venue's own decimal text, never a float.
 */

/** One level of the `book` channel: absolute quantity, "0" removes the level. */
export interface KrakenLevel {
  /** The venue's decimal text, exactly as sent (exponent form expanded). */
  price: string;
  qty: string;
}

/** One symbol's part of a `book` message. */
export interface KrakenBookData {
  symbol: string;
  bids: KrakenLevel[];
  asks: KrakenLevel[];
  /** CRC32 (unsigned) of the top 10 levels after this message is applied and truncated. */
  checksum: number;
  timestamp?: string;
}

/** One print of the `trade` channel. */
export interface KrakenTrade {
  symbol: string;
  /** The taker's side. */
  side: 'buy' | 'sell';
  price: string;
  qty: string;
  ord_type?: string;
  trade_id: number;
  /** RFC 3339, e.g. "2023-09-25T07:49:37.708706Z". */
  timestamp: string;
}

/** A frame from the public v2 endpoint, as the adapter uses it. */
export type KrakenFrame =
  | { kind: 'book'; type: 'snapshot' | 'update'; data: KrakenBookData[] }
  | { kind: 'trade'; type: 'snapshot' | 'update'; data: KrakenTrade[] }
  | { kind: 'heartbeat' }
  | { kind: 'status'; system: string }
  /** The answer to a subscribe/unsubscribe/ping request. */
  | { kind: 'ack'; method: string; success: boolean; error?: string; channel?: string; symbol?: string }
  /** Anything else that is well-formed JSON (counted, ignored). */
  | { kind: 'other' };

/** A subscribe or unsubscribe request (v2 `method` envelope). */
export interface KrakenRequest {
  method: 'subscribe' | 'unsubscribe' | 'ping';
  params?: { channel: 'book' | 'trade' | 'instrument'; symbol: string[]; depth?: number; snapshot?: boolean };
  req_id?: number;
}

/** Depths the `book` channel accepts (Kraken documents 10, 25, 100, 500, 1000; default 10). */
export const KRAKEN_BOOK_DEPTHS = [10, 25, 100, 500, 1000] as const;
/** The checksum covers this many levels per side, whatever the subscribed depth. */
export const CHECKSUM_LEVELS = 10;

/** REST /0/public/AssetPairs: { error: [...], result: { XXBTZUSD: {...}, ... } }. */
export interface AssetPairsResponse {
  error: string[];
  result?: Record<string, AssetPair>;
}

/** One entry of AssetPairs (the fields the adapter reads). */
export interface AssetPair {
  altname?: string;
  /** v1/legacy WebSocket name, e.g. "XBT/USD". */
  wsname?: string;
  /** Asset ids, legacy-prefixed for old assets: "XXBT", "ZUSD". */
  base: string;
  quote: string;
  /** Price precision (decimals); the checksum formats prices with it. */
  pair_decimals: number;
  /** Quantity precision (decimals); the checksum formats quantities with it. */
  lot_decimals: number;
  /** Minimum price increment, a decimal string ("0.1"); absent on old answers -> 10^-pair_decimals. */
  tick_size?: string;
  /** Minimum order quantity in base units, a decimal string. */
  ordermin?: string;
  /** Taker fee schedule [[volume, percent], ...]; the first tier is the default. */
  fees?: [number, number][];
  /** Maker fee schedule, when the pair is on maker/taker. */
  fees_maker?: [number, number][];
  status?: string;
}

export function isAssetPairsResponse(x: unknown): x is AssetPairsResponse {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Partial<AssetPairsResponse>;
  return Array.isArray(r.error) && (r.result === undefined || (typeof r.result === 'object' && r.result !== null));
}

export function isAssetPair(x: unknown): x is AssetPair {
  if (typeof x !== 'object' || x === null) return false;
  const p = x as Partial<AssetPair>;
  return typeof p.base === 'string' && typeof p.quote === 'string' && Number.isInteger(p.pair_decimals) && Number.isInteger(p.lot_decimals);
}

const DECIMAL_FIELD = /"(price|qty)"\s*:\s*(-?[0-9][0-9.eE+-]*)/g;

/** `"price":45285.20` -> `"price":"45285.20"`, so JSON.parse keeps the venue's digits. */
export function quoteDecimals(text: string): string {
  return text.replace(DECIMAL_FIELD, '"$1":"$2"');
}

/**
 * A JSON number's text as a plain decimal ("1.5e-7" -> "0.00000015"), exactly, by moving the
 * point; undefined when it is not a non-negative number. Plain text comes back unchanged.
 */
export function plainDecimal(s: string): string | undefined {
  const e = s.search(/[eE]/);
  if (e < 0) return /^\d+(\.\d+)?$/.test(s) ? s : undefined;
  const mantissa = s.slice(0, e);
  const exp = Number(s.slice(e + 1));
  if (!/^\d+(\.\d+)?$/.test(mantissa) || !Number.isInteger(exp) || Math.abs(exp) > 60) return undefined;
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot < 0 ? mantissa.length : dot) + exp; // digits before the point
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Reads one frame of the public v2 endpoint; undefined when it is not JSON or malformed. */
export function parseKrakenFrame(text: string): KrakenFrame | undefined {
  let msg: unknown;
  try {
    msg = JSON.parse(text.includes('"price"') || text.includes('"qty"') ? quoteDecimals(text) : text);
  } catch {
    return undefined;
  }
  if (typeof msg !== 'object' || msg === null) return undefined;
  const m = msg as Record<string, unknown>;
  if (typeof m.method === 'string') {
    const result = (typeof m.result === 'object' && m.result !== null ? m.result : {}) as Record<string, unknown>;
    return {
      kind: 'ack',
      method: m.method,
      success: m.success === true,
      error: typeof m.error === 'string' ? m.error : undefined,
      channel: typeof result.channel === 'string' ? result.channel : undefined,
      symbol: typeof result.symbol === 'string' ? result.symbol : typeof m.symbol === 'string' ? m.symbol : undefined,
    };
  }
  switch (m.channel) {
    case 'heartbeat':
      return { kind: 'heartbeat' };
    case 'status': {
      const d = Array.isArray(m.data) ? (m.data[0] as Record<string, unknown> | undefined) : undefined;
      return { kind: 'status', system: typeof d?.system === 'string' ? d.system : '' };
    }
    case 'book': {
      if ((m.type !== 'snapshot' && m.type !== 'update') || !Array.isArray(m.data)) return undefined;
      const data: KrakenBookData[] = [];
      for (const d of m.data) {
        const book = bookData(d);
        if (!book) return undefined;
        data.push(book);
      }
      return { kind: 'book', type: m.type, data };
    }
    case 'trade': {
      if ((m.type !== 'snapshot' && m.type !== 'update') || !Array.isArray(m.data)) return undefined;
      const data: KrakenTrade[] = [];
      for (const d of m.data) {
        const t = trade(d);
        if (!t) return undefined;
        data.push(t);
      }
      return { kind: 'trade', type: m.type, data };
    }
    default:
      return { kind: 'other' };
  }
}

function bookData(x: unknown): KrakenBookData | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const d = x as Record<string, unknown>;
  if (typeof d.symbol !== 'string' || typeof d.checksum !== 'number') return undefined;
  const bids = levels(d.bids ?? []);
  const asks = levels(d.asks ?? []);
  if (!bids || !asks) return undefined;
  return { symbol: d.symbol, bids, asks, checksum: d.checksum, timestamp: typeof d.timestamp === 'string' ? d.timestamp : undefined };
}

function levels(x: unknown): KrakenLevel[] | undefined {
  if (!Array.isArray(x)) return undefined;
  const out: KrakenLevel[] = [];
  for (const l of x) {
    if (typeof l !== 'object' || l === null) return undefined;
    const { price, qty } = l as Record<string, unknown>;
    if (typeof price !== 'string' || typeof qty !== 'string') return undefined;
    // Kept as sent even if unreadable: the book sync counts it and resyncs (never guesses).
    out.push({ price: plainDecimal(price) ?? price, qty: plainDecimal(qty) ?? qty });
  }
  return out;
}

function trade(x: unknown): KrakenTrade | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const t = x as Record<string, unknown>;
  if (typeof t.symbol !== 'string' || (t.side !== 'buy' && t.side !== 'sell')) return undefined;
  if (typeof t.price !== 'string' || typeof t.qty !== 'string' || typeof t.trade_id !== 'number' || typeof t.timestamp !== 'string') return undefined;
  return {
    symbol: t.symbol,
    side: t.side,
    price: plainDecimal(t.price) ?? t.price,
    qty: plainDecimal(t.qty) ?? t.qty,
    ord_type: typeof t.ord_type === 'string' ? t.ord_type : undefined,
    trade_id: t.trade_id,
    timestamp: t.timestamp,
  };
}

/** RFC 3339 with up to µs -> µs since the epoch; undefined when unreadable. */
export function rfc3339Us(ts: string): number | undefined {
  const ms = Date.parse(ts);
  if (!Number.isFinite(ms)) return undefined;
  const frac = /\.(\d+)/.exec(ts)?.[1] ?? '';
  // Date.parse keeps milliseconds; the 4th-6th fraction digits are the microseconds.
  return ms * 1000 + Number(frac.slice(3, 6).padEnd(3, '0'));
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zlib) of an ASCII string, unsigned. */
export function crc32(ascii: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < ascii.length; i++) c = CRC_TABLE[(c ^ ascii.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * One number's part of the checksum string: the value written with `precision` decimals, the
 * point removed and leading zeros stripped. From integer units of a step of `places` decimals
 * (`scaled` = the step in units of 10^-places), with no float anywhere: "45285.2" -> "452852",
 * "0.00100000" -> "100000".
 */
export function checksumToken(units: number, scaled: number, places: number, precision: number): string {
  const v = units * scaled;
  if (v === 0) return ''; // as Python's lstrip('0') of "000"
  return String(v) + '0'.repeat(precision - places);
}
