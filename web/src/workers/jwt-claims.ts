/** The time claims of a JWT, seconds since the Unix epoch; absent claims are undefined. */
export interface JwtTimes {
  iat?: number;
  exp?: number;
}

/**
 * Reads `iat` and `exp` from a compact JWT without verifying it. The browser cannot verify
 * (the relay's secret stays on the relay) and needs the times only to schedule a refresh; the
 * relay verifies every use. Returns undefined for anything that is not a JWT with a JSON payload.
 */
export function readJwtTimes(token: string): JwtTimes | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const b64 = parts[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(atob(b64.padEnd(b64.length + ((4 - (b64.length % 4)) % 4), '='))) as unknown;
    if (typeof json !== 'object' || json === null) return undefined;
    const c = json as Record<string, unknown>;
    const out: JwtTimes = {};
    if (typeof c.iat === 'number' && Number.isFinite(c.iat)) out.iat = c.iat;
    if (typeof c.exp === 'number' && Number.isFinite(c.exp)) out.exp = c.exp;
    return out;
  } catch {
    return undefined;
  }
}

/**
 * When to refresh `token`, ms since the Unix epoch: at `share` (default 0.8) of its life from
 * `iat` (or from `nowMs` when it has none) to `exp`. Undefined when it carries no `exp`
 * (nothing to refresh before).
 */
export function refreshAtMs(token: string, nowMs: number, share = 0.8): number | undefined {
  const t = readJwtTimes(token);
  if (t?.exp === undefined) return undefined;
  const expMs = t.exp * 1000;
  const startMs = t.iat !== undefined ? t.iat * 1000 : nowMs;
  return startMs + share * Math.max(0, expMs - startMs);
}
