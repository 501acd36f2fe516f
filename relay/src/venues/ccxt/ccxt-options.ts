import { readFile } from 'node:fs/promises';
import { ErrorCode } from '@tickmesh/shared';
import { VenueStartError } from '../live/live-venue-config';

/** Stable code of a `--ccxt-config` file that cannot be used (not JSON, not an object per exchange, or carrying keys). */
export const VENUE_CCXT_CONFIG_INVALID = ErrorCode.VENUE_CCXT_CONFIG_INVALID;

/** `ccxt:okx` -> "okx"; undefined for every other venue id. */
export function ccxtExchangeOf(venueId: string): string | undefined {
  const m = /^ccxt:([a-z0-9]{2,30})$/.exec(venueId);
  return m ? m[1] : undefined;
}

/**
 * The symbols of one ccxt venue from `--ccxt-symbols`: entries `okx:BTC-USDT` for that
 * exchange, plain `BTC-USDT` for every ccxt venue, in the order given, without repeats.
 */
export function ccxtSymbolsFor(exchange: string, entries: readonly string[]): string[] {
  const out: string[] = [];
  for (const e of entries) {
    const colon = e.indexOf(':');
    const symbol = colon < 0 ? e : e.slice(colon + 1);
    if ((colon < 0 || e.slice(0, colon) === exchange) && !out.includes(symbol)) out.push(symbol);
  }
  return out;
}

/** `--ccxt-config`: `{"<exchange>": {ccxt constructor overrides}}` read once; '' = no file, no overrides. */
export async function readCcxtConfig(path: string): Promise<Record<string, Record<string, unknown>>> {
  if (path === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new VenueStartError(VENUE_CCXT_CONFIG_INVALID, `${path}: ${err instanceof SyntaxError ? 'not JSON' : (err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  if (!isObject(parsed) || !Object.values(parsed).every(isObject)) throw new VenueStartError(VENUE_CCXT_CONFIG_INVALID, `${path}: must be {"<exchange>": {…overrides}}`);
  return parsed as Record<string, Record<string, unknown>>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
