import { Side } from '@tickmesh/shared';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Relay } from '../src/server/relay-server';
import { TlsStartError } from '../src/server/tls/index';
import { ProtoClient, startRelay, tokenOf } from './harness';
import { ScriptedVenue, testInstrument } from './scripted-venue';
import { fingerprintOf, handshake, httpsGet, makeCerts, portOf, type CertDir } from './tls-kit';

// Every client here trusts the test's own CA through `ca:` (as a browser that imported it
// would); none turns certificate checks off.
let certs: CertDir;
let relay: Relay | undefined;
const venue = () => new ScriptedVenue('test', [testInstrument('BTC-USD')]);

beforeAll(() => {
  certs = makeCerts(mkdtempSync(join(tmpdir(), 'tickmesh-tls-')));
});
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

describe('the relay over TLS (--tls-cert, --tls-key)', () => {
  it('serves HTTPS on its one port with HSTS on every response: health, metrics, /api, the 404', async () => {
    relay = await startRelay([venue()], { tlsCert: certs.cert, tlsKey: certs.key });
    expect(relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await httpsGet(`${relay.url}/healthz`, certs.ca);
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toBe('max-age=31536000');
    const me = await httpsGet(`${relay.url}/api/auth/me`, certs.ca, { authorization: `Bearer ${tokenOf(relay.url)}` });
    expect(me.status).toBe(200);
    expect(me.headers['strict-transport-security']).toBe('max-age=31536000');
    const missing = await httpsGet(`${relay.url}/no/such/thing`, certs.ca);
    expect(missing.status).toBe(404);
    expect(missing.headers['strict-transport-security']).toBe('max-age=31536000');
    const metrics = await httpsGet(`${relay.url}/metrics`, certs.ca);
    expect(metrics.body).toMatch(/tickmesh_tls_reloads_total\{result="applied"\} 1/);
    const notAfter = /tickmesh_tls_certificate_expiry_timestamp_seconds (\d+)/.exec(metrics.body)?.[1];
    expect(Number(notAfter) * 1000).toBe(relay.tlsCertificate!.validTo.getTime());
    // The certificate is the one given, and only the CA's names verify.
    expect((await handshake(portOf(relay.url), { ca: certs.ca, servername: 'relay.test' })).fingerprint256).toBe(fingerprintOf(certs.cert));
    await expect(handshake(portOf(relay.url), { ca: certs.ca, servername: 'elsewhere.test' })).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    await expect(handshake(portOf(relay.url), { servername: 'relay.test' })).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('serves WSS on /ws (token, subscribe, snapshot), /ws/json and /peerjs on the same port', async () => {
    const v = venue();
    relay = await startRelay([v], { tlsCert: certs.cert, tlsKey: certs.key, flushMs: 3_600_000 });
    v.level('BTC-USD', Side.Buy, 100, 5);
    relay.md.flush();
    const c = await ProtoClient.connect(relay.url, { ca: certs.ca });
    expect(c.ws.url).toMatch(/^wss:\/\//);
    c.send({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['BTC-USD'] });
    expect(await c.next((m) => m.type === 'subscribed')).toMatchObject({ requestId: 1 });
    await c.next((m) => m.type === 'bookSnapshot');
    c.close();

    const json = new WebSocket(`${relay.url.replace('https', 'wss')}/ws/json?access_token=${encodeURIComponent(tokenOf(relay.url))}`, { ca: certs.ca });
    const subscribed = new Promise<unknown>((resolve, reject) => {
      json.on('open', () => json.send(JSON.stringify({ type: 'subscribe', channel: 'marketData', symbol: 'BTC-USD' })));
      json.on('message', (d) => {
        const m = JSON.parse(d.toString()) as { type: string };
        if (m.type === 'subscribed') resolve(m);
      });
      json.once('error', reject);
    });
    expect(await subscribed).toMatchObject({ type: 'subscribed', channel: 'marketData' });
    json.close();

    const id = await httpsGet(`${relay.url}/peerjs/peerjs/id`, certs.ca, { authorization: `Bearer ${tokenOf(relay.url)}` });
    expect(id.status).toBe(200);
    const q = new URLSearchParams({ key: 'peerjs', id: id.body, token: tokenOf(relay.url), version: '1.5.5' });
    const peer = new WebSocket(`${relay.url.replace('https', 'wss')}/peerjs/peerjs?${q}`, { ca: certs.ca });
    const open = await new Promise<string>((resolve, reject) => {
      peer.on('message', (d) => resolve((JSON.parse(d.toString()) as { type: string }).type));
      peer.once('error', reject);
    });
    expect(open).toBe('OPEN');
    peer.close();
  });

  it('refuses TLS 1.0 and 1.1 itself (protocol_version alert), and speaks 1.2 and 1.3', async () => {
    relay = await startRelay([venue()], { tlsCert: certs.cert, tlsKey: certs.key });
    const port = portOf(relay.url);
    // SECLEVEL=0 lets this client's OpenSSL offer TLS 1.0/1.1 at all, so the refusal is the
    // relay's. The control server proves the client really offers them.
    const old = (v: 'TLSv1' | 'TLSv1.1') => ({ ca: certs.ca, servername: 'relay.test', minVersion: v, maxVersion: v, ciphers: 'DEFAULT@SECLEVEL=0' });
    const control = createTlsServer({ cert: readFileSync(certs.cert), key: readFileSync(certs.key), minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, (s) => s.end());
    await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
    try {
      for (const v of ['TLSv1', 'TLSv1.1'] as const) {
        expect((await handshake((control.address() as { port: number }).port, old(v))).protocol).toBe(v);
        await expect(handshake(port, old(v)), v).rejects.toMatchObject({ code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
      }
    } finally {
      control.close();
    }
    for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
      expect((await handshake(port, { ca: certs.ca, servername: 'relay.test', minVersion: v, maxVersion: v })).protocol).toBe(v);
    }
  });

  it('does not start on a bad pair: RELAY_TLS_INVALID (key of another certificate), RELAY_TLS_UNREADABLE (no file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickmesh-tls-bad-'));
    const otherKey = join(dir, 'other.key');
    writeFileSync(otherKey, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'not a certificate');
    const cases: Array<[string, string, string]> = [
      [certs.cert, otherKey, 'RELAY_TLS_INVALID'],
      [notPem, certs.key, 'RELAY_TLS_INVALID'],
      [certs.cert, notPem, 'RELAY_TLS_INVALID'],
      [join(dir, 'missing.crt'), certs.key, 'RELAY_TLS_UNREADABLE'],
    ];
    for (const [tlsCert, tlsKey, code] of cases) {
      const err = await startRelay([venue()], { tlsCert, tlsKey }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, `${tlsCert} ${tlsKey}`).toBeInstanceOf(TlsStartError);
      expect((err as TlsStartError).code).toBe(code);
    }
  });
});
