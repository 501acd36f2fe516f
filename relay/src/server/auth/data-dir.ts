import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic, writeFileExclusive } from './atomic-write';
import { join } from 'node:path';

/**
 * The relay's data directory (mode 0700):
 * - `signing-secret`   32 random bytes, the HS256 key of every token (0600);
 * - `accounts.json`    accounts with the SHA-256 of their API keys, never the keys (0600);
 * - `credentials.txt`  the plain API keys of the first-run accounts, written once (0600);
 *                      the only copy, for the operator to move somewhere safe and delete.
 */
export const dataDirFiles = {
  secret: 'signing-secret',
  accounts: 'accounts.json',
  credentials: 'credentials.txt',
} as const;

/** Bytes of the HS256 signing secret (256 bits, RFC 7518 §3.2 asks for at least the hash size). */
export const secretBytes = 32;

/** Creates the data directory with mode 0700 if it does not exist yet. */
export async function ensureDataDir(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask; chmod makes it exact. Only a directory we just
  // created is touched: an operator's existing directory keeps the permissions they chose.
  if (created !== undefined) await chmod(dir, 0o700);
}

/**
 * Reads the signing secret, creating it on first use. Exclusive creation means two relays
 * starting on the same directory at once agree on one secret (the loser reads the
 * winner's), and neither can read a half-written one.
 */
export async function loadOrCreateSecret(dir: string): Promise<Uint8Array> {
  const file = join(dir, dataDirFiles.secret);
  await writeFileExclusive(file, randomBytes(secretBytes), 0o600);
  const secret = await readFile(file);
  if (secret.length < secretBytes) throw new Error(`signing secret ${file} is shorter than ${secretBytes} bytes`);
  return new Uint8Array(secret);
}

/**
 * Writes the first-run API keys for the operator (0600). Called only by the process that
 * just created accounts.json, so a file found here is a leftover whose keys match no
 * account any more, and is replaced.
 */
export async function writeCredentialsFile(dir: string, entries: { account: string; role: string; apiKey: string }[], nowMs: number): Promise<string> {
  const file = join(dir, dataDirFiles.credentials);
  const lines = [
    `# Tickmesh relay credentials, written once on first run (${new Date(nowMs).toISOString()}).`,
    '# accounts.json keeps only SHA-256 hashes of these keys: this file is the only copy.',
    '# Store the keys somewhere safe, then delete this file.',
    '# Exchange a key for a token: POST /api/auth/token {"apiKey":"<key>"}',
    '#',
    '# account  role  apiKey',
    ...entries.map((e) => `${e.account}  ${e.role}  ${e.apiKey}`),
    '',
  ];
  await writeFileAtomic(file, lines.join('\n'), 0o600);
  return file;
}
