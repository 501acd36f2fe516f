import { ErrorCode } from '../model/codes';
import type { Instrument } from '../model/instrument';
import type { BookBatch, BookSnapshot, LevelChanges, StreamState, Trade } from '../model/market-data';
import { fail, ok, type Result } from '../model/result';
import { Side } from '../model/side';
import { DEFAULT_CODEC_LIMITS, type CodecLimits } from './codec-limits';
import { DecodeError, failFromError, invalidField, malformed } from './decode-error';
import {
  checkDecimalStep, checkId, checkInt32, checkListLength, checkText, checkUint,
} from './field-checks';
import { LEGACY_STATE_NAMES } from './legacy-json-encode';
import {
  LEGACY_CHANNELS, type InstrumentLookup, type LegacyChannel, type LegacyClientMsg, type LegacyServerMsg,
} from './legacy-json-types';
import { unitScale, type UnitScale } from './unit-scale';

/**
 * Legacy JSON decoders. Same error semantics as the protobuf codec: malformed JSON or a
 * non-object -> CODEC_MALFORMED; missing or unknown "type" -> CODEC_UNKNOWN_MESSAGE; a bad
 * field -> CODEC_INVALID_FIELD; text over the frame limit -> CODEC_PAYLOAD_TOO_LARGE.
 * Never throws.
 */

type Json = Record<string, unknown>;

function parseObject(text: string, maxChars: number): Json {
  if (text.length > maxChars) throw new DecodeError(ErrorCode.CODEC_PAYLOAD_TOO_LARGE, `message of ${text.length} characters`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw malformed('not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed('not a JSON object');
  return v as Json;
}

function messageType(o: Json): string {
  if (typeof o.type !== 'string') throw new DecodeError(ErrorCode.CODEC_UNKNOWN_MESSAGE, 'no "type"');
  return o.type;
}

function channel(v: unknown): LegacyChannel {
  if (!LEGACY_CHANNELS.includes(v as LegacyChannel)) throw invalidField('channel', 'not "marketData" or "book"');
  return v as LegacyChannel;
}

/** `"symbol":"BTC-USD"` and/or `"symbols":[...]`, de-duplicated, at least one. */
function symbols(o: Json, limits: CodecLimits): string[] {
  const out: string[] = [];
  if (o.symbol !== undefined) out.push(checkId(o.symbol, 'symbol', limits.maxIdLength, false));
  if (o.symbols !== undefined) {
    if (!Array.isArray(o.symbols)) throw invalidField('symbols', 'not an array');
    checkListLength(o.symbols.length, 'symbols', limits.maxListLength);
    for (const s of o.symbols) out.push(checkId(s, 'symbols', limits.maxIdLength, false));
  }
  if (out.length === 0) throw invalidField('symbols', 'no symbol');
  return [...new Set(out)];
}

function optionalUint(v: unknown, field: string): number {
  return v === undefined ? 0 : checkUint(v, field);
}

/** Legacy milliseconds (fractional allowed) -> integer microseconds. */
function timeUs(v: unknown, field: string): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw invalidField(field, 'not a time in milliseconds');
  return checkUint(Math.round(v * 1000), field);
}

/** Decodes a message from a legacy client: untrusted input. */
export function legacyDecodeClient(text: string, limits: CodecLimits = DEFAULT_CODEC_LIMITS): Result<LegacyClientMsg> {
  try {
    const o = parseObject(text, limits.maxClientFrameBytes);
    const type = messageType(o);
    switch (type) {
      case 'subscribe':
      case 'unsubscribe':
        return ok({ type, channel: channel(o.channel), symbols: symbols(o, limits) });
      case 'ping':
      case 'pong':
        return ok({ type, nonce: optionalUint(o.nonce, 'nonce'), timeUs: timeUs(o.time, 'time') });
      default:
        return fail(ErrorCode.CODEC_UNKNOWN_MESSAGE, `unknown type ${type.slice(0, 64)}`);
    }
  } catch (e) {
    return failFromError(e);
  }
}

function object(v: unknown, field: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidField(field, 'not an object');
  return v as Json;
}

function array(v: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(v)) throw invalidField(field, 'not an array');
  checkListLength(v.length, field, max);
  return v;
}

function finite(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidField(field, 'not a number');
  return v;
}

function ticks(v: unknown, ps: UnitScale, field: string): number {
  const t = ps.toUnits(finite(v, field));
  if (!Number.isSafeInteger(t)) throw invalidField(field, 'out of range');
  return t;
}

function lots(v: unknown, ls: UnitScale, field: string): number {
  return checkUint(ls.toUnits(finite(v, field)), field);
}

function levels(v: unknown, ps: UnitScale, ls: UnitScale, field: string, limits: CodecLimits): LevelChanges {
  const rows = array(v, field, limits.maxLevels);
  const price: number[] = [];
  const size: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Array.isArray(row) || row.length !== 2) throw invalidField(field, 'level is not [price, size]');
    price.push(ticks(row[0], ps, `${field}.price`));
    size.push(lots(row[1], ls, `${field}.size`));
  }
  return { price, size };
}

function trade(v: unknown, ps: UnitScale, ls: UnitScale): Trade {
  const d = object(v, 'data');
  if (d.side !== 'buy' && d.side !== 'sell') throw invalidField('data.side', 'not "buy" or "sell"');
  return {
    tradeId: optionalUint(d.tradeId, 'data.tradeId'),
    price: ticks(d.price, ps, 'data.price'),
    size: lots(d.volume, ls, 'data.volume'),
    aggressor: d.side === 'buy' ? Side.Buy : Side.Sell,
    timeUs: timeUs(d.time, 'data.time'),
  };
}

function state(v: unknown): StreamState {
  if (v === undefined) return 0;
  const i = LEGACY_STATE_NAMES.indexOf(v as (typeof LEGACY_STATE_NAMES)[number]);
  if (i <= 0) throw invalidField('data.state', 'unknown state');
  return i as StreamState;
}

function book(d: Json, inst: Instrument, limits: CodecLimits): Omit<BookBatch, 'trades'> {
  const ps = unitScale(inst.tickSize);
  const ls = unitScale(inst.lotSize);
  const checksum = checkUint(d.checksum ?? 0, 'data.checksum');
  if (checksum > 0xffffffff) throw invalidField('data.checksum', 'not a uint32');
  return {
    streamId: inst.streamId,
    epoch: checkUint(d.epoch, 'data.epoch'),
    seq: checkUint(d.seq, 'data.seq'),
    bids: levels(d.bids ?? [], ps, ls, 'data.bids', limits),
    asks: levels(d.asks ?? [], ps, ls, 'data.asks', limits),
    checksum,
    state: state(d.state),
    timeUs: timeUs(d.time, 'data.time'),
  };
}

function instrument(v: unknown, limits: CodecLimits): Instrument {
  const o = object(v, 'instruments');
  const lotSize = checkDecimalStep(o.lotSize, 'instrument.lotSize');
  const ls = unitScale(lotSize);
  const id = (x: unknown, field: string, allowEmpty = false) => checkId(x ?? '', `instrument.${field}`, limits.maxIdLength, allowEmpty);
  const bps = (x: unknown, field: string) => checkInt32(Math.round(finite(x ?? 0, field) * 100), field);
  return {
    streamId: optionalUint(o.streamId, 'instrument.streamId'),
    symbol: id(o.symbol, 'symbol'),
    venue: id(o.venue, 'venue'),
    base: id(o.base, 'base', true),
    quote: id(o.quote, 'quote', true),
    tickSize: checkDecimalStep(o.tickSize, 'instrument.tickSize'),
    lotSize,
    minQty: o.minQty === undefined ? 0 : lots(o.minQty, ls, 'instrument.minQty'),
    maxQty: o.maxQty === undefined ? 0 : lots(o.maxQty, ls, 'instrument.maxQty'),
    makerFeeBpsX100: bps(o.makerFeeBps, 'instrument.makerFeeBps'),
    takerFeeBpsX100: bps(o.takerFeeBps, 'instrument.takerFeeBps'),
  };
}

/**
 * Decodes a message a legacy client receives. Market data is converted back to ticks and lots
 * with the instrument `lookup` finds for its (venue, symbol); an unknown one fails with
 * MD_UNKNOWN_SYMBOL. Used by the contract suite and by JSON clients written in TypeScript.
 * @param limits defaults to `DEFAULT_CODEC_LIMITS`
 */
export function legacyDecodeServer(
  text: string, lookup: InstrumentLookup, limits: CodecLimits = DEFAULT_CODEC_LIMITS,
): Result<LegacyServerMsg> {
  try {
    const o = parseObject(text, limits.maxServerFrameBytes);
    const type = messageType(o);
    switch (type) {
      case 'marketData':
      case 'book':
      case 'bookSnapshot': {
        const symbol = checkId(o.symbol, 'symbol', limits.maxIdLength, false);
        const venue = checkId(o.venue, 'venue', limits.maxIdLength, false);
        const inst = lookup(venue, symbol);
        if (inst === undefined) return fail(ErrorCode.MD_UNKNOWN_SYMBOL, `no instrument ${venue}:${symbol}`);
        if (type === 'marketData') {
          return ok({ type, symbol, venue, trade: trade(o.data, unitScale(inst.tickSize), unitScale(inst.lotSize)) });
        }
        const d = object(o.data, 'data');
        const common = book(d, inst, limits);
        if (type === 'book') return ok({ type, symbol, venue, batch: { ...common, trades: [] } });
        const ps = unitScale(inst.tickSize);
        const ls = unitScale(inst.lotSize);
        const recentTrades = array(d.trades ?? [], 'data.trades', limits.maxTrades).map((t) => trade(t, ps, ls));
        const snapshot: BookSnapshot = { ...common, recentTrades };
        return ok({ type, symbol, venue, snapshot });
      }
      case 'welcome':
        return ok({
          type,
          sessionId: checkId(o.sessionId ?? '', 'sessionId', limits.maxIdLength, true),
          serverTimeUs: timeUs(o.serverTime, 'serverTime'),
          heartbeatMs: optionalUint(o.heartbeatMs, 'heartbeatMs'),
          instruments: array(o.instruments ?? [], 'instruments', limits.maxInstruments).map((i) => instrument(i, limits)),
        });
      case 'subscribed':
      case 'unsubscribed':
        return ok({ type, channel: channel(o.channel), symbols: symbols(o, limits) });
      case 'ping':
      case 'pong':
        return ok({ type, nonce: optionalUint(o.nonce, 'nonce'), timeUs: timeUs(o.time, 'time') });
      case 'error':
        return ok({
          type,
          code: checkId(o.code, 'code', limits.maxIdLength, false),
          message: checkText(o.message ?? '', 'message', limits.maxTextLength),
        });
      default:
        return fail(ErrorCode.CODEC_UNKNOWN_MESSAGE, `unknown type ${type.slice(0, 64)}`);
    }
  } catch (e) {
    return failFromError(e);
  }
}
