import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Relay } from '../src/server/relay-server';
import { ProtoClient, startRelay, tokenOf } from './harness';
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

  it('gives mesh peers the configured STUN/TURN servers, with TURN credentials that expire', async () => {
    relay = await startRelay([new ScriptedVenue('test', [testInstrument('BTC-USD')])], {
      stunUrls: ['stun:stun.example.org:3478'],
      turnUrls: ['turn:turn.example.org:3478?transport=udp'],
      turnSecret: 's3cret',
      turnTtlSec: 600,
    });
    const before = Math.floor(Date.now() / 1000);
    const res = await fetch(`${relay.url}/api/mesh/ice`, { headers: { authorization: `Bearer ${tokenOf(relay.url, 'viewer')}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ttlSec: number; iceServers: Array<{ urls: string[]; username?: string; credential?: string }> };
    expect(body.ttlSec).toBe(600);
    expect(body.iceServers[0]).toEqual({ urls: ['stun:stun.example.org:3478'] });
    const turn = body.iceServers[1]!;
    expect(turn.urls).toEqual(['turn:turn.example.org:3478?transport=udp']);
    const [expiry, account] = turn.username!.split(':');
    expect(account).toBe('viewer');
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 600);
    expect(Number(expiry)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 600);
    expect(turn.credential).toMatch(/^[A-Za-z0-9+/]{27}=$/); // base64 of a 20-byte HMAC-SHA1
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
