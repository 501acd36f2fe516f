import {
  ErrorCode, MESH_FRAME_TAG, MESH_PROTOCOL_VERSION, MeshNode, RELAY_PEER_ID, Side, createFrameVerifier, decodeMeshControl, decodeServer,
  encodeMeshControl, encodeServer, readSignedFrame, type MeshControl, type MeshTransport, type ServerMsg,
} from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Relay } from '../src/server/relay-server';
import { ProtoClient, startRelay, tokenOf, until } from './harness';
import { ScriptedVenue, testInstrument } from './scripted-venue';

type Welcome = Extract<ServerMsg, { type: 'welcome' }>;
type Who = 'trader' | 'viewer';

let relay: Relay | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  await relay?.stop();
  relay = undefined;
});

/** A relay over a scripted venue, the flush driven by the test (flushMs is huge). */
async function scripted(): Promise<{ relay: Relay; venue: ScriptedVenue }> {
  const venue = new ScriptedVenue('test', [testInstrument('BTC-USD'), testInstrument('ETH-USD')]);
  relay = await startRelay([venue], { flushMs: 3_600_000 });
  return { relay, venue };
}

async function connect(r: Relay, who: Who = 'trader'): Promise<ProtoClient> {
  const c = await ProtoClient.connect(r.url, {}, tokenOf(r.url, who));
  closers.push(() => c.close());
  return c;
}

/** Registers a PeerJS id in the relay's signalling as a browser does: GET id, then the peerjs socket until OPEN. */
async function registerPeer(r: Relay, who: Who = 'trader'): Promise<string> {
  const token = tokenOf(r.url, who);
  const res = await fetch(`${r.url}/peerjs/peerjs/id`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const id = await res.text();
  await openSignalling(r, id, token);
  return id;
}

/** The PeerJS signalling socket of `id`, open (OPEN received). */
async function openSignalling(r: Relay, id: string, token: string): Promise<WebSocket> {
  const q = new URLSearchParams({ key: 'peerjs', id, token, version: '1.5.5' });
  const ws = new WebSocket(`${r.url.replace('http', 'ws')}/peerjs/peerjs?${q}`);
  closers.push(() => ws.close());
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (d) => (JSON.parse(d.toString()) as { type: string }).type === 'OPEN' && resolve());
    ws.once('error', reject);
  });
  return ws;
}

function sendMesh(c: ProtoClient, msg: MeshControl, requestId = 0): void {
  c.send({ type: 'mesh', requestId, payload: encodeMeshControl(msg) });
}

const meshPayloads = (c: ProtoClient): Uint8Array[] => c.received.flatMap((m) => (m.type === 'mesh' ? [m.payload] : []));
const meshControls = (c: ProtoClient): MeshControl[] => meshPayloads(c).flatMap((p) => (p[0] === MESH_FRAME_TAG ? [] : [decodeMeshControl(p)!]));
const meshFrames = (c: ProtoClient): Uint8Array[] => meshPayloads(c).filter((p) => p[0] === MESH_FRAME_TAG);
const batchesOf = (c: ProtoClient, streamId: number) => c.received.filter((m) => m.type === 'bookBatch' && m.streamId === streamId);

/** One batch on a stream: a level change and a flush, then every signature reaches the coordinator. */
async function tick(r: Relay, venue: ScriptedVenue, symbol: string, price: number): Promise<void> {
  venue.level(symbol, Side.Buy, price, 10 + (price % 7));
  r.md.flush();
  await r.mesh.idle();
}

/** A subscribed session whose PeerJS id is bound (hello acknowledged) and joined to `streamId`. */
async function meshPeer(r: Relay, streamId: number, who: Who = 'trader'): Promise<{ c: ProtoClient; peerId: string }> {
  const peerId = await registerPeer(r, who);
  const c = await connect(r, who);
  c.send({ type: 'subscribe', requestId: 1, streamIds: [streamId], symbols: [] });
  await c.next((m) => m.type === 'bookSnapshot');
  sendMesh(c, { type: 'hello', peerId, protocolVersion: MESH_PROTOCOL_VERSION });
  await c.next((m) => m.type === 'mesh' && decodeMeshControl(m.payload)?.type === 'hello');
  sendMesh(c, { type: 'join', streamId });
  await c.next((m) => m.type === 'mesh' && decodeMeshControl(m.payload)?.type === 'assign');
  return { c, peerId };
}

const directBytes = async (r: Relay): Promise<number> => ((await r.metrics.mdDirectBytes.get()).values.find((v) => v.labels.protocol === 'proto')?.value ?? 0);

describe('relay side of the market-data mesh', () => {
  it('puts the relay market-data public key (Ed25519 32 bytes or P-256 65 bytes) in the Welcome', async () => {
    const { relay } = await scripted();
    const c = await connect(relay);
    const welcome = c.received[0] as Welcome;
    expect([32, 65]).toContain(welcome.mdPublicKey.length);
    expect(welcome.mdPublicKey).toEqual(relay.mesh.publicKey);
  });

  it('feeds a joined peer as a seed: assignments to the relay, then signed batches that verify with the Welcome key and carry the /ws batch bytes', async () => {
    const { relay, venue } = await scripted();
    const btc = relay.md.streamIdsForSymbol('BTC-USD')[0]!;
    const { c } = await meshPeer(relay, btc);
    const assigns = meshControls(c).filter((m) => m.type === 'assign');
    expect(assigns).toEqual(expect.arrayContaining([expect.objectContaining({ streamId: btc, stripe: 0, parentId: RELAY_PEER_ID })]));
    const stripes = (assigns[0] as Extract<MeshControl, { type: 'assign' }>).stripes;
    await until(() => meshControls(c).filter((m) => m.type === 'assign').length === stripes, 2000, 'one assignment per stripe');

    for (let i = 0; i < 6; i++) await tick(relay, venue, 'BTC-USD', 100 + i);
    await until(() => meshFrames(c).length >= 6, 2000, 'six signed frames');

    const welcome = c.received[0] as Welcome;
    const verifier = await createFrameVerifier([{ keyId: 1, publicKey: welcome.mdPublicKey }]);
    const seqs: number[] = [];
    for (const message of meshFrames(c)) {
      const r = readSignedFrame(message);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const v = r.value;
      expect(v.keyId).toBe(1);
      expect(v.streamId).toBe(btc);
      expect(await verifier.verify(v.keyId, v.signed, v.signature)).toBe(true);
      const inner = decodeServer(v.frame);
      expect(inner.ok && inner.value.type === 'bookBatch' && inner.value.seq === v.seq).toBe(true);
      seqs.push(v.seq);
      // A flipped byte of the frame breaks the signature.
      const forged = new Uint8Array(v.signed);
      forged[forged.length - 1] ^= 1;
      expect(await verifier.verify(v.keyId, forged, v.signature)).toBe(false);
    }
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect((await relay.metrics.meshFramesSent.get()).values.find((v) => v.labels.kind === 'seed')?.value).toBeGreaterThanOrEqual(6);
    expect((await relay.metrics.meshPeers.get()).values[0]?.value).toBe(1);
  });

  it('refuses a hello with an id registered by another account, with an unregistered id, and a join before any hello', async () => {
    const { relay } = await scripted();
    const btc = relay.md.streamIdsForSymbol('BTC-USD')[0]!;
    const viewersId = await registerPeer(relay, 'viewer');
    const c = await connect(relay, 'trader');
    sendMesh(c, { type: 'hello', peerId: viewersId, protocolVersion: MESH_PROTOCOL_VERSION }, 5);
    expect(await c.error(ErrorCode.MESH_PEER_NOT_REGISTERED)).toMatchObject({ requestId: 5 });
    sendMesh(c, { type: 'join', streamId: btc }, 6);
    await c.next((m) => m.type === 'error' && m.requestId === 6 && m.code === ErrorCode.MESH_PEER_NOT_REGISTERED);
    sendMesh(c, { type: 'hello', peerId: `${viewersId.split('-')[0]}-neverregistered`, protocolVersion: MESH_PROTOCOL_VERSION }, 7);
    await c.next((m) => m.type === 'error' && m.requestId === 7 && m.code === ErrorCode.MESH_PEER_NOT_REGISTERED);
    c.send({ type: 'mesh', requestId: 8, payload: new Uint8Array([0xff, 0x01]) });
    await c.next((m) => m.type === 'error' && m.requestId === 8 && m.code === ErrorCode.MESH_MALFORMED);
    expect(relay.mesh.coordinator.peerCount).toBe(0);
    expect(meshControls(c)).toEqual([]);
  });

  it('stops direct batches of a joined stream while a plain session still gets all of them; fallback resumes direct delivery with a snapshot', async () => {
    const { relay, venue } = await scripted();
    const [btc, eth] = [relay.md.streamIdsForSymbol('BTC-USD')[0]!, relay.md.streamIdsForSymbol('ETH-USD')[0]!];
    const { c: peer } = await meshPeer(relay, btc);
    peer.send({ type: 'subscribe', requestId: 2, streamIds: [eth], symbols: [] });
    await peer.next((m) => m.type === 'bookSnapshot' && m.streamId === eth);

    // Only the peer is subscribed: its BTC batches go via the mesh, so direct egress is ETH only.
    const before = await directBytes(relay);
    for (let i = 0; i < 4; i++) await tick(relay, venue, 'BTC-USD', 200 + i);
    expect(await directBytes(relay)).toBe(before);
    await until(() => meshFrames(peer).length >= 4, 2000, 'mesh frames');
    await tick(relay, venue, 'ETH-USD', 300);
    await peer.next((m) => m.type === 'bookBatch' && m.streamId === eth);
    expect(await directBytes(relay)).toBeGreaterThan(before);

    const plain = await connect(relay, 'viewer');
    plain.send({ type: 'subscribe', requestId: 3, streamIds: [btc], symbols: [] });
    await plain.next((m) => m.type === 'bookSnapshot');
    const mid = await directBytes(relay);
    const peerBatchesBefore = batchesOf(peer, btc).length;
    for (let i = 0; i < 5; i++) await tick(relay, venue, 'BTC-USD', 400 + i);
    await until(() => batchesOf(plain, btc).length === 5, 2000, 'plain session batches');
    expect(batchesOf(peer, btc).length).toBe(peerBatchesBefore);
    expect(peerBatchesBefore).toBe(0);
    // Direct egress grew by exactly the plain session's five batches (the encoding is canonical).
    const plainBytes = batchesOf(plain, btc).reduce((n, m) => n + encodeServer(m).length, 0);
    expect(await directBytes(relay)).toBe(mid + plainBytes);

    // Fallback: a snapshot, then direct batches again (and no signed copies of them).
    const snapsBefore = peer.received.filter((m) => m.type === 'bookSnapshot' && m.streamId === btc).length;
    sendMesh(peer, { type: 'fallback', streamId: btc, active: true });
    await until(() => peer.received.filter((m) => m.type === 'bookSnapshot' && m.streamId === btc).length === snapsBefore + 1, 2000, 'fallback snapshot');
    const framesBefore = meshFrames(peer).length;
    for (let i = 0; i < 3; i++) await tick(relay, venue, 'BTC-USD', 500 + i);
    await until(() => batchesOf(peer, btc).length === 3, 2000, 'direct batches after fallback');
    const snap = peer.received.filter((m) => m.type === 'bookSnapshot' && m.streamId === btc).at(-1)!;
    const direct = batchesOf(peer, btc) as Extract<ServerMsg, { type: 'bookBatch' }>[];
    expect(direct.map((b) => b.seq)).toEqual([1, 2, 3].map((k) => (snap as { seq: number }).seq + k));
    // The peer is still a seed of the trees (it may feed others), so signed frames keep coming.
    expect(meshFrames(peer).length).toBeGreaterThanOrEqual(framesBefore);

    // Back to the mesh: direct batches stop again.
    sendMesh(peer, { type: 'fallback', streamId: btc, active: false });
    // A ping round trip: the session handles its messages in order, so the switch is done.
    peer.send({ type: 'ping', requestId: 0, nonce: 9, timeUs: 0 });
    await peer.next((m) => m.type === 'pong' && m.nonce === 9);
    for (let i = 0; i < 3; i++) await tick(relay, venue, 'BTC-USD', 600 + i);
    await until(() => batchesOf(plain, btc).length === 11, 2000, 'plain keeps everything');
    expect(batchesOf(peer, btc).length).toBe(3);
  });

  it('closing the session removes the peer from the coordinator; leave restores direct batches', async () => {
    const { relay, venue } = await scripted();
    const btc = relay.md.streamIdsForSymbol('BTC-USD')[0]!;
    const { c } = await meshPeer(relay, btc);
    expect(relay.mesh.coordinator.peerCount).toBe(1);
    sendMesh(c, { type: 'leave', streamId: btc });
    await c.next((m) => m.type === 'bookSnapshot' && c.received.filter((x) => x.type === 'bookSnapshot').length === 2);
    await tick(relay, venue, 'BTC-USD', 700);
    await c.next((m) => m.type === 'bookBatch' && m.streamId === btc);
    c.close();
    await until(() => relay.mesh.coordinator.peerCount === 0, 2000, 'peer removed');
    expect(relay.mesh.peerLinks).toBe(0);
  });

  it("an id that leaves signalling is told so (goodbye MESH_PEER_CLOSED), fed direct again, and can say hello again once back", async () => {
    const { relay, venue } = await scripted();
    const btc = relay.md.streamIdsForSymbol('BTC-USD')[0]!;
    const token = tokenOf(relay.url, 'trader');
    const res = await fetch(`${relay.url}/peerjs/peerjs/id`, { headers: { authorization: `Bearer ${token}` } });
    const peerId = await res.text();
    const signalling = await openSignalling(relay, peerId, token);
    const c = await connect(relay);
    c.send({ type: 'subscribe', requestId: 1, streamIds: [btc], symbols: [] });
    await c.next((m) => m.type === 'bookSnapshot');
    sendMesh(c, { type: 'hello', peerId, protocolVersion: MESH_PROTOCOL_VERSION });
    await c.next((m) => m.type === 'mesh' && decodeMeshControl(m.payload)?.type === 'hello');
    sendMesh(c, { type: 'join', streamId: btc });
    await c.next((m) => m.type === 'mesh' && decodeMeshControl(m.payload)?.type === 'assign');
    await tick(relay, venue, 'BTC-USD', 710);
    expect(batchesOf(c, btc)).toHaveLength(0);

    signalling.close();
    const bye = await c.next((m) => m.type === 'mesh' && decodeMeshControl(m.payload)?.type === 'goodbye');
    expect(bye.type === 'mesh' && decodeMeshControl(bye.payload)).toMatchObject({ type: 'goodbye', code: ErrorCode.MESH_PEER_CLOSED });
    await c.next((m) => m.type === 'bookSnapshot' && c.received.filter((x) => x.type === 'bookSnapshot').length === 2);
    await tick(relay, venue, 'BTC-USD', 711);
    await c.next((m) => m.type === 'bookBatch' && m.streamId === btc);
    expect(relay.mesh.peerLinks).toBe(0);

    // Back in signalling (PeerJS reconnected with the same id): hello is acknowledged again.
    await openSignalling(relay, peerId, token);
    sendMesh(c, { type: 'hello', peerId, protocolVersion: MESH_PROTOCOL_VERSION });
    await until(() => meshControls(c).filter((m) => m.type === 'hello').length === 2, 2000, 'second hello answered');
    expect(relay.mesh.peerLinks).toBe(1);
  });

  it('a MeshNode driven over the /ws relay link delivers every batch in seq order, verified', async () => {
    const { relay, venue } = await scripted();
    const btc = relay.md.streamIdsForSymbol('BTC-USD')[0]!;
    const peerId = await registerPeer(relay);
    const c = await connect(relay);
    const welcome = c.received[0] as Welcome;
    c.send({ type: 'subscribe', requestId: 1, streamIds: [btc], symbols: [] });
    const snap = (await c.next((m) => m.type === 'bookSnapshot')) as Extract<ServerMsg, { type: 'bookSnapshot' }>;

    // The worker's relay link: MeshNode <-> ServerMessage/ClientMessage.mesh on the session.
    const transport: MeshTransport = {
      connect: () => {},
      disconnect: () => {},
      send: (to, bytes) => to === RELAY_PEER_ID && c.send({ type: 'mesh', requestId: 0, payload: bytes }),
      bufferedAmount: () => 0,
      isOpen: (to) => to === RELAY_PEER_ID,
    };
    const delivered: number[] = [];
    const node = new MeshNode(peerId, transport, await createFrameVerifier([{ keyId: 1, publicKey: welcome.mdPublicKey }]), {
      onFrame: (_s, _e, seq, frame) => {
        const m = decodeServer(frame);
        if (m.ok && m.value.type === 'bookBatch') delivered.push(seq);
      },
    });
    closers.push(() => node.close());
    c.ws.on('message', (data: Buffer) => {
      const m = decodeServer(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (m.ok && m.value.type === 'mesh') node.onMessage(RELAY_PEER_ID, new Uint8Array(m.value.payload));
    });
    c.send({ type: 'mesh', requestId: 0, payload: encodeMeshControl({ type: 'hello', peerId, protocolVersion: MESH_PROTOCOL_VERSION }) });
    node.subscribe(btc, snap.epoch, snap.seq);
    await until(() => node.parentsOf(btc).every((p) => p === RELAY_PEER_ID) && node.parentsOf(btc).length > 0, 2000, 'assigned');

    for (let i = 0; i < 8; i++) await tick(relay, venue, 'BTC-USD', 800 + i);
    await until(() => delivered.length === 8, 3000, 'eight delivered');
    expect(delivered).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((k) => snap.seq + k));
    expect(node.stats.misbehaviour).toEqual({});
    expect(batchesOf(c, btc)).toEqual([]);
  });
});
