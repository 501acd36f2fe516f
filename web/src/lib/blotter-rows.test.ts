import { describe, expect, it } from 'vitest';
import { Algo, OrderStatus, OrderType, Side, TimeInForce } from './model';
import type { BlotterOrder } from '../workers/terminal-api';
import { averagePrice, blotterRows } from './blotter-rows';
import { formatPrice, orderTypeLabel } from './format';

function order(orderId: string, over: Partial<BlotterOrder> = {}): BlotterOrder {
  return {
    account: 'acc', clientOrderId: `c-${orderId}`, symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy, orderType: OrderType.Limit,
    timeInForce: TimeInForce.GTC, price: 5_000_000, qty: 100, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
    orderId, parentOrderId: '', status: OrderStatus.Accepted, filledQty: 0, cumNotional: 0, fees: 0, reasonCode: '', reason: '',
    local: false, createdUs: 1_000, updatedUs: 1_000, ...over,
  };
}

describe('blotterRows', () => {
  it('puts children under their parent, oldest first, and keeps the top-level order of the input', () => {
    const rows = blotterRows([
      order('P2', { createdUs: 9_000 }),
      order('C2', { parentOrderId: 'P1', venue: 'sim-b', createdUs: 3_000 }),
      order('P1', { venue: '', createdUs: 1_000 }),
      order('C1', { parentOrderId: 'P1', venue: 'sim-a', createdUs: 2_000 }),
    ]);
    expect(rows.map((r) => [r.order.orderId, r.children.map((c) => `${c.orderId}@${c.venue}`)])).toEqual([
      ['P2', []],
      ['P1', ['C1@sim-a', 'C2@sim-b']],
    ]);
    expect(rows.every((r) => r.progress === undefined)).toBe(true); // SOR parents and plain orders are not algos
  });

  it('shows a child whose parent is not held as a row of its own, and never groups under a refused request', () => {
    const rows = blotterRows([order('C9', { parentOrderId: 'gone' }), order('', { local: true, status: OrderStatus.Denied }), order('C0', { parentOrderId: '' })]);
    expect(rows.map((r) => r.order.orderId)).toEqual(['C9', '', 'C0']);
  });

  it('averages the fill price from cumNotional / filledQty in ticks', () => {
    // 30 lots at 5,000,000 and 10 at 5,000,400 ticks: 5,000,100.
    const parent = order('P', { venue: '', filledQty: 40, cumNotional: 30 * 5_000_000 + 10 * 5_000_400 });
    const [row] = blotterRows([parent]);
    expect(row!.avgPrice).toBe(5_000_100);
    expect(formatPrice({ tickSize: '0.01' }, row!.avgPrice)).toBe('50,001.00');
    expect(formatPrice({ tickSize: '0.01' }, averagePrice({ filledQty: 3, cumNotional: 3 * 5_000_000 + 1 }))).toBe('50,000.00');
    expect(averagePrice({ filledQty: 0, cumNotional: 0 })).toBeNaN();
  });

  it('gives an algo parent its progress: filled of total, children done of seen, the horizon end', () => {
    const twap = order('T', { venue: '', algo: Algo.TWAP, durationMs: 30_000, qty: 50, filledQty: 20, createdUs: 1_000_000 });
    const rows = blotterRows([
      twap,
      order('T1', { parentOrderId: 'T', status: OrderStatus.Filled, filledQty: 10, createdUs: 1_000_100 }),
      order('T2', { parentOrderId: 'T', status: OrderStatus.Canceled, createdUs: 1_000_200 }),
      order('T3', { parentOrderId: 'T', status: OrderStatus.PartiallyFilled, filledQty: 10, createdUs: 1_000_300 }),
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.progress).toEqual({ filledQty: 20, qty: 50, children: 3, childrenDone: 2, endsUs: 31_000_000, nextSliceUs: 0 });
    // No horizon the relay told us of: an iceberg has none, a 0 duration is the relay's configured default.
    expect(blotterRows([order('I', { algo: Algo.Iceberg, displayQty: 10 })])[0]!.progress!.endsUs).toBe(0);
    expect(blotterRows([order('V', { algo: Algo.VWAP, durationMs: 0 })])[0]!.progress!.endsUs).toBe(0);
  });

  it("takes the algo's clock from the relay's report: the next slice, and the end of a default-length horizon", () => {
    const v = order('V', { algo: Algo.VWAP, durationMs: 0, createdUs: 1_000_000, schedule: { nextSliceUs: 6_000_000, endsUs: 61_000_000 } });
    expect(blotterRows([v])[0]!.progress).toMatchObject({ nextSliceUs: 6_000_000, endsUs: 61_000_000 });
  });
});

describe('orderTypeLabel', () => {
  it('reads in words with separators', () => {
    expect(orderTypeLabel({ orderType: OrderType.Limit, timeInForce: TimeInForce.GTC, algo: Algo.TWAP })).toBe('Limit · GTC · TWAP');
    expect(orderTypeLabel({ orderType: OrderType.Market, timeInForce: TimeInForce.IOC, algo: Algo.None })).toBe('Market · IOC');
    expect(orderTypeLabel({ orderType: OrderType.Limit, timeInForce: TimeInForce.Day, algo: Algo.Iceberg })).toBe('Limit · Day · Iceberg');
    expect(orderTypeLabel({ orderType: OrderType.Market, timeInForce: TimeInForce.FOK, algo: Algo.VWAP })).toBe('Market · FOK · VWAP');
    expect(orderTypeLabel({ orderType: 99, timeInForce: TimeInForce.GTC, algo: 0 })).toBe('GTC');
  });
});
