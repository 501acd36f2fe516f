import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../model/codes';
import type { ExecutionReportMsg } from '../model/messages';
import { mulberry32 } from '../model/random';
import { serverSamples } from './codec-fixtures';
import { decodeJournalRecord, encodeJournalRecord } from './journal-record-codec';
import { decodeServer, encodeServer } from './proto-codec';
import { pb } from './proto-types';

const sample = serverSamples(mulberry32(2)).find((m) => m.type === 'executionReport') as ExecutionReportMsg;
const twap: ExecutionReportMsg = { ...sample, algo: 1, schedule: { nextSliceUs: 1_700_000_006_000_000, endsUs: 1_700_000_060_000_000 } };

describe("an algo parent's clock on the wire and in the journal (ExecutionReport 31-32)", () => {
  it('round-trips, the last slice too (no next slice, the horizon still ahead)', () => {
    for (const r of [twap, { ...twap, schedule: { nextSliceUs: 0, endsUs: 1_700_000_060_000_000 } }]) {
      const back = decodeServer(encodeServer(r));
      expect(back.ok && back.value).toEqual(r);
      expect(decodeJournalRecord(encodeJournalRecord({ kind: 'execution', timeUs: 7, report: r }))).toEqual({ kind: 'execution', timeUs: 7, report: r });
    }
  });

  it('a report without one decodes without `schedule` (every other order, older journals)', () => {
    const { schedule: _s, ...plain } = twap;
    const back = decodeServer(encodeServer(plain));
    expect(back.ok && 'schedule' in back.value).toBe(false);
  });

  it('a time that is not a whole number of µs is refused with CODEC_INVALID_FIELD', () => {
    const bytes = pb.ServerMessage.encode({ requestId: 0, executionReport: { orderId: 'o', status: 1, execType: 1, symbol: 'BTC-USD', side: 1, type: 2, endsUs: -5 } }).finish();
    const m = decodeServer(bytes);
    expect(m.ok ? 'ok' : m.reason.code).toBe(ErrorCode.CODEC_INVALID_FIELD);
  });
});
