/**
 * Deterministic journal records for tests and benches: `sampleRecord(n)` is always the same
 * record, so a reader can check what a separate writer process stored at seq n.
 */
import { Algo, ExecType, OrderStatus, OrderType, Side, TimeInForce } from '@tickmesh/shared';
import type { JournalRecord } from '@tickmesh/shared';

/** One record of every kind, with non-default values in every field (including negatives and >2^32). */
export function everyKind(timeUs = 1_700_000_000_000_000): JournalRecord[] {
  return [
    {
      kind: 'order-request', timeUs, orderId: 'O-1', parentOrderId: 'P-9',
      intent: {
        account: 'acct-1', clientOrderId: 'c-1', symbol: 'BTC-USD', venue: 'sim-a', side: Side.Sell,
        orderType: OrderType.Limit, timeInForce: TimeInForce.IOC, price: -5_000_000_123, qty: 7_000_000_001,
        postOnly: true, algo: Algo.Iceberg, displayQty: 3, durationMs: 60_000,
      },
    },
    {
      kind: 'execution', timeUs: timeUs + 1,
      report: {
        type: 'executionReport', requestId: 42, orderId: 'O-1', clientOrderId: 'c-1', parentOrderId: 'P-9',
        status: OrderStatus.PartiallyFilled, execType: ExecType.Trade, symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy,
        orderType: OrderType.Market, timeInForce: TimeInForce.IOC, price: 5_000_012, qty: 10, filledQty: 4, leavesQty: 6, cumNotional: 20_000_048_000,
        lastPrice: -12, lastQty: 4, tradeId: 2 ** 40 + 5, reasonCode: 'VENUE_X', reason: 'partial', fee: -17,
        liquidityMaker: true, timeUs: timeUs - 5, account: 'acct-1', algo: Algo.TWAP,
      },
    },
    {
      kind: 'risk', timeUs: timeUs + 2, account: 'acct-1', orderId: 'O-2', clientOrderId: 'c-2', accepted: false,
      code: 'RISK_MAX_NOTIONAL', message: 'notional 1e9 > 5e8',
    },
    { kind: 'admin', timeUs: timeUs + 3, actor: 'ops@desk', action: 'kill-switch', target: 'acct-1', detail: '{"reason":"test"}' },
    { kind: 'alert', timeUs: timeUs + 4, code: 'RISK_BREAKER_TRIP', account: 'acct-1', symbol: 'ETH-USD', message: 'ünïcödé ✓' },
  ];
}

/** The record a writer appends as its n-th record (1-based): cycles through every kind. */
export function sampleRecord(n: number): JournalRecord {
  const kinds = everyKind(1_700_000_000_000_000 + n * 10);
  const r = kinds[(n - 1) % kinds.length]!;
  // Make each record unique so a swapped or duplicated record cannot pass as the right one.
  switch (r.kind) {
    case 'order-request': return { ...r, orderId: `O-${n}` };
    case 'execution': return { ...r, report: { ...r.report, tradeId: n } };
    case 'risk': return { ...r, orderId: `O-${n}` };
    case 'admin': return { ...r, detail: `#${n}` };
    case 'alert': return { ...r, message: `alert ${n}` };
  }
}
