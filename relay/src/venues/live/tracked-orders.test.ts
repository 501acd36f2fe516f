import { OrderType, Side, TimeInForce } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import type { VenueExecution } from '../venue-adapter';
import { unitStep } from './exact-units';
import { textLog } from './orders-test-kit';
import { bookFill, trackOrder, type FillLedger, type TrackedOrder, type VenueFill } from './tracked-orders';

const market = { price: unitStep('0.01')!, size: unitStep('0.001')! };
const request = { orderId: 'o-1', account: 'a', symbol: 'BTC-USD', side: Side.Buy, type: OrderType.Limit, timeInForce: TimeInForce.GTC, price: 5_000_000, qty: 10, postOnly: false };
const fill = (over: Partial<VenueFill> = {}): VenueFill => ({ tradeId: 7, price: '50000.00', qty: '0.004', maker: true, fee: 12, timeUs: 1_000, ...over });

/** A ledger keeping every report and log line; accepts as the venues do (once). */
function ledger(): { ledger: FillLedger<TrackedOrder>; reports: VenueExecution[]; lines: string[] } {
  const reports: VenueExecution[] = [];
  const { log, lines } = textLog();
  const accept = (t: TrackedOrder, timeUs: number) => {
    if (t.accepted) return;
    t.accepted = true;
    reports.push({ orderId: t.request.orderId, kind: 'accepted', price: 0, qty: 0, leavesQty: 0, tradeId: 0, liquidityMaker: false, fee: 0, reasonCode: '', timeUs });
  };
  return { ledger: { venue: 'test', log, accept, emit: (e) => reports.push(e) }, reports, lines };
}

describe('bookFill: one fill booked once, whoever brings it', () => {
  it('a fill seen twice (socket, then reconciliation) is reported once; the order is done at its quantity', () => {
    const t = trackOrder(request, market);
    const { ledger: l, reports } = ledger();
    expect(bookFill(t, fill(), l)).toBe(true);
    expect(bookFill(t, fill(), l)).toBe(false);
    expect(bookFill(t, fill({ tradeId: 8, qty: '0.006', maker: false }), l)).toBe(true);
    expect(reports.map((r) => [r.kind, r.tradeId, r.price, r.qty, r.leavesQty, r.liquidityMaker, r.fee])).toEqual([
      ['accepted', 0, 0, 0, 0, false, 0],
      ['fill', 7, 5_000_000, 4, 6, true, 12],
      ['fill', 8, 5_000_000, 6, 0, false, 12],
    ]);
    expect([t.filledQty, t.terminal, [...t.tradeIds]]).toEqual([10, true, [7, 8]]);
  });

  it('a resumed order skips the trade ids the journal booked; a fill off the grid or in quote units is logged, never rounded', () => {
    const t = trackOrder(request, market, { ...request, filledQty: 4, tradeIds: [7], accepted: true });
    const { ledger: l, reports, lines } = ledger();
    expect(bookFill(t, fill(), l)).toBe(false);
    expect(bookFill(t, fill({ tradeId: 9, price: '50000.005' }), l)).toBe(false);
    expect(bookFill(t, fill({ tradeId: 10, qty: undefined }), l)).toBe(false);
    expect(bookFill(t, fill({ tradeId: 2 ** 53 }), l)).toBe(false);
    expect([reports, t.filledQty, t.terminal]).toEqual([[], 4, false]);
    expect(lines.filter((x) => x.startsWith('error') && x.includes('not booked'))).toHaveLength(3);
  });
});
