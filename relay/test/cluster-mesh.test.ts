import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ErrorCode, MESH_FRAME_TAG, MESH_PROTOCOL_VERSION, RELAY_PEER_ID, createFrameVerifier, decodeMeshControl, decodeServer, encodeMeshControl,
  readSignedFrame, type MeshControl, type ServerMsg,
} from '@tickmesh/shared';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { openEdgeUpstream, startMdPublisher, type EdgeMesh, type MdPublisher } from '../src/cluster/index';
import { defaultRelayOptions } from '../src/server/options';
import type { MeshLink } from '../src/md/mesh-link';
import type { WireFrame } from '../src/md/wire-frame';
import type { Relay } from '../src/server/relay-server';
import { SimVenue } from '../src/venues/sim/index';
import { ProtoClient, startRelay, tokenOf, until } from './harness';
import { NatsKit, natsServerBinary } from './nats-kit';
import { signIn } from './order-channel-client';

const binary = natsServerBinary();
if (!binary) console.warn('cluster-mesh.test.ts skipped: nats-server is not installed (scripts/ensure-system-deps.sh installs it)');

type Welcome = Extract<ServerMsg, { type: 'welcome' }>;
const STREAM = 1;

const meshPayloads = (c: ProtoClient): Uint8Array[] => c.received.flatMap((m) => (m.type === 'mesh' ? [m.payload] : []));
const meshControls = (c: ProtoClient): MeshControl[] => meshPayloads(c).flatMap((p) => (p[0] === MESH_FRAME_TAG ? [] : [decodeMeshControl(p)!]));
const meshFrames = (c: ProtoClient): Uint8Array[] => meshPayloads(c).filter((p) => p[0] === MESH_FRAME_TAG);

/**
 * An edge session as EdgeMesh sees it (a MeshLink), with a send queue the test sets. A real
 * session's queue grows only once the kernel's loopback buffers (megabytes) are full, which a
 * test cannot bring about in bounded time; the hub, its coordinator, NATS and the edge are real.
 */
class QueueingLink implements MeshLink {
  readonly account = 'trader';
  queuedBytes = 0;
  readonly controls: MeshControl[] = [];
  /** Arrival time (ms) and stream seq of every signed frame. */
  readonly frames: { at: number; seq: number }[] = [];
  readonly refusals: string[] = [];

  sendMesh(frame: WireFrame): void {
    const m = decodeServer(frame.payload as Uint8Array);
    if (!m.ok || m.value.type !== 'mesh') return;
    const p = m.value.payload;
    if (p[0] !== MESH_FRAME_TAG) return void this.controls.push(decodeMeshControl(p)!);
    const r = readSignedFrame(p);
    const inner = r.ok ? decodeServer(r.value.frame) : undefined;
    if (inner?.ok && inner.value.type === 'bookBatch') this.frames.push({ at: Date.now(), seq: inner.value.seq });
  }

  setViaMesh(): void {}
  clearMesh(): void {}
  refuseMesh(_requestId: number, code: string): void {
    this.refusals.push(code);
  }
}

/** A PeerJS signalling socket as the browser's peerjs opens it, every frame kept. */
class SignalSocket {
  readonly received: { type: string; src?: string; dst?: string; payload?: unknown }[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.received.push(JSON.parse(d.toString())));
  }

  static async open(relayUrl: string, id: string, token: string): Promise<SignalSocket> {
    const q = new URLSearchParams({ key: 'peerjs', id, token, version: '1.5.5' });
    const s = new SignalSocket(new WebSocket(`${relayUrl.replace('http', 'ws')}/peerjs/peerjs?${q}`));
    await until(() => s.received.some((m) => m.type === 'OPEN') || s.received.some((m) => m.type === 'ERROR'), 5000, 'signalling OPEN');
    expect(s.received.map((m) => m.type)).toContain('OPEN');
    return s;
  }

  send(m: object): void {
    this.ws.send(JSON.stringify(m));
  }
}

async function newId(relayUrl: string, token: string): Promise<string> {
  const r = await fetch(`${relayUrl}/peerjs/peerjs/id`, { headers: { authorization: `Bearer ${token}` } });
  expect(r.status).toBe(200);
  return r.text();
}

describe.skipIf(!binary)('cluster: the market-data mesh across edges (PeerJS signalling over NATS, one coordinator on the md node)', () => {
  let nats: NatsKit;
  let md: Relay;
  let publisher: MdPublisher;
  const edges: { relay: Relay; mesh: EdgeMesh }[] = [];
  const closers: (() => void)[] = [];
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    nats = await NatsKit.start(binary!);
    const authDir = mkdtempSync(join(tmpdir(), 'tickmesh-cluster-mesh-auth-'));
    const venue = new SimVenue({ id: 'sim-a', seed: 11, symbols: ['BTC-USD'], updatesPerSecond: 200 });
    md = await startRelay([venue], { flushMs: 10, role: 'md', natsUrls: [nats.url], authDir });
    publisher = await startMdPublisher(md.options, md, log);
    for (let i = 0; i < 2; i++) {
      const opened = await openEdgeUpstream({ ...defaultRelayOptions, role: 'edge', natsUrls: [nats.url] }, log, {}, { budgetMs: 500 });
      const relay = await startRelay([], { role: 'edge', natsUrls: [nats.url], authDir }, opened.upstream);
      await opened.mesh.ready();
      edges.push({ relay, mesh: opened.mesh });
    }
  }, 30_000);

  afterAll(async () => {
    for (const c of closers.splice(0)) c();
    for (const e of edges) await e.relay.stop();
    await publisher?.close();
    await md?.stop();
    await nats?.kill();
  });

  const [e1, e2] = [() => edges[0]!.relay, () => edges[1]!.relay];

  async function signal(relay: Relay, id?: string): Promise<{ id: string; socket: SignalSocket }> {
    const token = tokenOf(relay.url);
    const peerId = id ?? (await newId(relay.url, token));
    const socket = await SignalSocket.open(relay.url, peerId, token);
    closers.push(() => socket.ws.close());
    return { id: peerId, socket };
  }

  /** Until edge `i`'s directory lists `id` (each relay publishes its peers as they register). */
  const listedOn = (i: number, id: string) => until(() => edges[i]!.mesh.directory?.nodeOf(id) !== undefined, 5000, `${id} in edge ${i + 1}'s directory`);

  it("an edge's Welcome carries the md node's market-data key, so signed frames verify alike on every edge", async () => {
    for (const e of [e1(), e2()]) {
      const c = await ProtoClient.connect(e.url, {}, tokenOf(e.url));
      closers.push(() => c.close());
      expect((c.received[0] as Welcome).mdPublicKey).toEqual(md.mesh.publicKey);
    }
    expect(md.mesh.publicKey.length).toBeGreaterThan(0);
  });

  it('a peer id issued by one edge registers on the other (one id key for the cluster), and one issued by the md node too', async () => {
    const token = tokenOf(e1().url);
    const id = await newId(e1().url, token);
    const s = await SignalSocket.open(e2().url, id, token);
    closers.push(() => s.ws.close());
    expect(e2().signalling.peers().map((p) => p.id)).toContain(id);
    const fromMd = await newId(md.url, token);
    const s2 = await SignalSocket.open(e1().url, fromMd, token);
    closers.push(() => s2.ws.close());
  });

  it('OFFER, ANSWER and CANDIDATE cross edges with the sender stamped; a signal to an id no relay holds gets EXPIRE', async () => {
    const a = await signal(e1());
    const b = await signal(e2());
    await listedOn(0, b.id);
    await listedOn(1, a.id);
    const payload = { connectionId: 'dc_test1', type: 'data', sdp: { type: 'offer', sdp: 'v=0' } };
    a.socket.send({ type: 'OFFER', dst: b.id, payload });
    await until(() => b.socket.received.some((m) => m.type === 'OFFER'), 5000, 'the OFFER on edge 2');
    const offer = b.socket.received.find((m) => m.type === 'OFFER')!;
    expect(offer).toEqual({ type: 'OFFER', src: a.id, dst: b.id, payload });
    b.socket.send({ type: 'ANSWER', dst: a.id, payload: { connectionId: 'dc_test1', sdp: { type: 'answer', sdp: 'v=0' } } });
    b.socket.send({ type: 'CANDIDATE', dst: a.id, payload: { connectionId: 'dc_test1', candidate: { candidate: 'c' } } });
    await until(() => a.socket.received.some((m) => m.type === 'CANDIDATE'), 5000, 'the CANDIDATE on edge 1');
    expect(a.socket.received.filter((m) => m.type === 'ANSWER' || m.type === 'CANDIDATE').map((m) => [m.type, m.src, m.dst])).toEqual([
      ['ANSWER', b.id, a.id],
      ['CANDIDATE', b.id, a.id],
    ]);
    // An id of the right form that no relay holds.
    const ghost = `${a.id.split('-')[0]}-ghost`;
    a.socket.send({ type: 'OFFER', dst: ghost, payload });
    await until(() => a.socket.received.some((m) => m.type === 'EXPIRE' && m.src === ghost), 5000, 'EXPIRE for the ghost');
  });

  it('two peerjs clients on werift, one on each edge, open a WebRTC data channel through the cross-edge signalling', async () => {
    const pa = await signIn(e1().url, tokenOf(e1().url));
    const pb = await signIn(e2().url, tokenOf(e2().url));
    closers.push(() => pa.destroy(), () => pb.destroy());
    type Conn = { on(event: string, fn: (...a: never[]) => void): void; send(d: unknown): void };
    const received = new Promise<unknown>((resolve) => pb.on('connection', ((c: Conn) => c.on('data', resolve)) as never));
    await listedOn(0, pb.id);
    const conn = pa.connect(pb.id, { serialization: 'json', reliable: true }) as unknown as Conn;
    conn.on('open', () => conn.send({ across: 'edges' }));
    const value = await Promise.race([received, new Promise((_, reject) => setTimeout(() => reject(new Error('no data over the channel in 15 s')), 15_000))]);
    expect(value).toEqual({ across: 'edges' });
  }, 30_000);

  it("the hub holds back signed frames for an edge's session over its queue limit, as the edge reports it, and sends them again once it drains", async () => {
    const { id } = await signal(e1());
    const link = new QueueingLink();
    const mesh = edges[0]!.mesh;
    const hello = () => mesh.receive(link, 3, encodeMeshControl({ type: 'hello', peerId: id, protocolVersion: MESH_PROTOCOL_VERSION }));
    let refusals = 0;
    hello();
    await until(() => {
      if (link.refusals.length > refusals) {
        refusals = link.refusals.length;
        hello();
      }
      return link.controls.some((m) => m.type === 'hello');
    }, 5000, 'hello acknowledged by the hub');
    // The answer names the key md signs with now (a session welcomed before an md restart holds an older one).
    expect(link.controls.find((m) => m.type === 'hello')).toMatchObject({ mdPublicKey: Buffer.from(md.mesh.publicKey).toString('base64') });
    try {
      mesh.receive(link, 0, encodeMeshControl({ type: 'join', streamId: STREAM }));
      await until(() => link.frames.length >= 5, 5000, 'signed frames on the seed');
      // Over the session's queue limit (1 MiB): the session would drop signed frames, so the hub stops sending them.
      // No mesh message says so; only the edge's queue report does.
      link.queuedBytes = 2 << 20;
      await until(() => Date.now() - link.frames.at(-1)!.at > 500, 5000, 'a pause in signed frames while the queue is full');
      const held = link.frames.length;
      link.queuedBytes = 0;
      await until(() => link.frames.length > held + 3, 5000, 'signed frames again once the queue drained');
      // The frames that came are in order.
      const seqs = link.frames.map((f) => f.seq);
      expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true);
    } finally {
      // Out of the mesh even when failing, so the next test's first peer is a seed.
      mesh.linkClosed(link);
    }
  }, 30_000);

  it("sessions on two edges join the md node's coordinator: the second peer's parent is the first, across edges; seeds get signed frames through their edge", async () => {
    const joinVia = async (relay: Relay) => {
      const { id } = await signal(relay);
      const c = await ProtoClient.connect(relay.url, {}, tokenOf(relay.url));
      closers.push(() => c.close());
      c.send({ type: 'subscribe', requestId: 1, streamIds: [STREAM], symbols: [] });
      await c.next((m) => m.type === 'bookSnapshot');
      // The hub accepts a hello once the id is in its directory: asked again after a refusal.
      const hello = () => c.send({ type: 'mesh', requestId: 3, payload: encodeMeshControl({ type: 'hello', peerId: id, protocolVersion: MESH_PROTOCOL_VERSION }) });
      let refusals = 0;
      hello();
      await until(() => {
        const n = c.received.filter((m) => m.type === 'error' && m.code === ErrorCode.MESH_PEER_NOT_REGISTERED).length;
        if (n > refusals) {
          refusals = n;
          hello();
        }
        return meshControls(c).some((m) => m.type === 'hello');
      }, 5000, 'hello acknowledged by the hub');
      c.send({ type: 'mesh', requestId: 0, payload: encodeMeshControl({ type: 'join', streamId: STREAM }) });
      await until(() => meshControls(c).some((m) => m.type === 'assign'), 5000, 'an assignment');
      return { id, c };
    };
    const a = await joinVia(e1());
    const b = await joinVia(e2());
    await until(() => meshControls(b.c).filter((m) => m.type === 'assign').length >= 2, 5000, 'both stripes assigned');
    const parents = (c: ProtoClient) => meshControls(c).flatMap((m) => (m.type === 'assign' ? [(m as Extract<MeshControl, { type: 'assign' }>).parentId] : []));
    expect(new Set(parents(a.c))).toEqual(new Set([RELAY_PEER_ID]));
    expect(new Set(parents(b.c))).toEqual(new Set([a.id]));
    // The seed (edge 1) gets md's signed frames, which verify with its edge's Welcome key.
    await until(() => meshFrames(a.c).length >= 5, 5000, 'signed frames on the seed');
    const verifier = await createFrameVerifier([{ keyId: 1, publicKey: (a.c.received.find((m) => m.type === 'welcome') as Welcome).mdPublicKey }]);
    for (const f of meshFrames(a.c).slice(0, 5)) {
      const r = readSignedFrame(f);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.streamId).toBe(STREAM);
      expect(await verifier.verify(r.value.keyId, r.value.signed, r.value.signature)).toBe(true);
      const inner = decodeServer(r.value.frame);
      expect(inner.ok && inner.value.type === 'bookBatch').toBe(true);
    }
    // Joined: the edge sends no direct batches of the stream any more.
    const direct = a.c.received.filter((m) => m.type === 'bookBatch').length;
    await new Promise((r) => setTimeout(r, 300));
    expect(a.c.received.filter((m) => m.type === 'bookBatch').length).toBe(direct);
    // Closing edge 1's session: the hub hears it and the coordinator re-parents the child onto the relay.
    a.c.close();
    await until(() => parents(b.c).includes(RELAY_PEER_ID), 5000, 'the child re-parented onto the relay');
  }, 30_000);
});
