import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The client-order-id prefix of this data directory ("tm" + 6 random base-36 characters +
 * "-"), made on first use and kept in `<dataDir>/venue-client-prefix`: stable across restarts
 * (reconciliation finds our orders by it), different between relays sharing an exchange
 * account (each one's "o-1" stays its own).
 */
export async function clientIdPrefixFor(dataDir: string): Promise<string> {
  const file = join(dataDir, 'venue-client-prefix');
  try {
    const kept = (await readFile(file, 'utf8')).trim();
    if (/^tm[a-z0-9]{6}-$/.test(kept)) return kept;
  } catch {
    // first run
  }
  const digits = [...randomBytes(6)].map((b) => (b % 36).toString(36)).join('');
  const prefix = `tm${digits}-`;
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${prefix}\n`, { mode: 0o600 });
  return prefix;
}
