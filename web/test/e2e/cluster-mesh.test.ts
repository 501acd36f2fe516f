import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsKit, natsServerBinary } from '../../../relay/test/nats-kit';
import { compareMeshBooks, demoApiKey, launchBrowser, meshOf, openMeshTerminal } from './browser';
import { startRelayProcess, type RelayProcess } from './relay-process';

/**
 * The market-data mesh across a cluster, in Chromium: an md node and two edge processes on one
 * nats-server, sharing an auth directory. Two terminals on each edge join the mesh; the md
 * node's coordinator places them in one set of trees, so pages on different edges feed each
 * other over WebRTC, their PeerJS signalling crossing edges through NATS.
 */
const binary = natsServerBinary();
if (!binary) console.warn('cluster-mesh e2e skipped: nats-server is not installed (scripts/ensure-system-deps.sh installs it)');

const PER_EDGE = 2;
let nats: NatsKit;
let md: RelayProcess;
const edges: RelayProcess[] = [];
let browser: Browser;
let authDir: string;
const terminals: Array<{ context: BrowserContext; page: Page; edge: number }> = [];

async function openTerminal(edge: number): Promise<void> {
  const { context, page } = await openMeshTerminal(browser, edges[edge]!.origin, demoApiKey(authDir), `edge ${edge} page`);
  terminals.push({ context, page, edge });
}

beforeAll(async () => {
  if (!binary) return;
  nats = await NatsKit.start(binary);
  authDir = mkdtempSync(join(tmpdir(), 'tickmesh-e2e-cluster-auth-'));
  const cluster = ['--nats-url', nats.url, '--auth-dir', authDir];
  md = await startRelayProcess({ args: ['--role', 'md', '--sim-rate', '300', ...cluster] });
  for (let i = 0; i < 2; i++) edges.push(await startRelayProcess({ args: ['--role', 'edge', ...cluster] }));
  browser = await launchBrowser();
  for (let i = 0; i < PER_EDGE * 2; i++) await openTerminal(i % 2);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const e of edges) await e.stop();
  await md?.stop();
  await nats?.kill();
});

describe.skipIf(!binary)('market-data mesh across the edges of a cluster, in Chromium', () => {
  it('pages on one edge are fed by pages on the other, every page on the mesh, with the same books at the same seq', async () => {
    /** Streams of pages on edge `to` whose parent (in some stripe) is a page on the other edge. */
    const crossFed = async (): Promise<number> => {
      const infos = await Promise.all(terminals.map((t) => meshOf(t.page)));
      const edgeOf = new Map(infos.map((m, i) => [m?.peerId ?? '', terminals[i]!.edge]));
      let n = 0;
      infos.forEach((m, i) => {
        for (const s of m?.streams ?? []) if (s.source === 'mesh' && s.parents.some((p) => edgeOf.has(p) && edgeOf.get(p) !== terminals[i]!.edge)) n++;
      });
      return n;
    };
    await expect.poll(crossFed, { timeout: 40_000, interval: 500 }).toBeGreaterThan(0);
    const infos = await Promise.all(terminals.map((t) => meshOf(t.page)));
    for (const m of infos) {
      expect(m?.framesRejected).toBe(0);
      expect(m?.streams.length).toBeGreaterThan(0);
    }
    expect(infos.reduce((n, m) => n + (m?.bytesFromPeers ?? 0), 0)).toBeGreaterThan(0);
    // Same book at the same seq, whichever edge and whichever parent fed it.
    const compared = await compareMeshBooks(terminals.map((t) => t.page), (checksum, held) => expect(checksum).toBe(held));
    expect(compared).toBeGreaterThan(0);
    // The md node signs once for the cluster and sends its seeds' frames through their edges.
    const metrics = await (await fetch(`${md.origin}/metrics`)).text();
    expect(Number(/^tickmesh_cluster_mesh_down_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  }, 90_000);
});
