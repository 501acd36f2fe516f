import { WebSocket } from 'ws';
import { Algo, ErrorCode, ExecType, RELAY_ORDER_PEER_ID, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type NewOrderMsg, type ServerMsg } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthService } from '../src/server/auth/index';
import type { Relay } from '../src/server/relay-server';
import { defaultSimVenues } from '../src/venues/sim/index';
import { ProtoClient, startRelay, tokenOf, until } from './harness';
import { OrderChannelClient, newPeerId, signIn } from './order-channel-client';

// Orders and execution reports on a WebRTC data channel between a peerjs client (on werift,
// as in a browser) and the relay itself, through the relay's real signalling, session and OMS.

let relay: Relay | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await relay?.stop();
  relay = undefined;
});

type Report = ExecutionReportMsg;
const isReport = (m: ServerMsg): m is Report => m.type === 'executionReport';
const reportOf = (id: string, status?: OrderStatus) => (m: ServerMsg) => isReport(m) && m.clientOrderId === id && (status === undefined || m.status === status);

function order(clientOrderId: string, over: Partial<NewOrderMsg> = {}): NewOrderMsg {
  return {
    type: 'newOrder', requestId: 1, clientOrderId, symbol: 'BTC-USD', venue: 'sim-a', side: Side.Buy, orderType: OrderType.Limit,
    timeInForce: TimeInForce.GTC, price: 0, qty: 1, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0, ...over,
  };
}

async function startSim(): Promise<Relay> {
  relay = await startRelay(defaultSimVenues({ seed: 5, updatesPerSecond: 200 }), { flushMs: 5 });
  return relay;
}

/** A buy price resting below the book (inside the price collar): the order works until canceled. */
function restingBid(r: Relay): number {
  const id = r.md.streamIdsForSymbol('BTC-USD').find((s) => r.md.stream(s)!.instrument.venue === 'sim-a')!;
  return Math.floor(r.md.stream(id)!.book.bestBid() * 0.99);
}

async function channel(r: Relay, who: 'trader' | 'viewer' | 'admin' = 'trader'): Promise<OrderChannelClient> {
  const peer = await signIn(r.url, tokenOf(r.url, who));
  const c = await OrderChannelClient.open(peer);
  cleanups.push(() => c.destroy());
  return c;
}

describe('order channel: the relay as a PeerJS peer', () => {
  it('places, replaces and cancels an order over the data channel; the account\'s /ws session sees the same reports', async () => {
    const r = await startSim();
    const ws = await ProtoClient.connect(r.url);
    cleanups.push(() => ws.close());
    const c = await channel(r);
    expect(c.received[0]).toMatchObject({ type: 'welcome', account: 'trader', role: 'trader' });

    const price = restingBid(r);
    c.send(order('ch-1', { price, requestId: 11 }));
    const acked = (await c.next(reportOf('ch-1', OrderStatus.Accepted))) as Report;
    expect(acked).toMatchObject({ account: 'trader', price, qty: 1, leavesQty: 1 });

    c.send({ type: 'replaceOrder', requestId: 12, clientOrderId: 'ch-1b', origClientOrderId: 'ch-1', price: price - 1, qty: 2 });
    const replaced = (await c.next((m) => isReport(m) && m.execType === ExecType.Replaced)) as Report;
    expect(replaced).toMatchObject({ price: price - 1, qty: 2, orderId: acked.orderId });

    c.send({ type: 'cancelOrder', requestId: 13, clientOrderId: 'ch-1c', origClientOrderId: 'ch-1b' });
    const canceled = (await c.next((m) => isReport(m) && m.status === OrderStatus.Canceled)) as Report;
    expect(canceled.orderId).toBe(acked.orderId);

    // Reports of the account go to every session of it, whichever carried the order.
    await ws.next((m) => isReport(m) && m.orderId === acked.orderId && m.status === OrderStatus.Canceled);
    const wsKinds = ws.received.filter(isReport).filter((m) => m.orderId === acked.orderId).map((m) => m.execType);
    const chKinds = c.received.filter(isReport).filter((m) => m.orderId === acked.orderId).map((m) => m.execType);
    expect(wsKinds).toEqual(chKinds);
    expect(chKinds).toContain(ExecType.Replaced);
  });

  it('refuses what is not the account\'s own: a forged token, another account\'s id, the relay\'s id, a viewer trading, a cancel of another account\'s order', async () => {
    const r = await startSim();
    const forged = `${tokenOf(r.url).slice(0, -4)}AAAA`;
    const refused = await newPeerId(r.url, forged).then(() => undefined, (e: { status: number; body: { code?: string } }) => e);
    expect(refused).toMatchObject({ status: 401, body: { code: ErrorCode.AUTH_INVALID_TOKEN } });
    // The socket upgrade itself refuses the forged token (the relay's peer is never reached).
    const upgrade = await signallingFrames(r, 'anything', forged);
    expect(upgrade).toMatchObject({ status: 401 });

    // The reserved id belongs to no account: registering it is refused before anything else.
    expect(await signallingFrames(r, RELAY_ORDER_PEER_ID, tokenOf(r.url))).toMatchObject({ code: ErrorCode.SIGNAL_INVALID_ID });

    const trader = await channel(r);
    trader.send(order('mine', { price: restingBid(r) }));
    await trader.next(reportOf('mine', OrderStatus.Accepted));
    const traderPeerId = (trader.peer as unknown as { id: string }).id;
    // Another account cannot take the trader's peer id (and with it the trader's channel rights).
    expect(await signallingFrames(r, traderPeerId, tokenOf(r.url, 'admin'))).toMatchObject({ code: ErrorCode.SIGNAL_ID_HIJACK });

    // Another account's own channel trades its own account only.
    const admin = await channel(r, 'admin');
    expect(admin.received[0]).toMatchObject({ type: 'welcome', account: 'admin-test' });
    admin.send({ type: 'cancelOrder', requestId: 21, clientOrderId: 'steal', origClientOrderId: 'mine' });
    expect(await admin.next((m) => m.type === 'error' && m.requestId === 21)).toMatchObject({ code: ErrorCode.OMS_UNKNOWN_ORDER });
    expect(admin.received.filter(isReport)).toEqual([]);

    const viewer = await channel(r, 'viewer');
    viewer.send(order('peek', { price: restingBid(r), requestId: 22 }));
    expect(await viewer.error(ErrorCode.AUTH_FORBIDDEN, 22)).toBeTruthy();

    // An unordered channel could reorder a cancel ahead of its order: refused with a code, then closed.
    const loose = await OrderChannelClient.open(trader.peer, { serialization: 'raw', reliable: false, label: 'loose' });
    cleanups.push(() => loose.destroy());
    expect(loose.received[0]).toMatchObject({ type: 'error', code: ErrorCode.CODEC_INVALID_FIELD });
    await loose.whenClosed();

    // The trader's order was never touched.
    trader.send({ type: 'cancelOrder', requestId: 23, clientOrderId: 'mine-c', origClientOrderId: 'mine' });
    await trader.next(reportOf('mine', OrderStatus.Canceled));
  });

  it('holds the channel to its token: an expired one ends trading rights (AUTH_EXPIRED_TOKEN), a reclaim with a refreshed one restores them', async () => {
    const r = await startSim();
    const c = await channel(r);
    const peerId = (c.peer as unknown as { id: string }).id;
    c.send(order('before', { price: restingBid(r), requestId: 31 }));
    await c.next(reportOf('before', OrderStatus.Accepted));

    // The browser signs in again under its id with a token that expires in 2 s (the relay's
    // own secret, a clock set back), as a refresh would; the channel now runs on that token.
    const shortLived = await tokenExpiringIn(r, 2000);
    const reclaim = await signallingSocket(r, peerId, shortLived.token);
    await until(() => Date.now() > shortLived.expiresAtMs, 10_000, 'the short token to expire');
    c.send(order('after-expiry', { price: restingBid(r), requestId: 32 }));
    expect(await c.error(ErrorCode.AUTH_EXPIRED_TOKEN, 32)).toBeTruthy();
    // Cancels too: every order request needs a live token.
    c.send({ type: 'cancelOrder', requestId: 33, clientOrderId: 'before-c', origClientOrderId: 'before' });
    expect(await c.error(ErrorCode.AUTH_EXPIRED_TOKEN, 33)).toBeTruthy();
    // Not a trading request: still served (the session is alive, only its trading rights are gone).
    c.send({ type: 'ping', requestId: 34, nonce: 7, timeUs: 1 });
    await c.next((m) => m.type === 'pong' && m.requestId === 34);
    reclaim.close();

    const refreshed = await signallingSocket(r, peerId, tokenOf(r.url));
    c.send({ type: 'cancelOrder', requestId: 35, clientOrderId: 'before-c2', origClientOrderId: 'before' });
    await c.next(reportOf('before', OrderStatus.Canceled));
    expect(c.received.some(reportOf('after-expiry'))).toBe(false);
    refreshed.close();
  });

  it('the channel is cut mid-flow: the orders complete over /ws by client order id, none lost, none doubled', async () => {
    const r = await startSim();
    const c = await channel(r);
    const price = restingBid(r);
    const ids = Array.from({ length: 12 }, (_, i) => `cut-${i}`);
    // Three go through (their reports came back on the channel); three more go out and the
    // path is cut with them in flight (each may or may not have reached the relay); the rest
    // were never sent.
    for (const id of ids.slice(0, 3)) c.send(order(id, { price, requestId: 40 }));
    for (const id of ids.slice(0, 3)) await c.next(reportOf(id, OrderStatus.Accepted));
    for (const id of ids.slice(3, 6)) c.send(order(id, { price, requestId: 40 }));
    c.cut();
    await c.whenClosed();
    // The relay sees the channel go and drops its session (the /ws one below is the only one left).
    await until(() => r.sessionCount === 0, 15_000, 'the relay to close the cut channel');

    // The client falls back to /ws and re-sends every order it has no report for, under the
    // same client order id: the OMS takes the new ones and refuses the ones it already has.
    const ws = await ProtoClient.connect(r.url);
    cleanups.push(() => ws.close());
    const seen = new Set(c.received.filter(isReport).map((m) => m.clientOrderId));
    const resent = ids.filter((id) => !seen.has(id));
    for (const id of resent) ws.send(order(id, { price, requestId: 41 }));
    expect(resent).toEqual(ids.slice(3));
    for (const id of resent) {
      await ws.next((m) => (isReport(m) && m.clientOrderId === id) || (m.type === 'error' && m.code === ErrorCode.OMS_DUPLICATE_CLIENT_ORDER_ID && m.message.includes(id)));
    }

    const res = await fetch(`${r.url}/api/orders`, { headers: { authorization: `Bearer ${tokenOf(r.url)}` } });
    const orders = ((await res.json()) as { orders: { clientOrderId: string; status: number }[] }).orders.filter((o) => o.clientOrderId.startsWith('cut-'));
    expect(orders.map((o) => o.clientOrderId).sort()).toEqual([...ids].sort());
    expect(orders.every((o) => o.status === OrderStatus.Accepted)).toBe(true);
    ws.send({ type: 'cancelAll', requestId: 42, symbol: '' });
    await until(() => ids.every((id) => ws.received.some(reportOf(id, OrderStatus.Canceled))), 10_000, 'every order canceled once');
    // Doubled would show as two cancels (two orders) of one client order id.
    for (const id of ids) expect(ws.received.filter(reportOf(id, OrderStatus.Canceled))).toHaveLength(1);
  });
});

/** A token of the test trader that the relay accepts and that expires `ms` from now. */
async function tokenExpiringIn(r: Relay, ms: number): Promise<{ token: string; expiresAtMs: number }> {
  const ttlMs = 900_000;
  const { auth } = await AuthService.open(r.options.dataDir, { tokenTtlSec: ttlMs / 1000, now: () => Date.now() - ttlMs + ms });
  const code = auth.issueLoginCode('trader');
  if (!code.ok) throw new Error(code.reason.code);
  const g = await auth.redeemLoginCode(code.value);
  if (!g.ok) throw new Error(g.reason.code);
  return { token: g.value.token, expiresAtMs: g.value.expiresAtMs };
}

function signallingUrl(r: Relay, id: string, token: string): string {
  return `${r.url.replace('http', 'ws')}/peerjs/peerjs?${new URLSearchParams({ key: 'peerjs', id, token, version: '1.5.5' })}`;
}

/** Registers `id` on /peerjs with `token` (a reclaim when the account holds it) and resolves once OPEN. */
function signallingSocket(r: Relay, id: string, token: string): Promise<WebSocket> {
  const ws = new WebSocket(signallingUrl(r, id, token));
  return new Promise((resolve, reject) => {
    ws.on('message', (d) => (JSON.parse(d.toString()) as { type: string }).type === 'OPEN' && resolve(ws));
    ws.on('close', (code, reason) => reject(new Error(`signalling closed ${code} ${reason.toString()}`)));
    ws.on('error', reject);
  });
}

/** What /peerjs answers a registration: the HTTP status of a refused upgrade, or the code of the first refusal frame. */
function signallingFrames(r: Relay, id: string, token: string): Promise<{ status?: number; code?: string }> {
  const ws = new WebSocket(signallingUrl(r, id, token));
  return new Promise((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    ws.on('error', () => undefined);
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { type: string; payload?: { code?: string } };
      resolve(f.type === 'OPEN' ? { code: 'OPEN' } : { code: f.payload?.code });
      ws.close();
    });
  });
}
