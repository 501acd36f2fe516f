import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect, type ConnectionOptions } from 'node:tls';
import { fileURLToPath } from 'node:url';

const certScript = fileURLToPath(new URL('../../scripts/cert.mjs', import.meta.url));

/** What `npm run cert` leaves in its directory. */
export interface CertDir {
  dir: string;
  ca: Buffer;
  cert: string;
  key: string;
}

/** Runs the project's own cert script (real openssl) into `dir`: a new CA, or a renewal from the one there. */
export function runCertScript(dir: string, hosts: string[], extra: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [certScript, '--host', hosts.join(','), '--out', dir, ...extra], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function makeCerts(dir: string, hosts: string[] = ['relay.test', '10.11.12.13']): CertDir {
  const r = runCertScript(dir, hosts);
  if (r.status !== 0) throw new Error(`cert script failed: ${r.stderr}`);
  return { dir, ca: readFileSync(`${dir}/ca.crt`), cert: `${dir}/server.crt`, key: `${dir}/server.key` };
}

export function fingerprintOf(certFile: string): string {
  return new X509Certificate(readFileSync(certFile)).fingerprint256;
}

/** The base URL's port (the relay listens on an ephemeral one). */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/**
 * A TLS handshake with the relay: resolves with the certificate and protocol it served, or
 * rejects with the handshake error (its `code` says who refused).
 */
export function handshake(port: number, options: ConnectionOptions): Promise<{ fingerprint256: string; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...options }, () => {
      const result = { fingerprint256: socket.getPeerCertificate().fingerprint256, protocol: socket.getProtocol() };
      socket.end();
      resolve(result);
    });
    socket.once('error', reject);
  });
}

type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** One HTTPS GET trusting `ca` only (certificate checks stay on). */
export function httpsGet(url: string, ca: Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return httpsRequest(url, ca, { headers });
}

/** One HTTPS request trusting `ca` only. */
export function httpsRequest(url: string, ca: Buffer, o: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, method: o.method ?? 'GET', headers: o.headers ?? {}, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once('error', reject);
    req.end(o.body);
  });
}
