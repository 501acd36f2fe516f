import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtoClient, until } from './harness';
import { handshake, httpsGet, httpsRequest, makeCerts, portOf } from './tls-kit';

// `npm start` as its own process (the bundle `npm test` builds first, as the crash and drain
// tests use): the CLI, serve()'s SIGHUP wiring and its start-up messages.
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

interface Relayed {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(args: string[]): Relayed {
  const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-tls-serve-'));
  const proc = spawn(process.execPath, [join(root, 'relay/dist/main.js'), '--port', '0', '--data-dir', dataDir, '--log-level', 'info', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d));
  proc.stderr!.on('data', (d: Buffer) => (err += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, stdout: () => out, stderr: () => err, exited };
}

/** The login URL serve() prints once the relay listens. */
async function loginUrl(r: Relayed): Promise<{ url: string; code: string }> {
  await until(() => /Open (https?:\/\/[^/\s]+)\/\?login=(\S+)/.test(r.stdout()) || r.proc.exitCode !== null, 30_000, 'the relay to start');
  const m = /Open (https?:\/\/[^/\s]+)\/\?login=(\S+)/.exec(r.stdout());
  if (!m) throw new Error(`relay did not start: ${r.stdout()} ${r.stderr()}`);
  return { url: m[1]!, code: m[2]! };
}

const logLines = (text: string) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('npm start with TLS', () => {
  it('serves HTTPS and reloads its certificate on SIGHUP, the open session staying', async () => {
    const certs = makeCerts(mkdtempSync(join(tmpdir(), 'tickmesh-tls-')));
    const r = run(['--tls-cert', certs.cert, '--tls-key', certs.key]);
    const { url, code } = await loginUrl(r);
    expect(url).toMatch(/^https:\/\/localhost:\d+$/);
    expect(r.stderr()).not.toContain('WARNING'); // loopback: nothing to warn of
    const grant = await httpsRequest(`${url}/api/auth/login`, certs.ca, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(grant.status).toBe(200);
    const login = (JSON.parse(grant.body) as { token: string }).token;
    const client = await ProtoClient.connect(url, { ca: certs.ca }, login);

    r.proc.kill('SIGHUP');
    await until(() => logLines(r.stdout()).some((l) => l.msg === 'TLS certificate reloaded' && l.trigger === 'signal'), 10_000, 'the reload log');
    expect(r.proc.exitCode).toBeNull();
    expect((await httpsGet(`${url}/healthz`, certs.ca)).status).toBe(200);
    await handshake(portOf(url), { ca: certs.ca, servername: 'localhost' });
    client.send({ type: 'subscribe', requestId: 1, streamIds: [], symbols: ['BTC-USD'] });
    await client.next((m) => m.type === 'bookSnapshot');
    expect(client.closeCode).toBeUndefined();
    client.close();

    r.proc.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  }, 60_000);

  it("the container's health check passes against the certificate it pins (TLS_CERT) and fails against any other", async () => {
    const certs = makeCerts(mkdtempSync(join(tmpdir(), 'tickmesh-tls-')));
    const other = makeCerts(mkdtempSync(join(tmpdir(), 'tickmesh-tls-')));
    const r = run(['--tls-cert', certs.cert, '--tls-key', certs.key]);
    const { url } = await loginUrl(r);
    const check = (certFile: string) =>
      new Promise<number | null>((resolve) =>
        spawn(process.execPath, [join(root, 'scripts/healthcheck.mjs')], { env: { ...process.env, PORT: String(portOf(url)), TLS_CERT: certFile }, stdio: 'ignore' }).on('exit', resolve),
      );
    expect(await check(certs.cert)).toBe(0);
    // Same name, another key and CA: an impostor on the port would present such a certificate.
    expect(await check(other.cert)).toBe(1);
  }, 60_000);

  it('stops at start with a stable code on half a pair or a key of another certificate (exit 2)', async () => {
    const certs = makeCerts(mkdtempSync(join(tmpdir(), 'tickmesh-tls-')));
    const otherKey = join(certs.dir, 'other.key');
    writeFileSync(otherKey, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const half = run(['--tls-cert', certs.cert]);
    const mismatched = run(['--tls-cert', certs.cert, '--tls-key', otherKey]);
    expect(await half.exited).toBe(2);
    expect(half.stderr()).toMatch(/^RELAY_TLS_PAIR_INCOMPLETE: /);
    expect(await mismatched.exited).toBe(2);
    expect(mismatched.stderr()).toMatch(/^RELAY_TLS_INVALID: /m);
  }, 60_000);

  it('warns on plain HTTP beyond loopback (--host 0.0.0.0) of what will not work elsewhere', async () => {
    const r = run(['--host', '0.0.0.0']);
    await loginUrl(r);
    // Printed and logged before the login URL, but stdout and stderr are two pipes read apart.
    await until(() => r.stderr().includes('crypto.subtle'), 10_000, 'the warning');
    await until(() => logLines(r.stdout()).some((l) => l.code === 'RELAY_PLAIN_HTTP_OFF_LOOPBACK'), 10_000, 'the warning log');
  }, 60_000);
});
