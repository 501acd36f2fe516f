import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCertScript } from './tls-kit';

const tmp = () => mkdtempSync(join(tmpdir(), 'tickmesh-cert-'));
const read = (dir: string, name: string) => new X509Certificate(readFileSync(join(dir, name)));

describe('npm run cert (scripts/cert.mjs, over the openssl command)', () => {
  it('makes a CA and a server certificate for every host given, plus localhost, 127.0.0.1 and ::1', () => {
    const dir = tmp();
    const r = runCertScript(dir, ['relay.lan', '192.168.1.20', 'fd00::20']);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['ca.crt', 'ca.key', 'server.crt', 'server.key']);
    const ca = read(dir, 'ca.crt');
    const leaf = read(dir, 'server.crt');
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca) && leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkPrivateKey(createPrivateKey(readFileSync(join(dir, 'server.key'))))).toBe(true);
    for (const host of ['relay.lan', 'localhost']) expect(leaf.checkHost(host), host).toBe(host);
    for (const ip of ['192.168.1.20', 'fd00::20', '127.0.0.1', '::1']) expect(leaf.checkIP(ip), ip).toBe(ip);
    expect(leaf.checkHost('other.lan')).toBeUndefined();
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth only
    // Private keys for the owner only; the directory too.
    for (const key of ['ca.key', 'server.key']) expect(statSync(join(dir, key)).mode & 0o077, key).toBe(0);
    expect(statSync(dir).mode & 0o077).toBe(0);
    // What to do next: the CA's fingerprint to check, and the flags to run the relay with.
    expect(r.stdout).toContain(ca.fingerprint256);
    expect(r.stdout).toContain('--tls-cert');
  });

  it('renews from the same CA in the same directory (nothing to re-import), with a new serial and key', () => {
    const dir = tmp();
    expect(runCertScript(dir, ['relay.lan']).status).toBe(0);
    const [ca1, leaf1] = [read(dir, 'ca.crt'), read(dir, 'server.crt')];
    expect(runCertScript(dir, ['relay.lan']).status).toBe(0);
    const [ca2, leaf2] = [read(dir, 'ca.crt'), read(dir, 'server.crt')];
    expect(ca2.fingerprint256).toBe(ca1.fingerprint256);
    expect(leaf2.serialNumber).not.toBe(leaf1.serialNumber);
    expect(leaf2.publicKey.export({ type: 'spki', format: 'der' }).equals(leaf1.publicKey.export({ type: 'spki', format: 'der' }))).toBe(false);
    expect(leaf2.verify(ca1.publicKey)).toBe(true);
  });

  it('keeps a CA to the hosts it was made for: a renewal for another host is refused (CERT_CA_MISMATCH) and changes nothing', () => {
    const dir = tmp();
    expect(runCertScript(dir, ['relay.lan']).status).toBe(0);
    const before = read(dir, 'server.crt').fingerprint256;
    const r = runCertScript(dir, ['bank.example']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^CERT_CA_MISMATCH: /);
    expect(read(dir, 'server.crt').fingerprint256).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(['ca.crt', 'ca.key', 'server.crt', 'server.key']); // no temp files left
  });

  it.each([
    [['bad_host!'], 'CERT_BAD_HOST'],
    [['relay..lan'], 'CERT_BAD_HOST'],
    [['300.1.1.1'], 'CERT_BAD_HOST'],
    [['relay.lan'], 'CERT_BAD_ARGS', ['--days', '9999']],
    [['relay.lan'], 'CERT_BAD_ARGS', ['--no-such-flag']],
  ])('refuses --host %j with %s (exit 2)', (hosts, code, extra: string[] = []) => {
    const r = runCertScript(tmp(), hosts, extra);
    expect(r.status).toBe(2);
    expect(r.stderr.split(':')[0]).toBe(code);
  });
});
