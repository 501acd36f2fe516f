/**
 * The relay's auth grant and the HTTP calls that obtain it, free of Svelte and of globals
 * (fetch and storage are passed in) so they are unit-tested in node.
 */

export interface Grant {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  account: string;
  role: string;
}

export interface AuthFailure {
  /** Stable code: the relay's (AUTH_INVALID_LOGIN_CODE, AUTH_INVALID_API_KEY, AUTH_TOO_MANY_ATTEMPTS …) or NETWORK_ERROR when the relay is unreachable. */
  code: string;
  message: string;
  /** HTTP status; 0 when no response arrived. */
  status: number;
}

export type AuthResult = { ok: true; grant: Grant } | { ok: false; failure: AuthFailure };

export const GRANT_STORAGE_KEY = 'tickmesh.grant';

export function isGrant(v: unknown): v is Grant {
  if (typeof v !== 'object' || v === null) return false;
  const g = v as Record<string, unknown>;
  return typeof g.token === 'string' && g.token !== '' && typeof g.expiresAt === 'number' && typeof g.account === 'string' && typeof g.role === 'string';
}

/** A grant is usable while it has at least `marginMs` (default 5 s) left. */
export function isGrantValid(grant: Grant | null, now: number, marginMs = 5_000): grant is Grant {
  return grant !== null && grant.expiresAt - marginMs > now;
}

export function loadGrant(storage: Pick<Storage, 'getItem'>): Grant | null {
  try {
    const raw = storage.getItem(GRANT_STORAGE_KEY);
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    return isGrant(parsed) ? { token: parsed.token, expiresAt: parsed.expiresAt, account: parsed.account, role: parsed.role } : null;
  } catch {
    return null;
  }
}

export function saveGrant(storage: Pick<Storage, 'setItem' | 'removeItem'>, grant: Grant | null): void {
  try {
    if (grant) storage.setItem(GRANT_STORAGE_KEY, JSON.stringify(grant));
    else storage.removeItem(GRANT_STORAGE_KEY);
  } catch {
    // Storage may be unavailable (private mode quotas): the session then lasts until reload.
  }
}

/** When to renew a grant: a minute before expiry; grants with under two minutes left at half their remaining life. */
export function refreshDelayMs(grant: Grant, now: number): number {
  const left = grant.expiresAt - now;
  return Math.max(1_000, left > 120_000 ? left - 60_000 : left / 2);
}

/** Removes `login` from a URL's query, keeping everything else (what replaceState is given). */
export function stripLoginParam(href: string): string {
  const url = new URL(href);
  url.searchParams.delete('login');
  return url.pathname + (url.search === '?' ? '' : url.search) + url.hash;
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Pick<Response, 'ok' | 'status' | 'json'>>;

/** POSTs to one of the relay's auth endpoints and maps every outcome to a grant or a coded failure. */
export async function postAuth(fetchFn: FetchLike, path: string, body: unknown, token?: string): Promise<AuthResult> {
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await fetchFn(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (e) {
    return { ok: false, failure: { code: 'NETWORK_ERROR', message: `relay unreachable (${e instanceof Error ? e.message : String(e)})`, status: 0 } };
  }
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    // A proxy's HTML error page or an empty body: fall back to the status below.
  }
  if (res.ok && isGrant(json)) return { ok: true, grant: { token: json.token, expiresAt: json.expiresAt, account: json.account, role: json.role } };
  const j = (json ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof j.code === 'string' ? j.code : res.ok ? 'AUTH_BAD_RESPONSE' : `HTTP_${res.status}`;
  const message = typeof j.message === 'string' ? j.message : res.ok ? 'unexpected response from the relay' : `HTTP ${res.status}`;
  return { ok: false, failure: { code, message, status: res.status } };
}
