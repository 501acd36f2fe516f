import { Algo, OrderStatus, OrderType, Side, TimeInForce } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Relay } from '../../../relay/src/server/relay-server';
import { defaultSimVenues } from '../../../relay/src/venues/sim/index';
import { startRelay, tokenOf } from '../../../relay/test/harness';
import { blotterRows } from '../lib/blotter-rows';
import type { WebSocketCtor } from './engine-deps';
import type { BlotterOrder, TerminalFrame, TicketOrder } from './terminal-api';
import { TerminalEngine } from './terminal-engine';

/**
 * The route as the blotter builds it, from what a real relay (embedded sim venues) reports to
 * the engine: the children of a smart-routed and of a TWAP parent, grouped under it.
 */

let relay: Relay | undefined;
let e: TerminalEngine | undefined;

afterEach(async () => {
  await e?.disconnect();
  e = undefined;
  await relay?.stop();
  relay = undefined;
});

async function connected(): Promise<{ engine: TerminalEngine; ask: number }> {
  relay = await startRelay(defaultSimVenues({ seed: 5, updatesPerSecond: 200 }), { flushMs: 5 });
  e = new TerminalEngine({ WebSocket: WebSocket as unknown as WebSocketCtor, fetch: (url, init) => fetch(url, init) });
  await e.setView({ symbol: 'BTC-USD', venue: '' });
  await e.connect({ origin: relay.url, token: tokenOf(relay.url) });
  const f = await until(e, new Map(), (fr) => fr.ladder.askPrice.length > 0 && fr.connection.state === 'live');
  return { engine: e, ask: f.ladder.askPrice[0]! };
}

/** Frames until `done` holds over every order seen so far (latest state by key). */
async function until(engine: TerminalEngine, seen: Map<string, BlotterOrder>, done: (f: TerminalFrame) => boolean, timeoutMs = 10_000): Promise<TerminalFrame> {
  const start = Date.now();
  for (;;) {
    const f = await engine.frame();
    for (const o of f.orders) seen.set(o.orderId || `local:${o.clientOrderId}`, o);
    if (done(f)) return f;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out; orders: ${JSON.stringify([...seen.values()].map((o) => [o.orderId, o.parentOrderId, o.status]))}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const ticket = (clientOrderId: string, over: Partial<TicketOrder>): TicketOrder => ({
  clientOrderId, symbol: 'BTC-USD', venue: '', side: Side.Buy, orderType: OrderType.Limit, timeInForce: TimeInForce.IOC,
  price: 0, qty: 30, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0, ...over,
});

describe('the route in the blotter, from a real relay', () => {
  it('a smart-routed parent has its venue children under it, and its average price is theirs', async () => {
    const { engine, ask } = await connected();
    expect(await engine.placeOrder(ticket('sor-1', { price: ask + 2000 }))).toEqual({ ok: true });
    const seen = new Map<string, BlotterOrder>();
    const parentDone = () => [...seen.values()].some((o) => o.clientOrderId === 'sor-1' && o.parentOrderId === '' && o.status === OrderStatus.Filled);
    await until(engine, seen, parentDone);
    const rows = blotterRows([...seen.values()]);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row!.order).toMatchObject({ clientOrderId: 'sor-1', venue: '', filledQty: 30 });
    expect(row!.children.length).toBeGreaterThan(0);
    for (const c of row!.children) {
      expect(c.parentOrderId).toBe(row!.order.orderId);
      expect(c.venue).toMatch(/^sim-/);
    }
    const childFilled = row!.children.reduce((s, c) => s + c.filledQty, 0);
    const childNotional = row!.children.reduce((s, c) => s + c.cumNotional, 0);
    expect(childFilled).toBe(30);
    expect(row!.avgPrice).toBeCloseTo(childNotional / childFilled, 6);
    expect(row!.avgPrice).toBeLessThanOrEqual(ask + 2000);
    expect(row!.progress).toBeUndefined();
  });

  it('a TWAP parent shows its slices under it and its progress, done when they are', async () => {
    const { engine, ask } = await connected();
    expect(await engine.placeOrder(ticket('twap-1', { price: ask + 2000, qty: 20, algo: Algo.TWAP, durationMs: 2_000, timeInForce: TimeInForce.GTC }))).toEqual({ ok: true });
    const seen = new Map<string, BlotterOrder>();
    const parent = () => [...seen.values()].find((o) => o.clientOrderId === 'twap-1' && o.parentOrderId === '');
    // Mid-way: a slice has gone out while the parent still works.
    // (The parent's report with the algo's clock follows its slice's first report.)
    await until(engine, seen, () => parent()?.schedule !== undefined && [...seen.values()].some((o) => o.parentOrderId === parent()!.orderId));
    const early = blotterRows([...seen.values()])[0]!;
    expect(early.progress!.qty).toBe(20);
    // The relay's algo clock: its horizon starts when the algo does (a moment after the order was created, on a ms clock).
    expect(Math.abs(early.progress!.endsUs - (early.order.createdUs + 2_000_000))).toBeLessThan(50_000);
    expect(early.progress!.nextSliceUs).toBeGreaterThan(early.order.createdUs);
    expect(early.progress!.nextSliceUs).toBeLessThan(early.progress!.endsUs);
    expect(early.progress!.children).toBeGreaterThan(0);
    await until(engine, seen, () => parent()?.status === OrderStatus.Filled);
    const [row] = blotterRows([...seen.values()]);
    expect(row!.children.length).toBeGreaterThanOrEqual(2); // 2 s at ≥ 1 s apart: two slices at least
    expect(row!.progress).toMatchObject({ filledQty: 20, qty: 20, children: row!.children.length, childrenDone: row!.children.length });
    expect(row!.children.reduce((s, c) => s + c.filledQty, 0)).toBe(20);
    expect(row!.avgPrice).toBeCloseTo(row!.order.cumNotional / 20, 9);
  });
});
