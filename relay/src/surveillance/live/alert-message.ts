import type { AlertMsg } from '@tickmesh/shared';
import type { Evidence } from '../surveillance-alert';
import type { JournaledAlert } from './alert-desk';

/** Evidence entries an alert message carries at most (the journal record's text lists them all). */
const MAX_EVIDENCE = 200;
/** The codec's text limit (CodecLimits.maxTextLength) with room to spare. */
const MAX_MESSAGE = 1000;

/** The wire message (proto/alerts.proto Alert) of a journaled alert; `requestId` 0 when pushed unasked. */
export function alertMessage(a: JournaledAlert, requestId = 0): AlertMsg {
  const list = Array.isArray(a.evidence) ? (a.evidence as readonly Evidence[]) : [];
  const figures: Record<string, string> = {};
  if (a.evidence !== undefined && !Array.isArray(a.evidence)) {
    for (const [k, v] of Object.entries(a.evidence as Readonly<Record<string, number | string>>)) figures[k.slice(0, 64)] = String(v).slice(0, 64);
  }
  return {
    type: 'alert',
    requestId,
    seq: a.seq,
    code: a.code,
    account: a.account,
    symbol: a.symbol,
    venue: a.venue ?? '',
    timeUs: Math.max(0, Math.round(a.timeUs)),
    score: a.score ?? 0,
    message: a.message.slice(0, MAX_MESSAGE),
    evidence: list.slice(0, MAX_EVIDENCE).map((e) => ({ seq: e.seq, orderId: e.orderId, what: e.what })),
    figures,
  };
}
