import type { Instrument } from '../model/instrument';
import type { BookBatch, BookSnapshot, LevelChanges, Trade } from '../model/market-data';
import { Side } from '../model/side';
import type { LegacyClientMsg, LegacyServerControlMsg } from './legacy-json-types';
import { unitScale, type UnitScale } from './unit-scale';

/**
 * Legacy JSON encoders (/ws/json). Market-data messages are built as strings directly: they
 * are encoded once per batch like the protobuf frame, and string concatenation avoids the
 * intermediate objects JSON.stringify would need. Prices and sizes become floats here
 * (ticks * tickSize, lots * lotSize); times become milliseconds since the Unix epoch.
 */

/** Stream state names on the legacy wire; Unspecified (0, "unchanged") is omitted. */
export const LEGACY_STATE_NAMES = ['', 'live', 'halted', 'stale'] as const;

function sideName(side: Side): string {
  return side === Side.Buy ? 'buy' : 'sell';
}

/** Microseconds -> legacy milliseconds (fractional, exact enough to round back to the µs). */
function ms(timeUs: number): number {
  return timeUs / 1000;
}

function tradeData(t: Trade, ps: UnitScale, ls: UnitScale): string {
  // price and volume first: the documented legacy shape.
  return `{"price":${ps.toFloat(t.price)},"volume":${ls.toFloat(t.size)},"side":"${sideName(t.aggressor)}","tradeId":${t.tradeId},"time":${ms(t.timeUs)}}`;
}

/**
 * One legacy `marketData` message per trade, as the legacy protocol has it:
 * `{"type":"marketData","channel":"marketData","symbol":"BTC-USD","venue":"sim-a","data":{"price":50000,"volume":1.5,"side":"buy","tradeId":7,"time":1732560000123.456}}`
 */
export function legacyEncodeTrades(inst: Instrument, trades: readonly Trade[]): string[] {
  const ps = unitScale(inst.tickSize);
  const ls = unitScale(inst.lotSize);
  const head = `{"type":"marketData","channel":"marketData","symbol":${JSON.stringify(inst.symbol)},"venue":${JSON.stringify(inst.venue)},"data":`;
  const out = new Array<string>(trades.length);
  for (let i = 0; i < trades.length; i++) out[i] = head + tradeData(trades[i]!, ps, ls) + '}';
  return out;
}

function levelsJson(l: LevelChanges, ps: UnitScale, ls: UnitScale): string {
  const n = l.price.length;
  if (n === 0) return '[]';
  let s = '[';
  for (let i = 0; i < n; i++) {
    if (i !== 0) s += ',';
    s += `[${ps.toFloat(l.price[i]!)},${ls.toFloat(l.size[i]!)}]`;
  }
  return s + ']';
}

/**
 * The legacy book message of a batch (`"type":"book"`: level changes, size 0 deletes) or of a
 * snapshot (`"type":"bookSnapshot"`: the whole book, plus `"trades"`: its recent trades).
 * A batch's trades are not in its book message: they go out as `legacyEncodeTrades` messages
 * on the `marketData` channel.
 * `{"type":"book","channel":"book","symbol":"BTC-USD","venue":"sim-a","data":{"epoch":1,"seq":42,"bids":[[50000,1.5]],"asks":[],"checksum":305419896,"state":"live","time":1732560000123.456}}`
 */
export function legacyEncodeBook(inst: Instrument, kind: 'batch', book: BookBatch): string;
export function legacyEncodeBook(inst: Instrument, kind: 'snapshot', book: BookSnapshot): string;
export function legacyEncodeBook(inst: Instrument, kind: 'batch' | 'snapshot', book: BookBatch | BookSnapshot): string;
export function legacyEncodeBook(inst: Instrument, kind: 'batch' | 'snapshot', book: BookBatch | BookSnapshot): string {
  const ps = unitScale(inst.tickSize);
  const ls = unitScale(inst.lotSize);
  let s = `{"type":"${kind === 'batch' ? 'book' : 'bookSnapshot'}","channel":"book","symbol":${JSON.stringify(inst.symbol)},"venue":${JSON.stringify(inst.venue)}`;
  s += `,"data":{"epoch":${book.epoch},"seq":${book.seq},"bids":${levelsJson(book.bids, ps, ls)},"asks":${levelsJson(book.asks, ps, ls)},"checksum":${book.checksum}`;
  const state = LEGACY_STATE_NAMES[book.state];
  if (state) s += `,"state":"${state}"`;
  s += `,"time":${ms(book.timeUs)}`;
  if (kind === 'snapshot') {
    const trades = (book as BookSnapshot).recentTrades;
    s += ',"trades":[';
    for (let i = 0; i < trades.length; i++) s += (i ? ',' : '') + tradeData(trades[i]!, ps, ls);
    s += ']';
  }
  return s + '}}';
}

function instrumentJson(i: Instrument): Record<string, unknown> {
  const ls = unitScale(i.lotSize);
  return {
    symbol: i.symbol, venue: i.venue, base: i.base, quote: i.quote, tickSize: i.tickSize, lotSize: i.lotSize,
    minQty: ls.toFloat(i.minQty), maxQty: ls.toFloat(i.maxQty),
    makerFeeBps: i.makerFeeBpsX100 / 100, takerFeeBps: i.takerFeeBpsX100 / 100, streamId: i.streamId,
  };
}

/** Encodes a legacy control message (welcome, subscribed, unsubscribed, ping, pong, error). */
export function legacyEncodeServer(msg: LegacyServerControlMsg): string {
  switch (msg.type) {
    case 'welcome':
      return JSON.stringify({
        type: 'welcome', sessionId: msg.sessionId, serverTime: ms(msg.serverTimeUs), heartbeatMs: msg.heartbeatMs,
        instruments: msg.instruments.map(instrumentJson),
      });
    case 'subscribed':
    case 'unsubscribed':
      return JSON.stringify({ type: msg.type, channel: msg.channel, symbols: msg.symbols });
    case 'ping':
    case 'pong':
      return JSON.stringify({ type: msg.type, nonce: msg.nonce, time: ms(msg.timeUs) });
    case 'error':
      return JSON.stringify({ type: 'error', code: msg.code, message: msg.message });
    default: {
      const never: never = msg;
      throw new Error(`unknown legacy message ${(never as { type: string }).type}`);
    }
  }
}

/** Encodes a legacy client message (what a legacy client sends; used by tests and tools). */
export function legacyEncodeClient(msg: LegacyClientMsg): string {
  switch (msg.type) {
    case 'subscribe':
    case 'unsubscribe':
      return msg.symbols.length === 1
        ? JSON.stringify({ type: msg.type, channel: msg.channel, symbol: msg.symbols[0] })
        : JSON.stringify({ type: msg.type, channel: msg.channel, symbols: msg.symbols });
    case 'ping':
    case 'pong':
      return JSON.stringify({ type: msg.type, nonce: msg.nonce, time: ms(msg.timeUs) });
    default: {
      const never: never = msg;
      throw new Error(`unknown legacy message ${(never as { type: string }).type}`);
    }
  }
}
