import { describe, expect, it } from 'vitest';
import { ErrorCode, OrderStatus, Side, type Fill } from '@tickmesh/shared';
import { OrderStore } from './order-store';
import { createOrderRecord } from './order-record';
import { intent } from './oms-test-kit';

function rec(orderId: string, over: Parameters<typeof intent>[0] = {}, parent = '') {
  return createOrderRecord(intent(over), orderId, parent, 1);
}

describe('OrderStore', () => {
  it('refuses a client order id already used by the same account, not by another one', () => {
    const s = new OrderStore();
    const a = rec('o-1');
    s.add(a);
    expect(s.reserveClientId('alice', 'c1', a).ok).toBe(true);
    expect(s.reserveClientId('alice', 'c1', a).ok).toBe(true); // idempotent for the same order
    const b = rec('o-2');
    s.add(b);
    const dup = s.reserveClientId('alice', 'c1', b);
    expect(dup.ok ? '' : dup.reason.code).toBe(ErrorCode.OMS_DUPLICATE_CLIENT_ORDER_ID);
    expect(s.reserveClientId('bob', 'c1', b).ok).toBe(true);
    expect(s.byClientId('alice', 'c1')).toBe(a);
    expect(s.byClientId('bob', 'c1')).toBe(b);
    expect(s.hasClientId('carol', 'c1')).toBe(false);
  });

  it('keeps the open index in step with the status and filters by symbol', () => {
    const s = new OrderStore();
    const a = rec('o-1');
    const b = rec('o-2', { symbol: 'ETH-USD' });
    s.add(a);
    s.add(b);
    expect(s.open('alice').map((r) => r.order.orderId)).toEqual(['o-1', 'o-2']);
    expect(s.open('alice', 'ETH-USD').map((r) => r.order.orderId)).toEqual(['o-2']);
    a.order.status = OrderStatus.Canceled;
    s.updated(a);
    expect(s.orders('alice', { open: true }).map((r) => r.order.orderId)).toEqual(['o-2']);
    expect(s.orders('alice').map((r) => r.order.orderId)).toEqual(['o-1', 'o-2']);
    expect(s.open('bob')).toEqual([]);
  });

  it('indexes children per parent, fills per account; a reused order id is a broken invariant', () => {
    const s = new OrderStore();
    s.add(rec('o-1', { venue: '' }));
    s.add(rec('o-2', {}, 'o-1'));
    s.add(rec('o-3', {}, 'o-1'));
    expect(s.children('o-1').map((r) => r.order.orderId)).toEqual(['o-2', 'o-3']);
    expect(s.get('o-1')!.parent).not.toBeNull();
    expect(s.get('o-2')!.parent).toBeNull();
    expect(() => s.add(rec('o-2'))).toThrow();
    const f: Fill = { fillId: 'o-2-1', orderId: 'o-2', parentOrderId: 'o-1', account: 'alice', symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy, price: 1, qty: 1, fee: 0, liquidityMaker: false, tradeId: 1, timeUs: 1 };
    s.addFill(f);
    expect(s.fills('alice')).toEqual([f]);
    expect(s.fills('bob')).toEqual([]);
  });
});
