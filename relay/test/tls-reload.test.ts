import { Side } from '@tickmesh/shared';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Relay } from '../src/server/relay-server';
import { ProtoClient, startRelay, until } from './harness';
import { ScriptedVenue, testInstrument } from './scripted-venue';
import { fingerprintOf, handshake, httpsGet, makeCerts, portOf, type CertDir } from './tls-kit';

let relay: Relay | undefined;
const clients: ProtoClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await relay?.stop();
  relay = undefined;
});

/** A TLS relay over a scripted venue (flush driven by the test) and one WSS client subscribed to its book. */
async function relayWithSession(certs: CertDir, tls: { tlsCert: string; tlsKey: string } = { tlsCert: certs.cert, tlsKey: certs.key }) {
  const venue = new ScriptedVenue('test', [testInstrument('BTC-USD')]);
  relay = await startRelay([venue], { ...tls, flushMs: 3_600_000 });
  const client = await ProtoClient.connect(relay.url, { ca: certs.ca });
  clients.push(client);
  client.send({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['BTC-USD'] });
  await client.next((m) => m.type === 'bookSnapshot');
  return { relay, venue, client };
}

/** The session opened before a reload still works: it is open and gets the next batch. */
async function stillLive(r: Relay, venue: ScriptedVenue, client: ProtoClient, price: number): Promise<void> {
  const from = client.received.length;
  venue.level('BTC-USD', Side.Buy, price, 3);
  r.md.flush();
  await client.next((m) => m.type === 'bookBatch', 5000, from);
  expect(client.closeCode).toBeUndefined();
}

const newConnectionSees = async (r: Relay, certs: CertDir) => (await handshake(portOf(r.url), { ca: certs.ca, servername: 'relay.test' })).fingerprint256;

/** Writes a file whole, as renewals do (write beside, rename over). */
function replace(path: string, content: string | Buffer): void {
  writeFileSync(`${path}.new`, content);
  renameSync(`${path}.new`, path);
}

describe('TLS certificate reload', () => {
  it('on a call (as SIGHUP does): open sessions stay, new handshakes get the renewed certificate; a bad pair is refused and the good one kept', async () => {
    const certs = makeCerts(mkdtempSync(join(tmpdir(), 'tickmesh-tls-')));
    const { relay: r, venue, client } = await relayWithSession(certs);
    const first = fingerprintOf(certs.cert);
    expect(await newConnectionSees(r, certs)).toBe(first);

    makeCerts(certs.dir); // a renewal from the same CA: new key, new serial
    const renewed = fingerprintOf(certs.cert);
    expect(renewed).not.toBe(first);
    const reloaded = await r.reloadTls();
    expect(reloaded.ok && reloaded.value.fingerprint256).toBe(renewed);
    expect(await newConnectionSees(r, certs)).toBe(renewed);
    expect(r.tlsCertificate?.fingerprint256).toBe(renewed);
    await stillLive(r, venue, client, 101);

    // A key that is not the certificate's, then a file that is not PEM, then no file at all.
    const goodKey = `${certs.key}.good`;
    copyFileSync(certs.key, goodKey);
    replace(certs.key, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const mismatched = await r.reloadTls();
    expect(!mismatched.ok && mismatched.reason.code).toBe('RELAY_TLS_INVALID');
    replace(certs.key, 'garbage');
    const garbage = await r.reloadTls();
    expect(!garbage.ok && garbage.reason.code).toBe('RELAY_TLS_INVALID');
    rmSync(certs.key);
    const missing = await r.reloadTls();
    expect(!missing.ok && missing.reason.code).toBe('RELAY_TLS_UNREADABLE');
    expect(await newConnectionSees(r, certs)).toBe(renewed);
    await stillLive(r, venue, client, 102);
    const metrics = await httpsGet(`${r.url}/metrics`, certs.ca);
    // The file watch sees these changes too and may count its own (applied once more, refused
    // again): at least the start, the renewal and the three refusals here.
    const count = (result: string) => Number(new RegExp(`tickmesh_tls_reloads_total\\{result="${result}"\\} (\\d+)`).exec(metrics.body)?.[1]);
    expect(count('applied')).toBeGreaterThanOrEqual(2);
    expect(count('refused')).toBeGreaterThanOrEqual(3);

    renameSync(goodKey, certs.key);
    const restored = await r.reloadTls();
    expect(restored.ok).toBe(true);
  });

  it('when the files change (no signal): the cert script renewing in place', async () => {
    const certs = makeCerts(mkdtempSync(join(tmpdir(), 'tickmesh-tls-')));
    const { relay: r, venue, client } = await relayWithSession(certs);
    const first = fingerprintOf(certs.cert);
    makeCerts(certs.dir);
    const renewed = fingerprintOf(certs.cert);
    expect(renewed).not.toBe(first);
    await until(() => r.tlsCertificate?.fingerprint256 === renewed, 10_000, 'the file watch to reload');
    expect(await newConnectionSees(r, certs)).toBe(renewed);
    await stillLive(r, venue, client, 101);
  });

  it("when a mounted Kubernetes secret updates (its ..data symlink swapped to a new directory)", async () => {
    const certs = makeCerts(mkdtempSync(join(tmpdir(), 'tickmesh-tls-')));
    // The layout kubelet writes: tls.crt -> ..data/tls.crt, ..data -> ..<version>/.
    const mount = mkdtempSync(join(tmpdir(), 'tickmesh-tls-mount-'));
    const version = (n: number) => {
      const dir = join(mount, `..v${n}`);
      mkdirSync(dir);
      copyFileSync(certs.cert, join(dir, 'tls.crt'));
      copyFileSync(certs.key, join(dir, 'tls.key'));
      symlinkSync(`..v${n}`, join(mount, '..data_tmp'));
      renameSync(join(mount, '..data_tmp'), join(mount, '..data'));
    };
    version(1);
    symlinkSync('..data/tls.crt', join(mount, 'tls.crt'));
    symlinkSync('..data/tls.key', join(mount, 'tls.key'));
    const { relay: r, venue, client } = await relayWithSession(certs, { tlsCert: join(mount, 'tls.crt'), tlsKey: join(mount, 'tls.key') });
    const first = fingerprintOf(certs.cert);
    expect(await newConnectionSees(r, certs)).toBe(first);

    makeCerts(certs.dir);
    const renewed = fingerprintOf(certs.cert);
    version(2);
    await until(() => r.tlsCertificate?.fingerprint256 === renewed, 10_000, 'the file watch to reload');
    expect(await newConnectionSees(r, certs)).toBe(renewed);
    await stillLive(r, venue, client, 101);
  });
});
