import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../model/codes';
import type { ExecutionReportMsg } from '../model/messages';
import { TimeInForce } from '../model/order';
import { mulberry32 } from '../model/random';
import { serverSamples } from './codec-fixtures';
import { decodeJournalRecord, encodeJournalRecord } from './journal-record-codec';
import { decodeServer, encodeServer } from './proto-codec';
import { pb } from './proto-types';

const sample = serverSamples(mulberry32(3)).find((m) => m.type === 'executionReport') as ExecutionReportMsg;

describe("an order's time in force in its execution reports (ExecutionReport 33)", () => {
  it('round-trips every value on the wire and in the journal', () => {
    for (const tif of Object.values(TimeInForce)) {
      const r = { ...sample, timeInForce: tif };
      const back = decodeServer(encodeServer(r));
      expect(back.ok && back.value.type === 'executionReport' && back.value.timeInForce).toBe(tif);
      const j = decodeJournalRecord(encodeJournalRecord({ kind: 'execution', timeUs: 7, report: r }));
      expect(j.kind === 'execution' && j.report.timeInForce).toBe(tif);
    }
  });

  it('a report without it (an older relay, an older journal) reads GTC, what those orders were shown as', () => {
    // Written as such a relay wrote it: every field but 33.
    const rest = { orderId: 'o1', clientOrderId: 'c1', status: 4, execType: 1, symbol: 'BTC-USD', venue: 'sim-a', side: 1, type: 2, price: 5_000_000, qty: 10, leavesQty: 10, timeUs: 1_000, account: 'acc' };
    const bytes = pb.ServerMessage.encode({ requestId: 0, executionReport: rest }).finish();
    const m = decodeServer(bytes);
    expect(m.ok && m.value.type === 'executionReport' && m.value.timeInForce).toBe(TimeInForce.GTC);
    const journal = pb.JournalRecord.encode({ timeUs: 7, execution: { requestId: 0, report: rest } }).finish();
    const j = decodeJournalRecord(journal);
    expect(j.kind === 'execution' && j.report.timeInForce).toBe(TimeInForce.GTC);
  });

  it('a value outside the enum is refused with CODEC_INVALID_FIELD', () => {
    // 9 is no TimeInForce: the generated type says so, the wire need not.
    const bytes = pb.ServerMessage.encode({ requestId: 0, executionReport: { orderId: 'o', status: 1, execType: 1, symbol: 'BTC-USD', side: 1, type: 2, timeInForce: 9 as never } }).finish();
    const m = decodeServer(bytes);
    expect(m.ok ? 'ok' : m.reason.code).toBe(ErrorCode.CODEC_INVALID_FIELD);
  });
});
