import { join } from 'node:path';
import { generateFrameSigner, signFrame } from '@tickmesh/shared';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshFrameInfo } from '../../src/workers/terminal-api';
import { compareMeshBooks, demoApiKey, launchBrowser, meshOf, openMeshTerminal, screenshot } from './browser';
import { root, startRelayProcess, type RelayProcess } from './relay-process';

/**
 * The market-data mesh in Chromium: five terminals of one account with `?mesh=1` against one
 * relay process. They register PeerJS ids, join the BTC-USD streams' trees over /ws and feed
 * each other over WebRTC data channels (loopback, host candidates only); the relay stops
 * sending them direct batches. Books agree across pages, and closing a page that feeds others
 * does not stop the rest.
 */
const PAGES = 5;
let relay: RelayProcess;
let browser: Browser;
const terminals: Array<{ context: BrowserContext; page: Page; name: string }> = [];

async function openTerminal(i: number): Promise<void> {
  const { context, page } = await openMeshTerminal(browser, relay.origin, demoApiKey(relay.dataDir), `page ${i}`);
  terminals.push({ context, page, name: `p${i}` });
}

/** The mesh part of the page's last frame (the mesh client keeps it; read through the diagnostics hook). */
const timingsOf = (page: Page, streamId: number): Promise<Array<[number, number]>> =>
  page.evaluate((id) => (globalThis as unknown as { tickmeshMeshTimings: (s: number) => Promise<Array<[number, number]>> }).tickmeshMeshTimings(id), streamId);

const peerFed = (m: MeshFrameInfo | undefined): number =>
  m?.streams.filter((s) => s.symbol === 'BTC-USD' && s.source === 'mesh' && s.parents.some((p) => p !== '' && p !== 'relay')).length ?? 0;

const allMesh = (m: MeshFrameInfo | undefined): boolean =>
  !!m && m.streams.length > 0 && m.streams.every((s) => s.source === 'mesh');

beforeAll(async () => {
  relay = await startRelayProcess({ args: ['--sim-rate', '300'] });
  browser = await launchBrowser();
  for (let i = 0; i < PAGES; i++) await openTerminal(i);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
});

describe.sequential('market-data mesh in Chromium', () => {
  it('five pages get BTC-USD from the mesh, at least three of them from peers, and the relay stops sending them direct batches', async () => {
    if (process.env.MESH_DEBUG) for (let k = 0; k < 12; k++) {
      await terminals[0]!.page.waitForTimeout(1000);
      const infos = await Promise.all(terminals.map((t) => meshOf(t.page)));
      console.log(k, JSON.stringify(infos.map((m) => m && { id: m.peerId.slice(17, 21), ready: m.ready, nb: m.neighbours.map((n) => n.slice(17, 21)), err: m.lastError, direct: m.directBatches, mesh: m.framesFromMesh, s: m.streams.map((x) => `${x.streamId}:${x.source}:${x.parents.map((p) => p.slice(17, 21) || p).join('/')}>${x.children.map((p) => p.slice(17, 21)).join('/')}`) })));
    }
    await expect
      .poll(async () => (await Promise.all(terminals.map((t) => meshOf(t.page)))).filter((m) => peerFed(m) > 0 && allMesh(m)).length, { timeout: 30_000, interval: 500 })
      .toBeGreaterThanOrEqual(3);
    await expect.poll(async () => (await Promise.all(terminals.map((t) => meshOf(t.page)))).filter(allMesh).length, { timeout: 15_000 }).toBe(PAGES);
    const panel = terminals[0]!.page.getByTestId('mesh-status');
    expect(await panel.getAttribute('data-state')).toBe('on');

    // Direct batches stop, while every page's book keeps moving with mesh frames. A page gets
    // direct batches only on a fallback: its whole mesh fell silent for relayFallbackMs (on a
    // loaded machine a parent's worker can be starved that long), and then for rejoinAfterMs.
    // A /ws reconnect (a slow consumer closed, a missed heartbeat) starts a new node, fed direct
    // until its joins reach the relay. So each page with direct batches in the window must have
    // been on fallback or reconnected (in the window or just before it: batches in flight when
    // the relay got the rejoin), and most pages stay quiet.
    const windowStart = Date.now();
    const before = await Promise.all(terminals.map((t) => meshOf(t.page)));
    await terminals[0]!.page.waitForTimeout(2_000);
    const after = await Promise.all(terminals.map((t) => meshOf(t.page)));
    let quiet = 0;
    for (let i = 0; i < PAGES; i++) {
      const b = before[i]!;
      const a = after[i]!;
      expect(a.framesFromMesh).toBeGreaterThan(b.framesFromMesh);
      expect(a.framesRejected).toBe(0);
      if (a.directBatches === b.directBatches) quiet++;
      else {
        const onFallback = a.fallbacks > b.fallbacks || b.streams.some((s) => s.source === 'relay') || a.fallbackEndedAt > windowStart - 1_000;
        const reconnected = a.relaySessions > b.relaySessions || a.startedAt > windowStart - 1_000;
        const why = (m: MeshFrameInfo) => ({ ready: m.ready, err: m.lastError, fb: m.fallbacks, fbEnd: m.fallbackEndedAt - windowStart, sessions: m.relaySessions, started: m.startedAt - windowStart, s: m.streams.map((x) => `${x.streamId}:${x.source}:${x.parents.join('/')}`) });
        expect(onFallback || reconnected, `page ${i} got ${a.directBatches - b.directBatches} direct batches with no fallback and no reconnect: ${JSON.stringify({ before: why(b), after: why(a) })}`).toBe(true);
      }
    }
    expect(quiet).toBeGreaterThan(PAGES / 2);
    expect(after.reduce((n, m) => n + m!.bytesFromPeers, 0)).toBeGreaterThan(0);

    // The relay agrees: signed frames go out (as seeds) and few peers get direct batches.
    const metrics = await (await fetch(`${relay.origin}/metrics`)).text();
    const sent = [...metrics.matchAll(/^tickmesh_mesh_frames_sent_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(sent).toBeGreaterThan(0);
    console.log('mesh:', JSON.stringify(after.map((m) => ({ peerFed: peerFed(m), fromPeers: m!.bytesFromPeers, fromRelay: m!.bytesFromRelay, setup: m!.linkSetupMs, latency: m!.streams.map((s) => s.addedLatencyMs) }))));
    await panel.locator('.more-toggle').click();
    await screenshot(terminals[0]!.page, 'terminal-mesh');
  }, 60_000);

  it('measures the latency one peer hop adds (child delivery minus parent delivery of the same seq)', async () => {
    // Steady state only: the window of kept timings (512 frames) must not reach back to link setup.
    await terminals[0]!.page.waitForTimeout(3_000);
    const infos = await Promise.all(terminals.map((t) => meshOf(t.page)));
    const since = Date.now() - 2_000;
    const byId = new Map(infos.map((m, i) => [m?.peerId ?? '', i]));
    const hops: number[] = [];
    for (let c = 0; c < infos.length; c++) {
      for (const s of infos[c]?.streams ?? []) {
        for (let stripe = 0; stripe < s.parents.length; stripe++) {
          const p = byId.get(s.parents[stripe]!);
          if (p === undefined) continue;
          const [mine, theirs] = await Promise.all([timingsOf(terminals[c]!.page, s.streamId), timingsOf(terminals[p]!.page, s.streamId)]);
          const at = new Map(theirs);
          const pair: number[] = [];
          for (const [seq, t] of mine) if (seq % s.parents.length === stripe && at.has(seq) && at.get(seq)! > since) pair.push(t - at.get(seq)!);
          hops.push(...pair);
          if (process.env.MESH_DEBUG) {
            pair.sort((a, b) => a - b);
            console.log(`hop p${p}->p${c} stream ${s.streamId} stripe ${stripe}: n=${pair.length} p50=${pair[pair.length >> 1]?.toFixed(1)} p90=${pair[Math.floor(pair.length * 0.9)]?.toFixed(1)} max=${pair.at(-1)?.toFixed(1)}`);
          }
        }
      }
    }
    expect(hops.length).toBeGreaterThan(0);
    hops.sort((a, b) => a - b);
    const q = (f: number) => +hops[Math.min(hops.length - 1, Math.floor(hops.length * f))]!.toFixed(2);
    // Reported, not held to a threshold (five pages share two cores here).
    console.log('one peer hop adds (ms):', JSON.stringify({ samples: hops.length, p10: q(0.1), p50: q(0.5), p90: q(0.9), p99: q(0.99) }));
  }, 30_000);

  it('every page holds the same book at the same seq', async () => {
    // Pages move independently; sample until a stream is at one seq on two pages, then compare.
    const compared = await compareMeshBooks(terminals.map((t) => t.page), (checksum, held) => expect(checksum).toBe(held));
    expect(compared).toBeGreaterThan(0);
  }, 60_000);

  it('a forged frame from a rogue peer is rejected and the victim stays live on the mesh', async () => {
    const victim = terminals[1]!;
    const v0 = (await meshOf(victim.page))!;
    const streamId = v0.streams[0]!.streamId;
    // Signed with a key that is not the relay's (a future epoch, so the victim must check it).
    const forged = await signFrame(await generateFrameSigner(), streamId, 2 ** 30, 1, new Uint8Array([8, 1, 16, 2]));
    const res = await fetch(`${relay.origin}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiKey: demoApiKey(relay.dataDir) }) });
    const { token } = (await res.json()) as { token: string };

    // The rogue: a bare PeerJS client in a page of the relay's origin (registered with a valid token).
    const context = await browser.newContext();
    const rogue = await context.newPage();
    await rogue.goto(relay.origin);
    await rogue.addScriptTag({ path: join(root, 'node_modules/peerjs/dist/peerjs.min.js') });
    const rogueId = await rogue.evaluate(
      async ({ token, victimId }) => {
        const { Peer } = (globalThis as unknown as { peerjs: { Peer: new (id: string, o: object) => any } }).peerjs;
        const id = await (await fetch('/peerjs/peerjs/id', { headers: { authorization: `Bearer ${token}` } })).text();
        const u = new URL(location.origin);
        const peer = new Peer(id, { host: u.hostname, port: Number(u.port), secure: false, path: '/peerjs', key: 'peerjs', token, config: { iceServers: [] } });
        await new Promise((r) => peer.on('open', r));
        const conn = peer.connect(victimId, { serialization: 'raw', reliable: true });
        await new Promise((r) => conn.on('open', r));
        const ch: RTCDataChannel = conn.peerConnection.createDataChannel('x', { negotiated: true, id: 99, ordered: true, maxRetransmits: 0 });
        await new Promise((r) => (ch.onopen = r));
        (globalThis as unknown as { rogueChannel: RTCDataChannel }).rogueChannel = ch;
        return id.trim();
      },
      { token, victimId: v0.peerId },
    );
    // A negotiated channel opens on our side as soon as the association is up; bytes sent
    // before the victim made its end of channel 99 (and handed it to its worker) fall on a
    // stream nobody reads. So send once the victim's worker lists us as a neighbour (and its
    // node holds the stream: a frame of a stream it does not hold is unsolicited, not forged).
    const victimReady = async () => {
      const m = await meshOf(victim.page);
      return !!m?.ready && m.neighbours.includes(rogueId) && m.streams.some((s) => s.streamId === streamId && s.source === 'mesh');
    };
    await expect.poll(victimReady, { timeout: 10_000 }).toBe(true);
    const sent = await rogue.evaluate((bytes) => {
      (globalThis as unknown as { rogueChannel: RTCDataChannel }).rogueChannel.send(new Uint8Array(bytes));
      return true;
    }, [...forged]);
    expect(sent).toBe(true);
    await expect.poll(async () => (await meshOf(victim.page))?.framesRejected ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const seqBefore = (await meshOf(victim.page))!.streams.find((s) => s.streamId === streamId)!.seq;
    await expect.poll(async () => (await meshOf(victim.page))!.streams.find((s) => s.streamId === streamId)!.seq, { timeout: 5_000 }).toBeGreaterThan(seqBefore);
    expect((await victim.page.getByTestId('connection-status').textContent()) ?? '').toMatch(/LIVE/);
    expect(await victim.page.getByTestId('mesh-status').getAttribute('data-frames-rejected')).not.toBe('0');
    await context.close();
  }, 60_000);

  it('closing a page that feeds others: the rest keep getting data', async () => {
    const infos = await Promise.all(terminals.map((t) => meshOf(t.page)));
    const parents = new Set(infos.flatMap((m) => m?.streams.flatMap((s) => s.parents) ?? []));
    const feeder = terminals.findIndex((_t, i) => parents.has(infos[i]?.peerId ?? '-'));
    expect(feeder).toBeGreaterThanOrEqual(0);
    const [gone] = terminals.splice(feeder, 1);
    await gone!.context.close();

    const seqs = async () => (await Promise.all(terminals.map((t) => meshOf(t.page)))).map((m) => Math.min(...(m?.streams.map((s) => s.seq) ?? [0])));
    const start = await seqs();
    const stale: string[] = [];
    const deadline = Date.now() + 8_000;
    while (Date.now() < deadline) {
      for (const t of terminals) {
        const s = (await t.page.getByTestId('connection-status').textContent()) ?? '';
        if (!/LIVE/.test(s)) stale.push(`${t.name}:${s}`);
      }
      await terminals[0]!.page.waitForTimeout(250);
    }
    const end = await seqs();
    for (let i = 0; i < terminals.length; i++) expect(end[i]!).toBeGreaterThan(start[i]!);
    // A page may be STALE for a moment while the coordinator re-parents it; never for long.
    expect(stale.length).toBeLessThanOrEqual(4);
    const after = await Promise.all(terminals.map((t) => meshOf(t.page)));
    expect(after.filter(allMesh).length).toBeGreaterThanOrEqual(terminals.length - 1);
  }, 60_000);

  it('switched off in the panel, a page goes back to direct delivery and stays live', async () => {
    const { page } = terminals[terminals.length - 1]!;
    await page.getByTestId('mesh-toggle').uncheck();
    await expect.poll(async () => page.getByTestId('mesh-status').getAttribute('data-state'), { timeout: 5_000 }).toBe('off');
    expect(await meshOf(page)).toBeUndefined();
    // The ladder keeps changing: batches arrive again, directly (the mesh is gone).
    const ladderSeq = () => page.evaluate(() => document.querySelector('[data-testid="ladder"]')?.textContent ?? '');
    const before = await ladderSeq();
    await expect.poll(async () => (await page.getByTestId('connection-status').textContent()) ?? '', { timeout: 10_000 }).toMatch(/LIVE/);
    await expect.poll(ladderSeq, { timeout: 10_000 }).not.toBe(before);
  }, 30_000);
});
