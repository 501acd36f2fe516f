import { describe, expect, it } from 'vitest';
import { completeSignedFrame, createFrameVerifier, generateFrameSigner, prepareSignedFrame, signFrame, type FrameSigner, type FrameVerifier } from '../codec/frame-signing';
import { ErrorCode } from '../model/codes';
import { mulberry32 } from '../model/random';
import { MeshCoordinator } from './mesh-coordinator';
import { MeshNode } from './mesh-node';
import type { MeshNodeOptions } from './mesh-node-options';
import { RELAY_PEER_ID, type MeshClock, type MeshLinkHandler, type MeshTransport } from './mesh-transport';
import { decodeMeshControl, encodeMeshControl } from './mesh-wire';
import { EventQueue } from './sim/event-queue';
import { testSignature, testVerifier } from './sim/test-signer';
import { VirtualNetwork } from './sim/virtual-network';

const sleep = () => new Promise((r) => setTimeout(r, 0));

/** A relay, some honest nodes and helpers, on a virtual clock; async-safe for WebCrypto verifiers. */
function harness(peers: number, verifier: FrameVerifier, node: Partial<MeshNodeOptions> = {}, lossRate = 0) {
  const queue = new EventQueue();
  const net = new VirtualNetwork(queue, { rand: mulberry32(7), lossRate });
  const coordinator = new MeshCoordinator(net.add(RELAY_PEER_ID), {}, queue);
  net.bind(RELAY_PEER_ID, coordinator);
  const got = new Map<string, number[]>();
  const nodes: MeshNode[] = [];
  const add = (id: string) => {
    const n = new MeshNode(id, net.add(id), verifier, { onFrame: (_s, _e, seq) => got.get(id)!.push(seq) }, node, queue);
    net.bind(id, n);
    got.set(id, []);
    n.subscribe(0, 1, 0);
    nodes.push(n);
    return n;
  };
  for (let i = 0; i < peers; i++) add(`p${i}`);
  const run = async (ms: number) => {
    const end = queue.now() + ms;
    while (queue.peekTime() <= end) {
      queue.step();
      while (nodes.some((n) => n.inFlight > 0)) await sleep();
    }
    queue.runUntil(end);
  };
  /** An attacker endpoint with a raw transport. */
  const rogue = (id: string) => {
    const inbox: Uint8Array[] = [];
    const handler: MeshLinkHandler = { onOpen() {}, onClose() {}, onDrain() {}, onMessage: (_p, b) => { inbox.push(b); } };
    const t: MeshTransport = net.add(id, handler);
    return { t, inbox };
  };
  return { queue, net, coordinator, nodes, got, add, run, rogue };
}

describe('mesh integrity (real WebCrypto Ed25519)', () => {
  let signer: FrameSigner;
  let verifier: FrameVerifier;

  const setup = async () => {
    signer ??= await generateFrameSigner({ keyId: 1 });
    verifier ??= await createFrameVerifier([{ keyId: 1, publicKey: signer.publicKey }]);
  };

  async function victimWithRogue(node: Partial<MeshNodeOptions> = {}) {
    await setup();
    const h = harness(1, verifier, node);
    const victim = h.nodes[0]!;
    const bad = h.rogue('mallory');
    bad.t.connect('p0');
    await h.run(10);
    expect(bad.t.isOpen('p0')).toBe(true);
    return { h, victim, bad };
  }

  it('a forged signature is dropped, counted, and its sender disconnected', async () => {
    const { h, victim, bad } = await victimWithRogue();
    const forger = await generateFrameSigner({ keyId: 1 }); // right key id, wrong key
    bad.t.send('p0', await signFrame(forger, 0, 1, 1, new Uint8Array([1, 2, 3])));
    await h.run(10);
    expect(victim.stats.misbehaviour[ErrorCode.MESH_BAD_SIGNATURE]).toBe(1);
    expect(h.got.get('p0')).toEqual([]);
    expect(bad.t.isOpen('p0')).toBe(false);
  });

  it('an altered frame is dropped, counted, and its sender disconnected', async () => {
    const { h, victim, bad } = await victimWithRogue();
    const msg = (await signFrame(signer, 0, 1, 1, new Uint8Array([1, 2, 3]))).slice();
    msg[msg.length - 67]! ^= 0xff; // last frame byte (then signature tag, length, 64 bytes)
    bad.t.send('p0', msg);
    await h.run(10);
    expect(victim.stats.misbehaviour[ErrorCode.MESH_BAD_SIGNATURE]).toBe(1);
    expect(h.got.get('p0')).toEqual([]);
    expect(bad.t.isOpen('p0')).toBe(false);
  });

  it('a replayed old frame is dropped, counted, and its sender disconnected', async () => {
    const { h, victim, bad } = await victimWithRogue({ replayWindowFrames: 8 });
    const frames: Uint8Array[] = [];
    for (let seq = 1; seq <= 20; seq++) frames.push(await signFrame(signer, 0, 1, seq, new Uint8Array([seq])));
    for (let seq = 1; seq <= 20; seq++) h.coordinator.publish(0, 1, seq, frames[seq - 1]!);
    await h.run(20);
    expect(h.got.get('p0')).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    bad.t.send('p0', frames[0]!);
    await h.run(10);
    expect(victim.stats.misbehaviour[ErrorCode.MESH_REPLAY]).toBe(1);
    expect(bad.t.isOpen('p0')).toBe(false);
    expect(h.got.get('p0')!.length).toBe(20);
  });

  it('a frame from an older epoch is a replay', async () => {
    const { h, victim, bad } = await victimWithRogue();
    bad.t.send('p0', await signFrame(signer, 0, 0, 1, new Uint8Array([1])));
    await h.run(10);
    expect(victim.stats.misbehaviour[ErrorCode.MESH_REPLAY]).toBe(1);
    expect(bad.t.isOpen('p0')).toBe(false);
  });

  it('a recent duplicate is dropped silently, without verifying it again', async () => {
    const { h, victim, bad } = await victimWithRogue();
    const f = await signFrame(signer, 0, 1, 1, new Uint8Array([1]));
    h.coordinator.publish(0, 1, 1, f);
    await h.run(10);
    bad.t.send('p0', f);
    await h.run(10);
    expect(victim.stats.duplicates).toBe(1);
    expect(victim.stats.misbehaviour).toEqual({});
    expect(bad.t.isOpen('p0')).toBe(true);
  });
});

describe('mesh neighbours (test signer)', () => {
  const SECRET = 11;
  const verifier = testVerifier(SECRET);
  const frame = (seq: number) => {
    const p = prepareSignedFrame({ streamId: 0, epoch: 1, seq, keyId: 1 }, new Uint8Array([seq & 0xff, 1, 2, 3]));
    return completeSignedFrame(p, testSignature(SECRET, p.signed));
  };

  it('a flood is cut off with MESH_FLOOD', async () => {
    const h = harness(1, verifier, { maxMessagesPerSecond: 100, burstMessages: 50 });
    const bad = h.rogue('mallory');
    bad.t.connect('p0');
    await h.run(10);
    const ping = encodeMeshControl({ type: 'ping', nonce: 1, timeUs: 1 });
    for (let i = 0; i < 500; i++) bad.t.send('p0', ping);
    await h.run(10);
    expect(h.nodes[0]!.stats.misbehaviour[ErrorCode.MESH_FLOOD]).toBe(1);
    expect(bad.t.isOpen('p0')).toBe(false);
  });

  it('oversized and malformed messages disconnect their sender with their codes', async () => {
    const h = harness(1, verifier, { maxMessageBytes: 1024 });
    const a = h.rogue('a');
    const b = h.rogue('b');
    a.t.connect('p0');
    b.t.connect('p0');
    await h.run(10);
    a.t.send('p0', new Uint8Array(2000));
    b.t.send('p0', new Uint8Array([0x0a, 0x05, 0x08]));
    await h.run(10);
    expect(h.nodes[0]!.stats.misbehaviour[ErrorCode.MESH_OVERSIZED]).toBe(1);
    expect(h.nodes[0]!.stats.misbehaviour[ErrorCode.MESH_MALFORMED]).toBe(1);
    expect(a.t.isOpen('p0')).toBe(false);
    expect(b.t.isOpen('p0')).toBe(false);
  });

  it('two peers reporting misbehaviour get the accused evicted', async () => {
    const h = harness(3, verifier);
    await h.run(20);
    const forged = frame(1);
    forged[forged.length - 1]! ^= 1;
    const bad = h.rogue('mallory');
    h.coordinator.onMessage('mallory', encodeMeshControl({ type: 'join', streamId: 0 }));
    for (const v of ['p0', 'p1']) bad.t.connect(v);
    await h.run(10);
    for (const v of ['p0', 'p1']) bad.t.send(v, forged);
    await h.run(20);
    expect(h.coordinator.isEvicted('mallory')).toBe(true);
  });

  it('a parent that stops forwarding is replaced and the gap repaired', async () => {
    const h = harness(8, verifier);
    await h.run(50);
    for (let seq = 1; seq <= 40; seq++) { h.coordinator.publish(0, 1, seq, frame(seq)); await h.run(10); }
    // Pick a node fed by a peer (not the relay) and silence that parent towards it.
    const victim = h.nodes.find((n) => n.parentsOf(0).some((p) => p.startsWith('p')))!;
    const stripe = victim.parentsOf(0).findIndex((p) => p.startsWith('p'));
    const mute = victim.parentsOf(0)[stripe]!;
    const muteNode = h.nodes.find((n) => n.id === mute)!;
    const t = (muteNode as unknown as { transport: MeshTransport }).transport;
    const send = t.send.bind(t);
    t.send = (peer, bytes) => { if (!(peer === victim.id && bytes[0] === 0x0a)) send(peer, bytes); };
    for (let seq = 41; seq <= 200; seq++) { h.coordinator.publish(0, 1, seq, frame(seq)); await h.run(10); }
    await h.run(500);
    expect(victim.parentsOf(0)[stripe]).not.toBe(mute);
    expect(h.got.get(victim.id)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('falls back to the relay after relayFallbackMs of mesh silence, then rejoins', async () => {
    const h = harness(4, verifier, { relayFallbackMs: 1000, rejoinAfterMs: 3000 });
    await h.run(50);
    const victim = h.nodes.find((n) => n.parentsOf(0).every((p) => p.startsWith('p')))!;
    // Every neighbour goes silent towards the victim (e.g. its NAT drops UDP).
    for (const n of h.nodes) {
      if (n === victim) continue;
      const t = (n as unknown as { transport: MeshTransport }).transport;
      const send = t.send.bind(t);
      t.send = (peer, bytes) => { if (peer !== victim.id) send(peer, bytes); };
    }
    const seen: boolean[] = [];
    (victim as unknown as { events: { onFallback: (s: number, a: boolean) => void } }).events.onFallback = (_s, a) => seen.push(a);
    for (let seq = 1; seq <= 150; seq++) { h.coordinator.publish(0, 1, seq, frame(seq)); await h.run(10); }
    expect(victim.stats.fallbacks).toBe(1);
    expect(seen[0]).toBe(true);
    expect(h.coordinator.egress.fallbackFrames).toBeGreaterThan(0);
    expect(h.got.get(victim.id)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    for (let seq = 151; seq <= 450; seq++) { h.coordinator.publish(0, 1, seq, frame(seq)); await h.run(10); }
    expect(seen).toContain(false); // rejoined after rejoinAfterMs
    expect(h.got.get(victim.id)!.length).toBe(450);
  });

  it('complaints about upstreams move a peer but never ban them: a small mesh does not end up on the relay', async () => {
    const h = harness(4, verifier);
    await h.run(50);
    const child = h.nodes.find((n) => n.parentsOf(0).some((p) => p.startsWith('p')))!;
    const stripe = child.parentsOf(0).findIndex((p) => p.startsWith('p'));
    // Load makes every neighbour look slow in turn: far more complaints than there are peers.
    for (let i = 0; i < 12; i++) {
      const parent = h.coordinator.parentOf(child.id, 0, stripe)!;
      expect(parent).not.toBe(RELAY_PEER_ID);
      h.coordinator.onMessage(child.id, encodeMeshControl({ type: 'report', streamId: 0, stripe, peerId: parent, code: ErrorCode.MESH_SLOW, rttUs: 300_000, deliveryPermille: 0 }));
      expect(h.coordinator.parentOf(child.id, 0, stripe)).not.toBe(parent);
      await h.run(20);
    }
    expect(h.coordinator.parentOf(child.id, 0, stripe)).not.toBe(RELAY_PEER_ID);
  });

  it('a node whose own thread froze does not blame the mesh: no fallback, no complaint, parents kept', async () => {
    const h = harness(3, verifier);
    // The victim's timers and messages run on a clock that stops for 1500 ms (> relayFallbackMs):
    // at the thaw, the relay's messages run first, then the overdue timers, then the peers'
    // messages queued meanwhile (a browser worker serves its task sources in no fixed order).
    const T0 = 300;
    const T1 = T0 + 1500;
    const frozen = () => h.queue.now() >= T0 && h.queue.now() < T1;
    const clock: MeshClock = {
      now: () => h.queue.now(),
      setTimer: (ms, fn) => h.queue.setTimer(ms, () => (frozen() ? h.queue.at(T1 + 0.001, fn) : fn())),
      clearTimer: (t) => h.queue.clearTimer(t),
    };
    const id = 'p3';
    h.got.set(id, []);
    const victim = new MeshNode(id, h.net.add(id), verifier, { onFrame: (_s, _e, seq) => h.got.get(id)!.push(seq) }, {}, clock);
    const later = (peerId: string, fn: () => void) => (frozen() ? h.queue.at(peerId === RELAY_PEER_ID ? T1 : T1 + 0.002, fn) : fn());
    h.net.bind(id, {
      onOpen: (p) => later(p, () => victim.onOpen(p)),
      onClose: (p, code) => later(p, () => victim.onClose(p, code)),
      onDrain: (p) => later(p, () => victim.onDrain(p)),
      onMessage: (p, b) => later(p, () => victim.onMessage(p, b)),
    });
    victim.subscribe(0, 1, 0);
    h.nodes.push(victim);
    const reports: string[] = [];
    const coordinatorOnMessage = h.coordinator.onMessage.bind(h.coordinator);
    h.coordinator.onMessage = (p, b) => {
      if (p === id) {
        const m = decodeMeshControl(b);
        if (m?.type === 'report' && m.code) reports.push(m.code);
      }
      coordinatorOnMessage(p, b);
    };
    await h.run(50);
    for (let seq = 1; seq <= 250; seq++) { h.coordinator.publish(0, 1, seq, frame(seq)); await h.run(10); }
    const parents = [...victim.parentsOf(0)];
    expect(parents.some((p) => p.startsWith('p'))).toBe(true);
    expect(T1).toBeLessThan(h.queue.now());
    await h.run(500);
    expect(victim.stats.fallbacks).toBe(0);
    expect(reports).toEqual([]);
    expect(victim.parentsOf(0)).toEqual(parents);
    expect(h.got.get(id)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });

  it('backpressure: a link above the high-water mark queues, then drops (the child repairs)', async () => {
    const queue = new EventQueue();
    const net = new VirtualNetwork(queue, { rand: mulberry32(3), bytesPerMs: 10 });
    const coordinator = new MeshCoordinator(net.add(RELAY_PEER_ID), {}, queue);
    net.bind(RELAY_PEER_ID, coordinator);
    const parent = new MeshNode('p0', net.add('p0'), verifier, { onFrame() {} }, { highWaterBytes: 100, maxQueuedBytes: 300 }, queue);
    net.bind('p0', parent);
    parent.subscribe(0, 1, 0);
    const child = net.add('c', { onOpen() {}, onClose() {}, onDrain() {}, onMessage() {} });
    child.connect('p0');
    queue.runUntil(20);
    child.send('p0', encodeMeshControl({ type: 'attach', streamId: 0, stripe: 0, stripes: 1 }));
    queue.runUntil(30);
    // 50 frames at one instant (a burst from the relay link) into a 10 B/ms child link.
    for (let seq = 1; seq <= 50; seq++) parent.onMessage(RELAY_PEER_ID, frame(seq));
    queue.runUntil(40);
    expect(parent.stats.forwarded).toBeGreaterThan(0);
    expect(parent.stats.droppedSends).toBeGreaterThan(0);
    expect(parent.stats.forwarded + parent.stats.droppedSends).toBe(50);
  });
});
