import { OrderType, Side, TimeInForce } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { unitStep } from './exact-units';
import { ReconcileGate } from './reconcile-gate';
import { trackOrder, type TrackedOrder } from './tracked-orders';

const market = { price: unitStep('0.01')!, size: unitStep('0.001')! };
const tracked = (orderId: string): TrackedOrder =>
  trackOrder({ orderId, account: 'a', symbol: 'BTC-USD', side: Side.Buy, type: OrderType.Limit, timeInForce: TimeInForce.GTC, price: 100, qty: 5, postOnly: false }, market);

describe('ReconcileGate', () => {
  it('holds the actions of a handed-back order until a pass that read it completes, then runs them in order', () => {
    const gate = new ReconcileGate<TrackedOrder>();
    const a = tracked('a');
    const fresh = tracked('fresh');
    const ran: string[] = [];
    gate.hold(a);
    expect(gate.defer(fresh, () => ran.push('fresh'))).toBe(false); // not handed back: act now
    expect(gate.defer(a, () => ran.push('cancel'))).toBe(true);
    expect(gate.defer(a, () => ran.push('again'))).toBe(true);
    gate.release([]); // a pass that started before the order was handed back
    expect(ran).toEqual([]);
    gate.release(gate.pending());
    expect(ran).toEqual(['cancel', 'again']);
    expect(gate.size).toBe(0);
    expect(gate.defer(a, () => ran.push('late'))).toBe(false); // reconciled: act now
  });

  it('an order the pass found closed runs nothing held: its close is the answer', () => {
    const gate = new ReconcileGate<TrackedOrder>();
    const a = tracked('a');
    const ran: string[] = [];
    gate.hold(a);
    gate.defer(a, () => ran.push('cancel'));
    const read = gate.pending();
    a.terminal = true;
    gate.release(read);
    expect(ran).toEqual([]);
    expect(gate.size).toBe(0);
  });
});
