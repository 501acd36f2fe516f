import { Algo, OrderType, Side, TimeInForce } from '@tickmesh/shared';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { openEdgeUpstream, startOmsNode, type MdPublisher, type OmsService } from '../../../relay/src/cluster/index';
import { defaultRelayOptions } from '../../../relay/src/server/options';
import type { Relay } from '../../../relay/src/server/relay-server';
import { SimVenue } from '../../../relay/src/venues/sim/index';
import { ProtoClient, startRelay, tokenOf, until } from '../../../relay/test/harness';
import { NatsKit, natsServerBinary } from '../../../relay/test/nats-kit';
import type { WebSocketCtor } from './engine-deps';
import type { TerminalFrame } from './terminal-api';
import { TerminalEngine } from './terminal-engine';

const binary = natsServerBinary();

/**
 * The engine on an edge of a cluster: while the edge is cut from NATS, an order of the account
 * fills at the OMS (placed from another session there) and its reports never reach the edge.
 * Back, the edge says CLUSTER_REPORTS_GAP and the engine reloads orders and fills over REST.
 */
describe.skipIf(!binary)('TerminalEngine on an edge: reports missed while NATS was away come back by REST', () => {
  let nats: NatsKit;
  let oms: Relay;
  let edge: Relay;
  let publisher: MdPublisher | undefined;
  let service: OmsService;
  let engine: TerminalEngine | undefined;
  const log = pino({ level: 'silent' });

  afterAll(async () => {
    await engine?.disconnect();
    await edge?.stop();
    await service?.close();
    await publisher?.close();
    await oms?.stop();
    await nats?.kill();
  });

  it('an order filled during the outage is in the blotter after the notice, even when the OMS answers only later', async () => {
    nats = await NatsKit.start(binary!);
    const authDir = mkdtempSync(join(tmpdir(), 'tickmesh-cluster-auth-'));
    oms = await startRelay([new SimVenue({ id: 'sim-a', seed: 9, symbols: ['BTC-USD'], updatesPerSecond: 200 })], { flushMs: 10, role: 'oms', natsUrls: [nats.url], authDir });
    ({ publisher, service } = await startOmsNode(oms.options, oms, log));
    const opened = await openEdgeUpstream({ ...defaultRelayOptions, role: 'edge', natsUrls: [nats.url] }, log);
    edge = await startRelay([], { role: 'edge', natsUrls: [nats.url], authDir }, opened.upstream);
    await until(() => opened.feed.ready, 10_000, 'the edge ready');

    engine = new TerminalEngine({ WebSocket: WebSocket as unknown as WebSocketCtor, fetch: (url, init) => fetch(url, init) });
    await engine.setView({ symbol: 'BTC-USD', venue: '' });
    await engine.connect({ origin: edge.url, token: tokenOf(edge.url) });
    const seen = new Set<string>();
    const frames = async (until: (f: TerminalFrame) => boolean, what: string) => {
      const start = Date.now();
      for (;;) {
        const f = await engine!.frame();
        for (const o of f.orders) seen.add(o.clientOrderId);
        if (until(f)) return;
        if (Date.now() - start > 15_000) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await frames((f) => f.connection.state === 'live', 'the engine live on the edge');

    await nats.kill();
    const direct = await ProtoClient.connect(oms.url, {}, tokenOf(oms.url));
    direct.send({
      type: 'newOrder', requestId: 1, clientOrderId: 'during-outage', symbol: 'BTC-USD', venue: '', side: Side.Buy, orderType: OrderType.Market,
      timeInForce: TimeInForce.IOC, price: 0, qty: 2, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
    });
    await direct.next((m) => m.type === 'executionReport' && m.clientOrderId === 'during-outage');
    direct.close();
    // Nothing of it reached the engine: the edge had no way to hear it.
    await new Promise((r) => setTimeout(r, 300));
    await frames(() => true, 'a frame');
    expect(seen.has('during-outage')).toBe(false);

    // The OMS node answers nothing for a while after NATS is back (as when its own connection
    // comes back later than the edge's): the engine's reload is refused, and tried again.
    await service.close();
    await publisher?.close();
    await nats.start();
    await new Promise((r) => setTimeout(r, 1500));
    expect(seen.has('during-outage')).toBe(false);
    ({ publisher, service } = await startOmsNode(oms.options, oms, log));
    await frames(() => seen.has('during-outage'), 'the order reloaded after CLUSTER_REPORTS_GAP');
  }, 60_000);
});
