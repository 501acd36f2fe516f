import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Relay } from '../src/server/relay-server';
import { ProtoClient, startRelay } from './harness';
import { ScriptedVenue, testInstrument } from './scripted-venue';

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

describe('HTTP endpoints', () => {
  it('answers /healthz, /readyz and /metrics, and 404 with a code elsewhere', async () => {
    relay = await startRelay([new ScriptedVenue('test', [testInstrument('BTC-USD')])]);
    const c = await ProtoClient.connect(relay.url);
    c.send({ type: 'subscribe', requestId: 1, streamIds: [1], symbols: [] });
    await c.next((m) => m.type === 'bookSnapshot');

    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${relay.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', sessions: 1 });

    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toMatch(/tickmesh_ws_connections\{protocol="proto"\} 1/);
    expect(metrics).toMatch(/tickmesh_ws_frames_sent_total\{protocol="proto"\} [1-9]/);
    expect(metrics).toMatch(/tickmesh_ws_bytes_sent_total\{protocol="proto"\} [1-9]/);
    expect(metrics).toMatch(/tickmesh_md_subscriptions 1/);
    expect(metrics).toContain('tickmesh_md_flush_duration_seconds_bucket');

    const missing = await fetch(`${relay.url}/no/such/thing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND' });
    c.close();
  });

  it('refuses a WebSocket upgrade on an unknown path', async () => {
    relay = await startRelay([new ScriptedVenue('test', [testInstrument('BTC-USD')])]);
    const ws = new WebSocket(relay.url.replace('http', 'ws') + '/nope');
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(404);
  });

  it('reports not ready while stopping and says goodbye to clients with 1001', async () => {
    relay = await startRelay([new ScriptedVenue('test', [testInstrument('BTC-USD')])]);
    const c = await ProtoClient.connect(relay.url);
    const stopped = relay.stop();
    expect(await c.closed).toBe(1001);
    await stopped;
    relay = undefined;
  });
});
