#!/usr/bin/env node
// `npm run cert -- --host NAME,IP... [--out DIR] [--days N]`: a local certificate authority and
// a server certificate for serving the relay over HTTPS on a LAN (relay --tls-cert/--tls-key).
//
// Made with the system's `openssl` command (Debian's package): no new dependency, and the
// most widely audited X.509 code there is; the script only writes its config and checks the
// result. Output in DIR (default ./certs): ca.crt (import this into browsers), ca.key,
// server.crt, server.key. Keys are mode 0600, DIR is 0700.
//
// The CA is name-constrained to the hosts it was made for (plus localhost, 127.0.0.1, ::1):
// a browser that trusts it trusts it for those names only, so a leaked ca.key cannot be used
// to impersonate any other site. Run again with the same DIR to renew the server certificate
// from the same CA (nothing to re-import; a new serial); hosts outside the CA's names need a
// new CA (another --out, or delete DIR/ca.*).
//
// Errors print a stable code first and exit 2: CERT_BAD_ARGS, CERT_BAD_HOST, CERT_NO_OPENSSL,
// CERT_CA_MISMATCH, CERT_OPENSSL_FAILED.
import { spawnSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ALWAYS = ['localhost', '127.0.0.1', '::1'];
const CA_DAYS = 1825;
// 397 days: the longest a server certificate may live for Apple platforms and Chrome's policy.
const DEFAULT_DAYS = 397;

function die(code, message) {
  console.error(`${code}: ${message}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({ options: { host: { type: 'string', multiple: true }, out: { type: 'string' }, days: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }).values;
} catch (err) {
  die('CERT_BAD_ARGS', `${err.message} (npm run cert -- --host NAME,IP... [--out DIR] [--days N])`);
}
if (args.help) {
  console.log('Usage: npm run cert -- --host NAME,IP... [--out DIR (default ./certs)] [--days N (default 397)]');
  process.exit(0);
}
const days = args.days === undefined ? DEFAULT_DAYS : Number(args.days);
if (!Number.isSafeInteger(days) || days < 1 || days > 825) die('CERT_BAD_ARGS', `--days must be 1..825, got ${args.days}`);

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const requested = (args.host ?? []).flatMap((h) => h.split(',')).map((h) => h.trim().replace(/^\[|\]$/g, '')).filter(Boolean);
// An all-numeric name is read by browsers as an IPv4 address, so it must be a valid one.
for (const h of requested) if (!isIP(h) && (!DNS_NAME.test(h) || /^[\d.]+$/.test(h))) die('CERT_BAD_HOST', `${JSON.stringify(h)} is neither a DNS name nor an IP address`);
const hosts = [...new Set([...requested.map((h) => (isIP(h) ? h : h.toLowerCase())), ...ALWAYS])];

if (spawnSync('openssl', ['version'], { encoding: 'utf8' }).status !== 0) {
  die('CERT_NO_OPENSSL', 'the openssl command is not installed (Debian: apt-get install openssl)');
}

const out = resolve(args.out ?? 'certs');
mkdirSync(out, { recursive: true, mode: 0o700 });
const file = (name) => join(out, name);
const work = mkdtempSync(join(out, '.tmp-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function openssl(...argv) {
  const r = spawnSync('openssl', argv, { encoding: 'utf8' });
  if (r.status !== 0) die('CERT_OPENSSL_FAILED', `openssl ${argv[0]}: ${(r.stderr || r.error?.message || '').trim()}`);
  return r.stdout;
}

/** One config file per step, so the system's openssl.cnf defaults play no part. */
function config(name, text) {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

const ipMask = (ip) => (isIP(ip) === 4 ? '255.255.255.255' : 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
const newKey = (path) => {
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path);
  chmodSync(path, 0o600);
};

const reuse = existsSync(file('ca.crt')) && existsSync(file('ca.key'));
if (!reuse) {
  const id = randomBytes(3).toString('hex');
  const permitted = hosts.map((h) => (isIP(h) ? `permitted;IP:${h}/${ipMask(h)}` : `permitted;DNS:${h}`)).join(', ');
  const cnf = config('ca.cnf', [
    '[req]', 'distinguished_name = dn', 'prompt = no', 'x509_extensions = ext',
    '[dn]', `CN = Tickmesh local CA ${id} (${hostname().replace(/[^A-Za-z0-9.-]/g, '')} ${new Date().toISOString().slice(0, 10)})`, 'O = Tickmesh local CA',
    '[ext]', 'basicConstraints = critical, CA:TRUE, pathlen:0', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash',
    `nameConstraints = critical, ${permitted}`, '',
  ].join('\n'));
  newKey(join(work, 'ca.key'));
  openssl('req', '-x509', '-config', cnf, '-key', join(work, 'ca.key'), '-out', join(work, 'ca.crt'), '-days', String(CA_DAYS), '-sha256');
}
const caCrt = reuse ? file('ca.crt') : join(work, 'ca.crt');
const caKey = reuse ? file('ca.key') : join(work, 'ca.key');

// The server certificate: P-256, serverAuth only, every host as a SAN (browsers ignore the CN).
newKey(join(work, 'server.key'));
const csrCnf = config('csr.cnf', ['[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', `CN = ${requested[0] ?? 'localhost'}`, ''].join('\n'));
openssl('req', '-new', '-config', csrCnf, '-key', join(work, 'server.key'), '-out', join(work, 'server.csr'));
const san = hosts.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(', ');
const extCnf = config('server.cnf', [
  '[ext]', 'basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = serverAuth',
  'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid', `subjectAltName = ${san}`, '',
].join('\n'));
const serial = randomBytes(16);
serial[0] = (serial[0] & 0x7f) | 0x10; // positive, and a full 16 bytes (no leading zero byte dropped)
openssl('x509', '-req', '-in', join(work, 'server.csr'), '-CA', caCrt, '-CAkey', caKey, '-set_serial', `0x${serial.toString('hex')}`,
  '-days', String(days), '-sha256', '-extfile', extCnf, '-extensions', 'ext', '-out', join(work, 'server.crt'));

// Checked as a client would before anything is replaced: a renewal for a host outside the
// reused CA's names fails here (permitted subtree violation) and the old files stay.
const verified = spawnSync('openssl', ['verify', '-CAfile', caCrt, join(work, 'server.crt')], { encoding: 'utf8' });
if (verified.status !== 0) {
  if (reuse) die('CERT_CA_MISMATCH', `the CA in ${out} does not cover all of ${hosts.join(', ')} (it is limited to the hosts it was made for): pass another --out, or delete ${file('ca.crt')} and ${file('ca.key')} for a new CA (and import that one)`);
  die('CERT_OPENSSL_FAILED', `openssl verify: ${(verified.stdout + verified.stderr).trim()}`);
}

// Renamed into place (each file whole at every moment); the key first, so a relay watching
// the directory re-reads a matching pair once the certificate lands.
if (!reuse) {
  renameSync(join(work, 'ca.key'), file('ca.key'));
  renameSync(join(work, 'ca.crt'), file('ca.crt'));
}
renameSync(join(work, 'server.key'), file('server.key'));
renameSync(join(work, 'server.crt'), file('server.crt'));

const leaf = new X509Certificate(openssl('x509', '-in', file('server.crt')));
const ca = new X509Certificate(openssl('x509', '-in', file('ca.crt')));
const rel = (name) => join(args.out ?? 'certs', name);
console.log(`
${reuse ? 'Renewed the server certificate from the existing CA' : 'Made a new local CA and a server certificate'} in ${out}
  server.crt  for ${hosts.join(', ')}; valid to ${leaf.validTo}; serial ${leaf.serialNumber}
  ca.crt      ${ca.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3)}; SHA-256 ${ca.fingerprint256}
  ca.key      keep it private: whoever holds it can issue certificates for the names above

Run the relay with it:
  npm start -- --host 0.0.0.0 --tls-cert ${rel('server.crt')} --tls-key ${rel('server.key')}
  then open https://${requested[0] ?? 'localhost'}:8080 on the other machines.

Trust the CA (ca.crt, not server.crt) on every machine whose browser opens the relay${reuse ? ' (already done if you imported this CA before)' : ''}:
  Chrome/Chromium: chrome://certificate-manager > Local certificates > Custom > Trusted
    certificates > Import ${rel('ca.crt')} (older versions: chrome://settings/certificates >
    Authorities > Import, tick "Trust this certificate for identifying websites").
    Linux, from a shell (Debian: apt-get install libnss3-tools):
      certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n "Tickmesh local CA" -i ${rel('ca.crt')}
  Firefox: Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import.
  macOS: sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${rel('ca.crt')}
  Windows: certutil -addstore -f ROOT ${rel('ca.crt')}
  Node clients: NODE_EXTRA_CA_CERTS=${rel('ca.crt')}
  Check the SHA-256 above against the file you import when you copy it to another machine.
  Never turn certificate checks off instead (--ignore-certificate-errors and the like): anyone
  on the LAN could then stand in for the relay.
`);
