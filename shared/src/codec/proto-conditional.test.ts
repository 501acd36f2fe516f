import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../model/codes';
import { Contingency, TriggerSource, TriggerType, type OrderConditional } from '../model/conditional';
import type { ExecutionReportMsg, NewOrderMsg } from '../model/messages';
import { CLIENT_SAMPLES, serverSamples } from './codec-fixtures';
import { decodeJournalRecord, encodeJournalRecord } from './journal-record-codec';
import { decodeClient, decodeServer, encodeClient, encodeServer } from './proto-codec';
import { pb, type tickmesh } from './proto-types';
import { mulberry32 } from '../model/random';
import type { OrderIntent } from '../model/order';

const conditional: OrderConditional = {
  triggerType: TriggerType.TrailingStop, triggerSource: TriggerSource.Mark, triggerPrice: 0, trailOffset: 0, trailBps: 75,
  contingency: Contingency.Bracket, takeProfitPrice: 5_100_000, stopLimitPrice: 4_899_000,
};
const order = { ...(CLIENT_SAMPLES.find((m) => m.type === 'newOrder') as NewOrderMsg), algo: 0 as const, conditional };
const report: ExecutionReportMsg = {
  ...(serverSamples(mulberry32(1)).find((m) => m.type === 'executionReport') as ExecutionReportMsg),
  trigger: { triggerType: TriggerType.Stop, triggerSource: TriggerSource.Last, contingency: Contingency.OCO, triggerPrice: 4_900_000, firedTrigger: TriggerType.Stop, firedPrice: 4_899_990 },
};

describe('conditional order fields on the wire and in the journal', () => {
  it('NewOrder and ExecutionReport round-trip their trigger fields', () => {
    const m = decodeClient(encodeClient(order));
    expect(m.ok && m.value).toEqual(order);
    const r = decodeServer(encodeServer(report));
    expect(r.ok && r.value).toEqual(report);
  });

  it('an ordinary order has no conditional part after decoding (old clients, old journals)', () => {
    const plain = CLIENT_SAMPLES.find((m) => m.type === 'newOrder')!;
    const m = decodeClient(encodeClient(plain));
    expect(m.ok && 'conditional' in m.value).toBe(false);
  });

  it('a trigger enum outside the proto range is refused with CODEC_INVALID_FIELD', () => {
    const bytes = pb.ClientMessage.encode({ requestId: 1, newOrder: { clientOrderId: 'x', symbol: 'BTC-USD', side: 1, type: 2, qty: 1, triggerType: 9 as tickmesh.v1.TriggerType } }).finish();
    const m = decodeClient(bytes);
    expect(m.ok ? 'ok' : m.reason.code).toBe(ErrorCode.CODEC_INVALID_FIELD);
  });

  it('the journal keeps the order request and the reports with their trigger fields', () => {
    const { type: _t, requestId: _r, ...fields } = order;
    const intent: OrderIntent = { account: 'acct-1', ...fields };
    const req = decodeJournalRecord(encodeJournalRecord({ kind: 'order-request', timeUs: 5, orderId: 'o-1', parentOrderId: '', intent }));
    expect(req).toEqual({ kind: 'order-request', timeUs: 5, orderId: 'o-1', parentOrderId: '', intent });
    const ex = decodeJournalRecord(encodeJournalRecord({ kind: 'execution', timeUs: 6, report }));
    expect(ex).toEqual({ kind: 'execution', timeUs: 6, report });
  });
});
