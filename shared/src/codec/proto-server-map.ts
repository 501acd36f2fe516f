import { ErrorCode } from '../model/codes';
import { decimalPlaces } from '../model/decimal';
import type { Instrument } from '../model/instrument';
import type { AlertMsg, ExecutionReportMsg, ServerMsg } from '../model/messages';
import type { CodecLimits } from './codec-limits';
import { featuresFromProto } from './wire-features';
import { DecodeError } from './decode-error';
import {
  checkBool, checkDecimalStep, checkEnum, checkId, checkInt, checkInt32, checkListLength, checkPositive, checkText, checkUint,
} from './field-checks';
import { ALGOS, EXEC_TYPES, ORDER_STATUSES, ORDER_TYPES, SIDES, TIMES_IN_FORCE, timeInForceFromWire } from './proto-enums';
import type { tickmesh } from './proto-types';
import { scheduleFromProto, scheduleToProto } from './proto-algo-schedule';
import { reportTriggerFromProto, reportTriggerToProto } from './proto-conditional';

/**
 * Domain ServerMsg <-> generated ServerMessage properties, for every body except the book
 * frames (those have hand-rolled encoders/decoders). Server frames are validated too: the
 * browser worker must survive a corrupt or hostile frame (e.g. relayed by a mesh peer).
 */

type PbServer = tickmesh.v1.ServerMessage.$Properties;
export type NonBookServerMsg = Exclude<ServerMsg, { type: 'bookBatch' } | { type: 'bookSnapshot' }>;

function instrumentToProto(i: Instrument): tickmesh.v1.Instrument.$Properties {
  return {
    streamId: i.streamId, symbol: i.symbol, venue: i.venue, base: i.base, quote: i.quote,
    tickSize: i.tickSize, lotSize: i.lotSize,
    priceDecimals: decimalPlaces(i.tickSize), sizeDecimals: decimalPlaces(i.lotSize),
    minQty: i.minQty, maxQty: i.maxQty, makerFeeBpsX100: i.makerFeeBpsX100, takerFeeBpsX100: i.takerFeeBpsX100,
  };
}

export function serverToProto(msg: NonBookServerMsg): PbServer {
  const requestId = msg.requestId;
  switch (msg.type) {
    case 'welcome':
      return {
        requestId,
        welcome: {
          sessionId: msg.sessionId, serverTimeUs: msg.serverTimeUs, heartbeatMs: msg.heartbeatMs,
          instruments: msg.instruments.map(instrumentToProto), mdPublicKey: msg.mdPublicKey,
          account: msg.account, role: msg.role, features: msg.features ?? [],
        },
      };
    case 'error':
      // Error carries its own request_id too, so a client reading only the body still correlates.
      return { requestId, error: { code: msg.code, message: msg.message, requestId } };
    case 'ping':
      return { requestId, ping: { nonce: msg.nonce, timeUs: msg.timeUs } };
    case 'pong':
      return { requestId, pong: { nonce: msg.nonce, timeUs: msg.timeUs } };
    case 'subscribed':
      return { requestId, subscribed: { streamIds: msg.streamIds } };
    case 'unsubscribed':
      return { requestId, unsubscribed: { streamIds: msg.streamIds } };
    case 'instruments':
      return { requestId, instruments: { instruments: msg.instruments.map(instrumentToProto) } };
    case 'executionReport':
      return {
        requestId,
        executionReport: {
          orderId: msg.orderId, clientOrderId: msg.clientOrderId, parentOrderId: msg.parentOrderId,
          status: msg.status, execType: msg.execType, symbol: msg.symbol, venue: msg.venue, side: msg.side,
          type: msg.orderType, timeInForce: msg.timeInForce, price: msg.price, qty: msg.qty, filledQty: msg.filledQty, leavesQty: msg.leavesQty,
          cumNotional: msg.cumNotional, lastPrice: msg.lastPrice, lastQty: msg.lastQty, tradeId: msg.tradeId,
          reasonCode: msg.reasonCode, reason: msg.reason, fee: msg.fee, liquidityMaker: msg.liquidityMaker,
          timeUs: msg.timeUs, account: msg.account, algo: msg.algo, ...reportTriggerToProto(msg.trigger),
          ...scheduleToProto(msg.schedule),
        },
      };
    case 'mesh':
      return { requestId, mesh: msg.payload };
    case 'alert':
      return {
        requestId,
        alert: {
          seq: msg.seq, code: msg.code, account: msg.account, symbol: msg.symbol, venue: msg.venue, timeUs: msg.timeUs,
          score: msg.score, message: msg.message, evidence: msg.evidence.map((e) => ({ seq: e.seq, orderId: e.orderId, what: e.what })), figures: msg.figures,
        },
      };
    default: {
      const never: never = msg;
      throw new Error(`unknown server message ${(never as { type: string }).type}`);
    }
  }
}

/** A wire Instrument, validated (untrusted input: server frames, recordings). Throws DecodeError. */
export function instrumentFromProto(p: tickmesh.v1.Instrument.$Properties, limits: CodecLimits): Instrument {
  const id = (v: unknown, field: string, allowEmpty = false) => checkId(v ?? '', `instrument.${field}`, limits.maxIdLength, allowEmpty);
  return {
    streamId: checkUint(p.streamId ?? 0, 'instrument.streamId'),
    symbol: id(p.symbol, 'symbol'),
    venue: id(p.venue, 'venue'),
    base: id(p.base, 'base', true),
    quote: id(p.quote, 'quote', true),
    tickSize: checkDecimalStep(p.tickSize, 'instrument.tickSize'),
    lotSize: checkDecimalStep(p.lotSize, 'instrument.lotSize'),
    minQty: checkUint(p.minQty ?? 0, 'instrument.minQty'),
    maxQty: checkUint(p.maxQty ?? 0, 'instrument.maxQty'),
    makerFeeBpsX100: checkInt32(p.makerFeeBpsX100 ?? 0, 'instrument.makerFeeBpsX100'),
    takerFeeBpsX100: checkInt32(p.takerFeeBpsX100 ?? 0, 'instrument.takerFeeBpsX100'),
  };
}

function instrumentsFromProto(list: tickmesh.v1.Instrument.$Properties[] | null | undefined, limits: CodecLimits): Instrument[] {
  const items = list ?? [];
  checkListLength(items.length, 'instruments', limits.maxInstruments);
  return items.map((p) => instrumentFromProto(p, limits));
}

function streamIds(v: number[] | null | undefined, field: string, limits: CodecLimits): number[] {
  const ids = v ?? [];
  checkListLength(ids.length, field, limits.maxListLength);
  for (let i = 0; i < ids.length; i++) checkPositive(ids[i], field);
  return ids;
}

function executionReportFromProto(b: tickmesh.v1.ExecutionReport.$Properties, requestId: number, limits: CodecLimits): ExecutionReportMsg {
  const id = (v: unknown, field: string, allowEmpty = false) => checkId(v ?? '', `executionReport.${field}`, limits.maxIdLength, allowEmpty);
  const uint = (v: number | null | undefined, field: string) => checkUint(v ?? 0, `executionReport.${field}`);
  const int = (v: number | null | undefined, field: string) => checkInt(v ?? 0, `executionReport.${field}`);
  const report: ExecutionReportMsg = {
    type: 'executionReport', requestId,
    orderId: id(b.orderId, 'orderId', true),
    clientOrderId: id(b.clientOrderId, 'clientOrderId', true),
    parentOrderId: id(b.parentOrderId, 'parentOrderId', true),
    status: checkEnum(b.status ?? 0, ORDER_STATUSES, 'executionReport.status'),
    execType: checkEnum(b.execType ?? 0, EXEC_TYPES, 'executionReport.execType'),
    symbol: id(b.symbol, 'symbol', true),
    venue: id(b.venue, 'venue', true),
    side: checkEnum(b.side ?? 0, SIDES, 'executionReport.side'),
    orderType: checkEnum(b.type ?? 0, ORDER_TYPES, 'executionReport.type'),
    timeInForce: checkEnum(timeInForceFromWire(b.timeInForce ?? 0), TIMES_IN_FORCE, 'executionReport.timeInForce'),
    price: int(b.price, 'price'),
    qty: uint(b.qty, 'qty'),
    filledQty: uint(b.filledQty, 'filledQty'),
    leavesQty: uint(b.leavesQty, 'leavesQty'),
    cumNotional: int(b.cumNotional, 'cumNotional'),
    lastPrice: int(b.lastPrice, 'lastPrice'),
    lastQty: uint(b.lastQty, 'lastQty'),
    tradeId: uint(b.tradeId, 'tradeId'),
    reasonCode: id(b.reasonCode, 'reasonCode', true),
    reason: checkText(b.reason ?? '', 'executionReport.reason', limits.maxTextLength),
    fee: int(b.fee, 'fee'),
    liquidityMaker: checkBool(b.liquidityMaker ?? false, 'executionReport.liquidityMaker'),
    timeUs: uint(b.timeUs, 'timeUs'),
    account: id(b.account, 'account', true),
    algo: checkEnum(b.algo ?? 0, ALGOS, 'executionReport.algo'),
  };
  const trigger = reportTriggerFromProto(b, 'executionReport', true);
  if (trigger !== undefined) report.trigger = trigger;
  const schedule = scheduleFromProto(b, 'executionReport', true);
  if (schedule !== undefined) report.schedule = schedule;
  return report;
}

function alertFromProto(b: tickmesh.v1.Alert.$Properties, requestId: number, limits: CodecLimits): AlertMsg {
  const id = (v: unknown, field: string) => checkId(v ?? '', `alert.${field}`, limits.maxIdLength, true);
  const evidence = b.evidence ?? [];
  checkListLength(evidence.length, 'alert.evidence', limits.maxListLength);
  const figures = Object.entries(b.figures ?? {});
  checkListLength(figures.length, 'alert.figures', limits.maxListLength);
  const score = b.score ?? 0;
  if (!(score >= 0 && score <= 1)) throw new DecodeError(ErrorCode.CODEC_INVALID_FIELD, 'alert.score: outside 0..1');
  return {
    type: 'alert', requestId,
    seq: checkUint(b.seq ?? 0, 'alert.seq'),
    code: checkId(b.code ?? '', 'alert.code', limits.maxIdLength, false),
    account: id(b.account, 'account'),
    symbol: id(b.symbol, 'symbol'),
    venue: id(b.venue, 'venue'),
    timeUs: checkUint(b.timeUs ?? 0, 'alert.timeUs'),
    score,
    message: checkText(b.message ?? '', 'alert.message', limits.maxTextLength),
    evidence: evidence.map((e) => ({ seq: checkUint(e.seq ?? 0, 'alert.evidence.seq'), orderId: id(e.orderId, 'evidence.orderId'), what: id(e.what, 'evidence.what') })),
    figures: Object.fromEntries(figures.map(([k, v]) => [checkId(k, 'alert.figures', limits.maxIdLength, false), checkText(v, 'alert.figures', limits.maxIdLength)])),
  };
}

/** Maps a decoded generated message (non-book body) to the domain, validating every field. */
export function serverFromProto(m: tickmesh.v1.ServerMessage, limits: CodecLimits): NonBookServerMsg {
  const requestId = checkUint(m.requestId, 'requestId');
  switch (m.body) {
    case 'welcome': {
      const b = m.welcome!;
      const key = b.mdPublicKey ?? new Uint8Array(0);
      const features = featuresFromProto(b.features, 'welcome.features', limits.maxIdLength);
      if (key.length > limits.maxKeyBytes) throw new DecodeError(ErrorCode.CODEC_INVALID_FIELD, 'welcome.mdPublicKey: too long');
      return {
        type: 'welcome', requestId,
        sessionId: checkId(b.sessionId ?? '', 'welcome.sessionId', limits.maxIdLength, true),
        serverTimeUs: checkUint(b.serverTimeUs ?? 0, 'welcome.serverTimeUs'),
        heartbeatMs: checkUint(b.heartbeatMs ?? 0, 'welcome.heartbeatMs'),
        instruments: instrumentsFromProto(b.instruments, limits),
        // A plain copy: on Node the reader hands out a Buffer view into the whole frame.
        mdPublicKey: new Uint8Array(key),
        account: checkId(b.account ?? '', 'welcome.account', limits.maxIdLength, true),
        role: checkId(b.role ?? '', 'welcome.role', limits.maxIdLength, true),
        ...(features ? { features } : {}),
      };
    }
    case 'error': {
      const b = m.error!;
      return {
        type: 'error',
        requestId: requestId || checkUint(b.requestId ?? 0, 'error.requestId'),
        code: checkId(b.code ?? '', 'error.code', limits.maxIdLength, false),
        message: checkText(b.message ?? '', 'error.message', limits.maxTextLength),
      };
    }
    case 'ping':
    case 'pong': {
      const b = (m.body === 'ping' ? m.ping : m.pong)!;
      return { type: m.body, requestId, nonce: checkUint(b.nonce ?? 0, `${m.body}.nonce`), timeUs: checkUint(b.timeUs ?? 0, `${m.body}.timeUs`) };
    }
    case 'subscribed':
      return { type: 'subscribed', requestId, streamIds: streamIds(m.subscribed!.streamIds, 'subscribed.streamIds', limits) };
    case 'unsubscribed':
      return { type: 'unsubscribed', requestId, streamIds: streamIds(m.unsubscribed!.streamIds, 'unsubscribed.streamIds', limits) };
    case 'instruments':
      return { type: 'instruments', requestId, instruments: instrumentsFromProto(m.instruments!.instruments, limits) };
    case 'executionReport':
      return executionReportFromProto(m.executionReport!, requestId, limits);
    case 'mesh':
      // A view, not a copy: signed frames are the mesh's hot path (the MeshNode may keep it).
      return { type: 'mesh', requestId, payload: m.mesh ?? new Uint8Array(0) };
    case 'alert':
      return alertFromProto(m.alert!, requestId, limits);
    default:
      throw new DecodeError(ErrorCode.CODEC_UNKNOWN_MESSAGE, 'server message without a known body');
  }
}
