import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The LAN test's own CA and the relay's certificate (openssl, as `npm run cert` uses). */
export interface LanCerts {
  dir: string;
  caCert: string;
  cert: string;
  key: string;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });

export function makeCerts(serverIp: string): LanCerts {
  const dir = mkdtempSync(join(tmpdir(), 'tickmesh-lan-ca-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Tickmesh LAN test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=tickmesh-relay'], dir);
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=IP:${serverIp}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n`);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext'], dir);
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
