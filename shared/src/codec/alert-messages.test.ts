import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../model/codes';
import type { AlertMsg } from '../model/messages';
import { decodeClient, decodeServer, encodeClient, encodeServer } from './proto-codec';
import { pb } from './proto-types';

// proto/alerts.proto on /ws: an admin's SubscribeAlerts and the Alert pushed back, through the
// same codec every frame takes (untrusted bytes in, validated domain messages out).

const alert: AlertMsg = {
  type: 'alert', requestId: 0, seq: 42, code: ErrorCode.SURV_SPOOFING, account: 'sim-spoofer', symbol: 'BTC-USD', venue: '',
  timeUs: 1_800_000_000_123_456, score: 0.6, message: '3 large buy orders cancelled unfilled within 2000 ms, 1 sell fills in 10 s',
  evidence: [{ seq: 7, orderId: 'o-3', what: 'order' }, { seq: 9, orderId: 'o-3', what: 'cancel' }, { seq: 11, orderId: 'o-4', what: 'fill' }],
  figures: {},
};

describe('alert messages over the protobuf codec', () => {
  it('SubscribeAlerts and Alert round-trip, figures of a market-data anomaly included', () => {
    const sub = decodeClient(encodeClient({ type: 'subscribeAlerts', requestId: 5, sinceSeq: 41 }));
    expect(sub).toEqual({ ok: true, value: { type: 'subscribeAlerts', requestId: 5, sinceSeq: 41 } });
    expect(decodeServer(encodeServer(alert))).toEqual({ ok: true, value: alert });
    const md: AlertMsg = { ...alert, code: ErrorCode.MD_ANOMALY_CROSSED_BOOK, account: '', venue: 'sim-b', score: 1, evidence: [], figures: { bid: '50001.2', ask: '50000.1', forMs: '1250' } };
    expect(decodeServer(encodeServer(md))).toEqual({ ok: true, value: md });
  });

  it('a hostile Alert is refused with a code, never thrown: score outside 0..1, an empty code', () => {
    const bytes = (body: Record<string, unknown>) => pb.ServerMessage.encode({ requestId: 0, alert: { seq: 1, code: 'SURV_SPOOFING', ...body } }).finish();
    expect(decodeServer(bytes({ score: 7 }))).toMatchObject({ ok: false, reason: { code: ErrorCode.CODEC_INVALID_FIELD } });
    expect(decodeServer(bytes({ code: '' }))).toMatchObject({ ok: false, reason: { code: ErrorCode.CODEC_INVALID_FIELD } });
  });
});
