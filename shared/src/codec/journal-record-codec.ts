/**
 * JournalRecord <-> protobuf `tickmesh.v1.JournalRecord` (proto/journal.proto). Here, with the
 * other codecs, because generated types stay inside shared/src/codec (DESIGN.md house style 6).
 * Domain enum numbering equals proto numbering, so enums pass through unchanged.
 */
import type { ExecutionReportMsg } from '../model/messages';
import type { OrderIntent } from '../model/order';
import { pb, type tickmesh } from './proto-types';
import { scheduleFromProto, scheduleToProto } from './proto-algo-schedule';
import { conditionalFromProto, conditionalToProto, reportTriggerFromProto, reportTriggerToProto } from './proto-conditional';
import { timeInForceFromWire } from './proto-enums';
import type { JournalRecord } from '../model/journal-record';

type PbRecord = tickmesh.v1.JournalRecord.$Properties;

/** Encodes one record as its protobuf payload bytes. */
export function encodeJournalRecord(r: JournalRecord): Uint8Array {
  return pb.JournalRecord.encode(recordToProto(r)).finish();
}

/**
 * Decodes a payload. Throws (a plain Error) when the bytes are not a JournalRecord of a kind this
 * build knows; the reader wraps that as JOURNAL_CORRUPT with the record's position.
 */
export function decodeJournalRecord(payload: Uint8Array): JournalRecord {
  return recordFromProto(pb.JournalRecord.decode(payload));
}

function recordToProto(r: JournalRecord): PbRecord {
  const timeUs = r.timeUs;
  switch (r.kind) {
    case 'order-request': {
      const i = r.intent;
      return {
        timeUs,
        orderRequest: {
          orderId: r.orderId, parentOrderId: r.parentOrderId, account: i.account,
          order: {
            clientOrderId: i.clientOrderId, symbol: i.symbol, venue: i.venue, side: i.side, type: i.orderType,
            timeInForce: i.timeInForce, price: i.price, qty: i.qty, postOnly: i.postOnly, algo: i.algo,
            displayQty: i.displayQty, durationMs: i.durationMs, ...conditionalToProto(i.conditional),
          },
          ...(r.touch === undefined ? {} : { touch: { bid: r.touch.bid, ask: r.touch.ask } }),
        },
      };
    }
    case 'execution': {
      const x = r.report;
      return {
        timeUs,
        execution: {
          requestId: x.requestId,
          report: {
            orderId: x.orderId, clientOrderId: x.clientOrderId, parentOrderId: x.parentOrderId, status: x.status,
            execType: x.execType, symbol: x.symbol, venue: x.venue, side: x.side, type: x.orderType,
            timeInForce: x.timeInForce, price: x.price,
            qty: x.qty, filledQty: x.filledQty, leavesQty: x.leavesQty, cumNotional: x.cumNotional,
            lastPrice: x.lastPrice, lastQty: x.lastQty, tradeId: x.tradeId, reasonCode: x.reasonCode, reason: x.reason,
            fee: x.fee, liquidityMaker: x.liquidityMaker, timeUs: x.timeUs, account: x.account, algo: x.algo,
            ...reportTriggerToProto(x.trigger),
            ...scheduleToProto(x.schedule),
          },
        },
      };
    }
    case 'risk':
      return {
        timeUs,
        risk: {
          account: r.account, orderId: r.orderId, clientOrderId: r.clientOrderId, accepted: r.accepted,
          code: r.code, message: r.message,
        },
      };
    case 'admin':
      return { timeUs, admin: { actor: r.actor, action: r.action, target: r.target, detail: r.detail } };
    case 'alert':
      return { timeUs, alert: { code: r.code, account: r.account, symbol: r.symbol, message: r.message } };
    default: {
      const never: never = r;
      throw new TypeError(`unknown journal record kind ${(never as { kind: string }).kind}`);
    }
  }
}

function recordFromProto(m: tickmesh.v1.JournalRecord): JournalRecord {
  // Decoded messages read absent fields from prototype defaults ('' / 0 / false), as proto3 means.
  const timeUs = m.timeUs;
  switch (m.body) {
    case 'orderRequest': {
      const b = m.orderRequest!;
      const o = b.order ?? {};
      const intent: OrderIntent = {
        account: b.account ?? '',
        clientOrderId: o.clientOrderId ?? '',
        symbol: o.symbol ?? '',
        venue: o.venue ?? '',
        side: (o.side ?? 0) as OrderIntent['side'],
        orderType: (o.type ?? 0) as OrderIntent['orderType'],
        timeInForce: (o.timeInForce ?? 0) as OrderIntent['timeInForce'],
        price: o.price ?? 0,
        qty: o.qty ?? 0,
        postOnly: o.postOnly ?? false,
        algo: (o.algo ?? 0) as OrderIntent['algo'],
        displayQty: o.displayQty ?? 0,
        durationMs: o.durationMs ?? 0,
      };
      const conditional = conditionalFromProto(o, 'order', false);
      if (conditional !== undefined) intent.conditional = conditional;
      const record: Extract<JournalRecord, { kind: 'order-request' }> = { kind: 'order-request', timeUs, orderId: b.orderId ?? '', parentOrderId: b.parentOrderId ?? '', intent };
      // Records written before the touch was recorded have none: readers treat it as unknown.
      if (b.touch != null) record.touch = { bid: b.touch.bid ?? 0, ask: b.touch.ask ?? 0 };
      return record;
    }
    case 'execution': {
      const b = m.execution!;
      const x = b.report ?? {};
      const report: ExecutionReportMsg = {
        type: 'executionReport',
        requestId: b.requestId ?? 0,
        orderId: x.orderId ?? '',
        clientOrderId: x.clientOrderId ?? '',
        parentOrderId: x.parentOrderId ?? '',
        status: (x.status ?? 0) as ExecutionReportMsg['status'],
        execType: (x.execType ?? 0) as ExecutionReportMsg['execType'],
        symbol: x.symbol ?? '',
        venue: x.venue ?? '',
        side: (x.side ?? 0) as ExecutionReportMsg['side'],
        orderType: (x.type ?? 0) as ExecutionReportMsg['orderType'],
        // Reports journaled before field 33 have none: GTC, what every order was shown as then.
        timeInForce: timeInForceFromWire(x.timeInForce ?? 0) as ExecutionReportMsg['timeInForce'],
        price: x.price ?? 0,
        qty: x.qty ?? 0,
        filledQty: x.filledQty ?? 0,
        leavesQty: x.leavesQty ?? 0,
        cumNotional: x.cumNotional ?? 0,
        lastPrice: x.lastPrice ?? 0,
        lastQty: x.lastQty ?? 0,
        tradeId: x.tradeId ?? 0,
        reasonCode: x.reasonCode ?? '',
        reason: x.reason ?? '',
        fee: x.fee ?? 0,
        liquidityMaker: x.liquidityMaker ?? false,
        timeUs: x.timeUs ?? 0,
        account: x.account ?? '',
        algo: (x.algo ?? 0) as ExecutionReportMsg['algo'],
      };
      const trigger = reportTriggerFromProto(x, 'report', false);
      if (trigger !== undefined) report.trigger = trigger;
      const schedule = scheduleFromProto(x, 'report', false);
      if (schedule !== undefined) report.schedule = schedule;
      return { kind: 'execution', timeUs, report };
    }
    case 'risk': {
      const b = m.risk!;
      return {
        kind: 'risk', timeUs, account: b.account ?? '', orderId: b.orderId ?? '', clientOrderId: b.clientOrderId ?? '',
        accepted: b.accepted ?? false, code: b.code ?? '', message: b.message ?? '',
      };
    }
    case 'admin': {
      const b = m.admin!;
      return { kind: 'admin', timeUs, actor: b.actor ?? '', action: b.action ?? '', target: b.target ?? '', detail: b.detail ?? '' };
    }
    case 'alert': {
      const b = m.alert!;
      return { kind: 'alert', timeUs, code: b.code ?? '', account: b.account ?? '', symbol: b.symbol ?? '', message: b.message ?? '' };
    }
    default:
      // Written by a newer build with a kind this one does not know, or not a JournalRecord at all.
      throw new Error('journal record without a known body');
  }
}
