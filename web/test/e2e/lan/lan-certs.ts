import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCertScript } from '../../../../relay/test/tls-kit';

/** The LAN test's CA and the relay's certificate, made by the project's own `npm run cert`. */
export interface LanCerts {
  dir: string;
  caCert: string;
  cert: string;
  key: string;
}

/** What an operator does for a LAN demo: `npm run cert -- --host <relay IP>` (a name-constrained CA). */
export function makeCerts(serverIp: string): LanCerts {
  const dir = mkdtempSync(join(tmpdir(), 'tickmesh-lan-ca-'));
  const r = runCertScript(dir, [serverIp]);
  if (r.status !== 0) throw new Error(`npm run cert failed: ${r.stderr}`);
  return { dir, caCert: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

/**
 * A browser profile home whose NSS database trusts `caCert` as a root: Chromium on Linux takes
 * locally trusted roots from ~/.pki/nssdb, the same place a person's "import certificate" puts
 * them. Certificate checks stay fully on: a certificate the CA did not sign still fails.
 */
export function browserHomeTrusting(caCert: string): string {
  const home = mkdtempSync(join(tmpdir(), 'tickmesh-lan-home-'));
  const db = join(home, '.pki/nssdb');
  mkdirSync(db, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${db}`, '-N', '--empty-password'], { stdio: 'ignore' });
  execFileSync('certutil', ['-d', `sql:${db}`, '-A', '-t', 'C,,', '-n', 'tickmesh-lan-test-ca', '-i', caCert], { stdio: 'ignore' });
  return home;
}
