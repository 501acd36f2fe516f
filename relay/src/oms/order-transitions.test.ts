import { describe, expect, it } from 'vitest';
import { ErrorCode, OrderStatus } from '@tickmesh/shared';
import { canTransition, isTerminal, transition, transitions } from './order-transitions';

/**
 * Written independently of the table, from the lifecycle rules in DESIGN.md and the OMS
 * brief: every allowed (from>to) pair, by name. Every other pair of the 13×13 matrix must
 * be refused.
 */
const ALLOWED = new Set([
  'initialized>denied',
  'initialized>submitted',
  'initialized>canceled',

  'submitted>accepted',
  'submitted>rejected',
  'submitted>pending-cancel',
  'submitted>partially-filled',
  'submitted>filled',
  'submitted>canceled',
  'submitted>expired',

  'accepted>pending-update',
  'accepted>pending-cancel',
  'accepted>partially-filled',
  'accepted>filled',
  'accepted>canceled',
  'accepted>expired',
  'accepted>triggered',

  'triggered>pending-update',
  'triggered>pending-cancel',
  'triggered>partially-filled',
  'triggered>filled',
  'triggered>canceled',
  'triggered>expired',
  'triggered>rejected',

  // replace acknowledged / refused (restores the working status), fill racing the replace
  'pending-update>accepted',
  'pending-update>partially-filled',
  'pending-update>triggered',
  'pending-update>pending-cancel',
  'pending-update>filled',
  'pending-update>canceled',
  'pending-update>expired',

  // cancel refused (restores), fill after the cancel was sent, cancel acknowledged
  'pending-cancel>submitted',
  'pending-cancel>accepted',
  'pending-cancel>partially-filled',
  'pending-cancel>triggered',
  'pending-cancel>pending-update',
  'pending-cancel>filled',
  'pending-cancel>canceled',
  'pending-cancel>expired',
  'pending-cancel>rejected',

  'partially-filled>partially-filled',
  'partially-filled>pending-update',
  'partially-filled>pending-cancel',
  'partially-filled>filled',
  'partially-filled>canceled',
  'partially-filled>expired',

  // conditional orders (relay/src/oms/conditional): armed, fired, the triggered child denied
  'submitted>pending-trigger',
  'accepted>pending-trigger', // a bracket's exits armed after its entry filled at once
  'partially-filled>pending-trigger', // ... after partial fills
  'partially-filled>triggered', // an OCO's limit leg part-filled, then its stop fired
  'pending-trigger>triggered',
  'pending-trigger>partially-filled', // an OCO's limit leg trades while the stop waits
  'pending-trigger>filled',
  'pending-trigger>pending-cancel',
  'pending-trigger>canceled',
  'pending-trigger>expired',
  'pending-cancel>pending-trigger', // cancel refused: back to armed
  'triggered>denied', // the risk re-check at the trigger refused the child (halted market)
]);

const NAMES: Record<string, OrderStatus> = {
  initialized: OrderStatus.Initialized,
  denied: OrderStatus.Denied,
  submitted: OrderStatus.Submitted,
  accepted: OrderStatus.Accepted,
  rejected: OrderStatus.Rejected,
  'pending-update': OrderStatus.PendingUpdate,
  'pending-cancel': OrderStatus.PendingCancel,
  'partially-filled': OrderStatus.PartiallyFilled,
  filled: OrderStatus.Filled,
  canceled: OrderStatus.Canceled,
  expired: OrderStatus.Expired,
  triggered: OrderStatus.Triggered,
  'pending-trigger': OrderStatus.PendingTrigger,
};
const TERMINAL = ['denied', 'rejected', 'filled', 'canceled', 'expired'];

describe('order transition table', () => {
  it('covers all 13 statuses', () => {
    expect(Object.keys(NAMES)).toHaveLength(13);
    expect(Object.keys(transitions).map(Number).sort((a, b) => a - b)).toEqual(Object.values(NAMES).sort((a, b) => a - b));
  });

  const pairs: [string, string][] = [];
  for (const from of Object.keys(NAMES)) for (const to of Object.keys(NAMES)) pairs.push([from, to]);

  it.each(pairs)('%s -> %s', (from, to) => {
    const expected = ALLOWED.has(`${from}>${to}`);
    expect(canTransition(NAMES[from]!, NAMES[to]!)).toBe(expected);
    const order = { status: NAMES[from]! };
    const r = transition(order, NAMES[to]!);
    expect(r.ok).toBe(expected);
    if (r.ok) {
      expect(r.value).toBe(NAMES[from]);
      expect(order.status).toBe(NAMES[to]);
    } else {
      expect(r.reason.code).toBe(ErrorCode.OMS_INVALID_TRANSITION);
      expect(order.status).toBe(NAMES[from]); // untouched
    }
  });

  it('terminal statuses have no exits, and are exactly the terminal ones', () => {
    for (const [name, s] of Object.entries(NAMES)) expect(isTerminal(s)).toBe(TERMINAL.includes(name));
  });

  it('a fill arriving after the cancel was sent, then the cancel ack', () => {
    const o = { status: OrderStatus.Accepted };
    expect(transition(o, OrderStatus.PendingCancel).ok).toBe(true);
    expect(transition(o, OrderStatus.PartiallyFilled).ok).toBe(true);
    expect(transition(o, OrderStatus.Canceled).ok).toBe(true);
    expect(transition(o, OrderStatus.PartiallyFilled).ok).toBe(false); // nothing after terminal
  });

  it('a fill that completes the order while the cancel is in flight; the late cancel ack is refused', () => {
    const o = { status: OrderStatus.PartiallyFilled };
    expect(transition(o, OrderStatus.PendingCancel).ok).toBe(true);
    expect(transition(o, OrderStatus.Filled).ok).toBe(true);
    const late = transition(o, OrderStatus.Canceled);
    expect(late.ok ? '' : late.reason.code).toBe(ErrorCode.OMS_INVALID_TRANSITION);
  });

  it('a cancel reject restores the status the order had before the request', () => {
    for (const before of [OrderStatus.Submitted, OrderStatus.Accepted, OrderStatus.PartiallyFilled, OrderStatus.Triggered]) {
      const o = { status: before };
      const r = transition(o, OrderStatus.PendingCancel);
      expect(r.ok && r.value).toBe(before);
      expect(transition(o, before).ok).toBe(true);
    }
  });

  it('a stop: armed, fired, filled; or fired into a halted market and denied', () => {
    const o = { status: OrderStatus.Submitted };
    for (const s of [OrderStatus.PendingTrigger, OrderStatus.Triggered, OrderStatus.PartiallyFilled, OrderStatus.Filled]) expect(transition(o, s).ok).toBe(true);
    const d = { status: OrderStatus.PendingTrigger };
    expect(transition(d, OrderStatus.Denied).ok).toBe(false); // the trigger is on record first
    expect(transition(d, OrderStatus.Triggered).ok).toBe(true);
    expect(transition(d, OrderStatus.Denied).ok).toBe(true);
    expect(isTerminal(d.status)).toBe(true);
  });

  it('a replace is acknowledged back to working, or refused back to the previous status', () => {
    const o = { status: OrderStatus.PartiallyFilled };
    expect(transition(o, OrderStatus.PendingUpdate).ok).toBe(true);
    expect(transition(o, OrderStatus.PartiallyFilled).ok).toBe(true);
    const a = { status: OrderStatus.Accepted };
    expect(transition(a, OrderStatus.PendingUpdate).ok).toBe(true);
    expect(transition(a, OrderStatus.Accepted).ok).toBe(true);
    // A replace is never sent before the venue acknowledged the order.
    expect(canTransition(OrderStatus.Submitted, OrderStatus.PendingUpdate)).toBe(false);
  });
});
