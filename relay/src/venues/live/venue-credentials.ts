import { ErrorCode } from '@tickmesh/shared';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Redacted } from './redacted';

/**
 * An exchange API key pair. The secret is reachable only through `reveal()`, and the object
 * prints as "[redacted]" in logs, JSON, errors and util.inspect, so it cannot leak by accident
 * into pino, the journal, metrics or an error text.
 */
export class VenueCredentials extends Redacted {
  readonly #key: string;
  readonly #secret: string;

  constructor(key: string, secret: string) {
    super();
    this.#key = key;
    this.#secret = secret;
  }

  reveal(): { key: string; secret: string } {
    return { key: this.#key, secret: this.#secret };
  }
}

export type CredentialsResult = { ok: true; value: VenueCredentials | undefined } | { ok: false; code: string; message: string };

/**
 * The keys of a venue: `<VENUE>_API_KEY` / `<VENUE>_API_SECRET` from the environment, else the
 * key file `<dataDir>/<venue>-keys.json` ({"key": "...", "secret": "..."}), which must be mode
 * 0600 (readable by its owner only). None configured -> ok with undefined (market data only).
 */
export async function loadVenueCredentials(venue: string, env: Record<string, string | undefined>, dataDir: string): Promise<CredentialsResult> {
  const prefix = venue.toUpperCase();
  const key = env[`${prefix}_API_KEY`];
  const secret = env[`${prefix}_API_SECRET`];
  if (key && secret) return { ok: true, value: new VenueCredentials(key, secret.replace(/\\n/g, '\n')) };
  const file = join(dataDir, `${venue}-keys.json`);
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch {
    return { ok: true, value: undefined };
  }
  if ((mode & 0o077) !== 0) {
    return { ok: false, code: ErrorCode.VENUE_KEY_FILE_MODE, message: `${file} is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it` };
  }
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { key?: unknown; secret?: unknown };
    if (typeof parsed.key !== 'string' || typeof parsed.secret !== 'string' || !parsed.key || !parsed.secret) throw new Error('needs "key" and "secret" strings');
    return { ok: true, value: new VenueCredentials(parsed.key, parsed.secret) };
  } catch (err) {
    // The message names the file and the problem, never its contents.
    return { ok: false, code: ErrorCode.VENUE_KEY_FILE_INVALID, message: `${file}: ${err instanceof SyntaxError ? 'not JSON' : (err as Error).message}` };
  }
}
