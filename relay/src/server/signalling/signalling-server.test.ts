import { ErrorCode } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../../test/harness';
import type { PeerEvent } from './signalling-server';
import { SignalCloseCode } from './signal-error';
import type { SignallingOptions } from './signalling-options';
import { RawPeer, SignallingTestServer } from './signalling-test-kit';

let server: SignallingTestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(options: Partial<SignallingOptions> = {}): Promise<SignallingTestServer> {
  server = await SignallingTestServer.start(options);
  return server;
}

/** Registers a peer of `account` with a fresh id; returns the peer, its id and its token. */
async function join(s: SignallingTestServer, account: string): Promise<{ peer: RawPeer; id: string; token: string }> {
  const token = await s.token(account);
  const id = await s.newId(token);
  return { peer: await RawPeer.open(s.wsUrl(id, token)), id, token };
}

const offer = (dst: string) => ({ type: 'OFFER', dst, payload: { type: 'data', connectionId: 'dc_1', sdp: { type: 'offer', sdp: 'v=0' } } });

describe('signalling: registration and auth', () => {
  it('refuses an unauthenticated or badly authenticated upgrade with 401 and a code, before any socket exists', async () => {
    const s = await start();
    const id = await s.newId(await s.token('alice'));
    const refused = async (url: string) => RawPeer.connect(url).then(() => expect.unreachable('upgrade accepted'), (e: { status: number; body: { code: string } }) => e);
    expect(await refused(s.wsUrl(id, undefined))).toMatchObject({ status: 401, body: { code: ErrorCode.AUTH_REQUIRED } });
    // What a stock peerjs client sends when the app does not set `token`: a random string.
    expect(await refused(s.wsUrl(id, 'q8x1kz9t2m'))).toMatchObject({ status: 401, body: { code: ErrorCode.AUTH_INVALID_TOKEN } });
    expect(s.signalling.peers()).toEqual([]);
    expect(s.signalling.stats().codes).toMatchObject({ [ErrorCode.AUTH_REQUIRED]: 1, [ErrorCode.AUTH_INVALID_TOKEN]: 1 });
  });

  it('registers with the token in `token`, `access_token` or the Authorization header, and reports the peer', async () => {
    const s = await start();
    const events: PeerEvent[] = [];
    s.signalling.onPeer((e) => events.push(e));
    const token = await s.token('alice');
    const a = await RawPeer.open(s.wsUrl(await s.newId(token), token));
    const bId = await s.newId(token);
    const b = await RawPeer.open(`${s.wsUrl(bId, undefined)}&access_token=${token}`);
    const cId = await s.newId(token);
    const { WebSocket } = await import('ws');
    const c = new RawPeer(new WebSocket(s.wsUrl(cId, 'peerjs-random'), { headers: { authorization: `Bearer ${token}` } }));
    await c.next((f) => f.type === 'OPEN');
    expect(s.signalling.peers().map((p) => p.account)).toEqual(['alice', 'alice', 'alice']);
    expect(events.map((e) => e.type)).toEqual(['open', 'open', 'open']);
    b.close();
    await until(() => events.length === 4);
    expect(events[3]).toMatchObject({ type: 'close', peer: { id: bId }, code: undefined });
    a.close();
    c.close();
  });

  it('serves GET id only to authenticated callers, with ids the account owns', async () => {
    const s = await start();
    expect(await s.get('id').then(async (r) => [r.status, ((await r.json()) as { code: string }).code])).toEqual([401, ErrorCode.AUTH_REQUIRED]);
    const token = await s.token('alice');
    const wrongKey = await s.get('id', token, 'other');
    expect([wrongKey.status, ((await wrongKey.json()) as { code: string }).code]).toEqual([404, ErrorCode.SIGNAL_INVALID_KEY]);
    const r = await s.get('id', token);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(await r.text()).toMatch(/^[0-9a-f]{16}-[0-9a-f]{32}$/);
  });

  it('refuses a wrong key, a malformed id and another account’s id in-band with a code, then closes', async () => {
    const s = await start();
    const token = await s.token('alice');
    const id = await s.newId(token);
    const wrongKey = await RawPeer.connect(s.wsUrl(id, token, 'nope'));
    expect(await wrongKey.next((f) => f.type === 'INVALID-KEY')).toMatchObject({ payload: { code: ErrorCode.SIGNAL_INVALID_KEY } });
    expect(await wrongKey.closed).toEqual({ code: SignalCloseCode.PolicyViolation, reason: ErrorCode.SIGNAL_INVALID_KEY });
    const badId = await RawPeer.connect(s.wsUrl('alice.tab1', token));
    expect(await badId.next((f) => f.type === 'ERROR')).toMatchObject({ payload: { code: ErrorCode.SIGNAL_INVALID_ID } });
    expect((await badId.closed).reason).toBe(ErrorCode.SIGNAL_INVALID_ID);
    expect(s.signalling.peers()).toEqual([]);
  });
});

describe('signalling: id binding', () => {
  it('refuses an id hijack with SIGNAL_ID_HIJACK and leaves the holder untouched', async () => {
    const s = await start();
    const alice = await join(s, 'alice');
    const mallory = await s.token('mallory');
    const thief = await RawPeer.connect(s.wsUrl(alice.id, mallory));
    expect(await thief.next((f) => f.type === 'ID-TAKEN')).toMatchObject({ payload: { code: ErrorCode.SIGNAL_ID_HIJACK } });
    expect(await thief.closed).toEqual({ code: SignalCloseCode.PolicyViolation, reason: ErrorCode.SIGNAL_ID_HIJACK });
    // Also when alice is offline: the id names her account, not whoever comes first.
    alice.peer.close();
    await until(() => s.signalling.peers().length === 0);
    const squatter = await RawPeer.connect(s.wsUrl(alice.id, mallory));
    expect((await squatter.closed).reason).toBe(ErrorCode.SIGNAL_ID_HIJACK);
    expect(s.signalling.stats().codes[ErrorCode.SIGNAL_ID_HIJACK]).toBe(2);
  });

  it('holder keeps working after a hijack attempt', async () => {
    const s = await start();
    const alice = await join(s, 'alice');
    const bob = await join(s, 'bob');
    const thief = await RawPeer.connect(s.wsUrl(alice.id, await s.token('mallory')));
    await thief.closed;
    bob.peer.send(offer(alice.id));
    expect(await alice.peer.next((f) => f.type === 'OFFER')).toMatchObject({ src: bob.id, dst: alice.id });
    expect(alice.peer.ws.readyState).toBe(alice.peer.ws.OPEN);
  });

  it('hands an id over at once to a reconnect of the same account (no ID-TAKEN wait)', async () => {
    const s = await start();
    const events: PeerEvent[] = [];
    s.signalling.onPeer((e) => events.push(e));
    const alice = await join(s, 'alice');
    const bob = await join(s, 'bob');
    // The old socket is still open (a reload or network change the server has not noticed yet);
    // the new one carries a refreshed token.
    const again = await RawPeer.open(s.wsUrl(alice.id, await s.token('alice')));
    expect(await alice.peer.closed).toEqual({ code: SignalCloseCode.Reclaimed, reason: ErrorCode.SIGNAL_ID_RECLAIMED });
    expect(s.signalling.peers().map((p) => p.id).sort()).toEqual([alice.id, bob.id].sort());
    expect(events.filter((e) => e.type === 'close')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'open', reclaimed: true, peer: { id: alice.id } });
    bob.peer.send(offer(alice.id));
    expect(await again.next((f) => f.type === 'OFFER')).toMatchObject({ src: bob.id });
  });
});

describe('signalling: relaying', () => {
  it('relays OFFER, ANSWER, CANDIDATE and LEAVE with the sender’s registered id as src', async () => {
    const s = await start();
    const a = await join(s, 'alice');
    const b = await join(s, 'bob');
    a.peer.send({ ...offer(b.id), src: 'forged' });
    expect(await b.peer.next((f) => f.type === 'OFFER')).toEqual({ type: 'OFFER', src: a.id, dst: b.id, payload: offer(b.id).payload });
    b.peer.send({ type: 'ANSWER', dst: a.id, payload: { connectionId: 'dc_1', sdp: { type: 'answer', sdp: 'v=0' } } });
    expect(await a.peer.next((f) => f.type === 'ANSWER')).toMatchObject({ src: b.id, dst: a.id });
    a.peer.send({ type: 'CANDIDATE', dst: b.id, payload: { connectionId: 'dc_1', candidate: { candidate: 'candidate:1' } } });
    expect(await b.peer.next((f) => f.type === 'CANDIDATE')).toMatchObject({ src: a.id });
    expect(s.signalling.peers().find((p) => p.id === a.id)?.connections).toBe(1);
    a.peer.send({ type: 'LEAVE', dst: b.id });
    expect(await b.peer.next((f) => f.type === 'LEAVE')).toMatchObject({ src: a.id, dst: b.id });
    expect(s.signalling.peers().map((p) => p.connections)).toEqual([0, 0]);
    expect(s.signalling.stats().relayed).toEqual({ OFFER: 1, ANSWER: 1, CANDIDATE: 1, LEAVE: 1 });
  });

  it('answers a signal to an unknown peer with EXPIRE, as peerjs expects', async () => {
    const s = await start();
    const a = await join(s, 'alice');
    const ghost = await s.newId(await s.token('bob'));
    a.peer.send(offer(ghost));
    expect(await a.peer.next((f) => f.type === 'EXPIRE')).toEqual({ type: 'EXPIRE', src: ghost, dst: a.id });
  });

  it('delivers server-initiated messages (mesh assignments)', async () => {
    const s = await start();
    const a = await join(s, 'alice');
    expect(s.signalling.send(a.id, { type: 'TICKMESH-MESH', payload: { stream: 'BTC-USD', connect: ['x'] } })).toBe(true);
    expect(await a.peer.next((f) => f.type === 'TICKMESH-MESH')).toMatchObject({ payload: { stream: 'BTC-USD' } });
    expect(s.signalling.send('nobody', { type: 'TICKMESH-MESH' })).toBe(false);
  });
});

describe('signalling: bad input and limits', () => {
  it('answers malformed messages with SIGNAL_MALFORMED, counts them, and closes after maxBadMessages', async () => {
    const s = await start({ maxBadMessages: 3 });
    const a = await join(s, 'alice');
    a.peer.send('{not json');
    a.peer.send({ type: 'SHOUT' });
    a.peer.send({ type: 'OFFER', payload: {} });
    await until(() => a.peer.frames.filter((f) => f.payload?.code === ErrorCode.SIGNAL_MALFORMED).length === 3);
    expect(s.signalling.peers()[0]).toMatchObject({ bad: 3 });
    expect(a.peer.ws.readyState).toBe(a.peer.ws.OPEN);
    a.peer.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await a.peer.closed).toEqual({ code: SignalCloseCode.PolicyViolation, reason: ErrorCode.SIGNAL_MALFORMED });
    expect(s.signalling.stats().codes[ErrorCode.SIGNAL_MALFORMED]).toBe(4);
    expect(s.signalling.peers()).toEqual([]);
  });

  it('answers an oversized message with SIGNAL_MESSAGE_TOO_LARGE and keeps the peer', async () => {
    const s = await start({ maxMessageBytes: 1024 });
    const a = await join(s, 'alice');
    const b = await join(s, 'bob');
    a.peer.send({ ...offer(b.id), payload: { sdp: 'x'.repeat(2000) } });
    await a.peer.code(ErrorCode.SIGNAL_MESSAGE_TOO_LARGE);
    expect(b.peer.frames.filter((f) => f.type === 'OFFER')).toEqual([]);
    a.peer.send(offer(b.id));
    await b.peer.next((f) => f.type === 'OFFER');
  });

  it('rate limits a flood with SIGNAL_RATE_LIMITED, then closes it', async () => {
    const s = await start({ messagesPerSecond: 10, messageBurst: 10, rateLimitCloseAfter: 50 });
    const a = await join(s, 'alice');
    for (let i = 0; i < 200; i++) a.peer.send({ type: 'HEARTBEAT' });
    expect(await a.peer.closed).toEqual({ code: SignalCloseCode.RateLimited, reason: ErrorCode.SIGNAL_RATE_LIMITED });
    // Told once, not once per dropped message: a flood is not answered with a flood.
    expect(a.peer.frames.filter((f) => f.payload?.code === ErrorCode.SIGNAL_RATE_LIMITED)).toHaveLength(1);
    expect(s.signalling.peers()).toEqual([]);
  });

  it('cleans up a peer that stops heartbeating; signals to it then EXPIRE', async () => {
    // 1.5 s against heartbeats every 50 ms: a loaded 2-core machine may starve the live peer's
    // timer for a few hundred ms, which must not expire it too.
    const s = await start({ aliveTimeoutMs: 1_500 });
    const events: PeerEvent[] = [];
    s.signalling.onPeer((e) => events.push(e));
    const dead = await join(s, 'alice');
    const live = await join(s, 'bob');
    const beat = setInterval(() => live.peer.send({ type: 'HEARTBEAT' }), 50);
    try {
      expect(await dead.peer.closed).toEqual({ code: SignalCloseCode.HeartbeatTimeout, reason: ErrorCode.SIGNAL_HEARTBEAT_TIMEOUT });
      expect(events.find((e) => e.type === 'close')).toMatchObject({ peer: { id: dead.id }, code: ErrorCode.SIGNAL_HEARTBEAT_TIMEOUT });
      expect(s.signalling.peers().map((p) => p.id)).toEqual([live.id]);
      live.peer.send(offer(dead.id));
      expect(await live.peer.next((f) => f.type === 'EXPIRE')).toMatchObject({ src: dead.id });
      await new Promise((r) => setTimeout(r, 1_600));
      expect(live.peer.ws.readyState).toBe(live.peer.ws.OPEN);
    } finally {
      clearInterval(beat);
    }
  });

  it('limits peers per account and in total; a reclaim needs no free slot', async () => {
    const s = await start({ maxPeersPerAccount: 1, maxPeers: 2 });
    const a = await join(s, 'alice');
    const second = await RawPeer.connect(s.wsUrl(await s.newId(a.token), a.token));
    expect(await second.next((f) => f.type === 'ERROR')).toMatchObject({ payload: { code: ErrorCode.SIGNAL_TOO_MANY_ACCOUNT_PEERS } });
    await RawPeer.open(s.wsUrl(a.id, a.token));
    await join(s, 'bob');
    const token = await s.token('carol');
    const third = await RawPeer.connect(s.wsUrl(await s.newId(token), token));
    expect((await third.closed).reason).toBe(ErrorCode.SIGNAL_TOO_MANY_PEERS);
  });

  it('limits the peers one peer signals with (maxConnectionsPerPeer)', async () => {
    const s = await start({ maxConnectionsPerPeer: 1 });
    const a = await join(s, 'alice');
    const b = await join(s, 'bob');
    const c = await join(s, 'carol');
    a.peer.send(offer(b.id));
    await b.peer.next((f) => f.type === 'OFFER');
    a.peer.send(offer(c.id));
    await a.peer.code(ErrorCode.SIGNAL_TOO_MANY_CONNECTIONS);
    a.peer.send({ type: 'LEAVE', dst: b.id });
    a.peer.send(offer(c.id));
    await c.peer.next((f) => f.type === 'OFFER');
  });
});

describe('signalling: discovery, routing and shutdown', () => {
  it('lists peers only to authenticated callers and only when discovery is on', async () => {
    const off = await start();
    const token = await off.token('alice');
    const r = await off.get('peers', token);
    expect([r.status, ((await r.json()) as { code: string }).code]).toEqual([403, ErrorCode.SIGNAL_DISCOVERY_DISABLED]);
    await off.stop();
    const s = await start({ allowDiscovery: true });
    const a = await join(s, 'alice');
    const anon = await s.get('peers');
    expect([anon.status, ((await anon.json()) as { code: string }).code]).toEqual([401, ErrorCode.AUTH_REQUIRED]);
    const list = await s.get('peers', a.token);
    expect(await list.json()).toEqual([a.id]);
  });

  it('owns only its path: other upgrades and requests are left to the relay', async () => {
    const s = await start();
    expect((await fetch(`${s.url}/api/x`)).status).toBe(404);
    expect(await fetch(`${s.url}/peerjs/peerjs/nope`).then((r) => r.json())).toEqual({ code: 'NOT_FOUND', message: expect.any(String) });
    const token = await s.token('alice');
    const other = await RawPeer.connect(`${s.url.replace('http', 'ws')}/peerjs/other?access_token=${token}`).catch((e: { status: number }) => e.status);
    expect(other).toBe(404);
    const notOurs = await RawPeer.connect(`${s.url.replace('http', 'ws')}/ws?access_token=${token}`).catch(() => 'refused');
    expect(notOurs).toBe('refused');
  });

  it('close() ends every peer with SIGNAL_SHUTTING_DOWN and refuses new upgrades', async () => {
    const s = await start();
    const a = await join(s, 'alice');
    s.signalling.close();
    expect(await a.peer.closed).toEqual({ code: SignalCloseCode.GoingAway, reason: ErrorCode.SIGNAL_SHUTTING_DOWN });
    const late = await RawPeer.connect(s.wsUrl(a.id, a.token)).catch((e: { status: number }) => e.status);
    expect(late).toBe(503);
  });
});
