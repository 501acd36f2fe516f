import { isGrantValid, loadGrant, postAuth, refreshDelayMs, saveGrant, stripLoginParam, type AuthFailure, type Grant } from './auth-grant';

/** 'replay-only': the desk is open without a grant (offline or signed out) to replay recordings. */
export type AuthStatus = 'checking' | 'signed-out' | 'signed-in' | 'replay-only';

/**
 * Who the trader is. The grant lives in sessionStorage (per tab, gone with the tab) so a reload
 * — including an offline reload from the service worker — keeps the session without ever
 * writing the token to disk for good.
 */
class Auth {
  status = $state<AuthStatus>('checking');
  grant = $state.raw<Grant | null>(null);
  /** The last failure to show on the login panel. */
  error = $state.raw<AuthFailure | null>(null);
  busy = $state(false);
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  /** Runs once at start: a `?login=` code first, else a stored grant, else the login panel. */
  async init(): Promise<void> {
    const url = new URL(location.href);
    const code = url.searchParams.get('login');
    const stored = loadGrant(sessionStorage);
    if (code) {
      // The code is single-use: drop it from the address bar (and history) before anything else.
      history.replaceState(history.state, '', stripLoginParam(location.href));
      this.busy = true;
      const res = await postAuth(fetch, '/api/auth/login', { code });
      this.busy = false;
      if (res.ok) return this.accept(res.grant);
      this.error = res.failure;
    }
    if (isGrantValid(stored, Date.now())) return this.accept(stored);
    if (stored && !this.error) this.error = { code: 'AUTH_EXPIRED_TOKEN', message: 'the session expired, sign in again', status: 401 };
    saveGrant(sessionStorage, null);
    this.status = 'signed-out';
  }

  async loginWithApiKey(apiKey: string): Promise<void> {
    const key = apiKey.trim();
    if (!key) {
      this.error = { code: 'CODEC_INVALID_FIELD', message: 'enter an API key', status: 0 };
      return;
    }
    this.busy = true;
    this.error = null;
    const res = await postAuth(fetch, '/api/auth/token', { apiKey: key });
    this.busy = false;
    if (res.ok) this.accept(res.grant);
    else this.error = res.failure;
  }

  /**
   * Opens the desk without signing in: the worker starts without a relay session, so recordings
   * can be replayed (and paper traded) offline; live order entry stays off. Not remembered.
   */
  openReplayOnly(): void {
    if (this.status === 'signed-in') return;
    this.error = null;
    this.status = 'replay-only';
  }

  logout(): void {
    clearTimeout(this.refreshTimer);
    saveGrant(sessionStorage, null);
    this.grant = null;
    this.error = null;
    this.status = 'signed-out';
  }

  private accept(grant: Grant): void {
    this.grant = grant;
    this.error = null;
    this.status = 'signed-in';
    saveGrant(sessionStorage, grant);
    this.scheduleRefresh();
  }

  /**
   * The worker renews its own token for the WebSocket; this keeps the tab's stored copy fresh
   * too, so a reload after 15 minutes still finds a valid grant.
   */
  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    const grant = this.grant;
    if (!grant) return;
    this.refreshTimer = setTimeout(async () => {
      if (this.grant !== grant) return;
      const res = await postAuth(fetch, '/api/auth/refresh', undefined, grant.token);
      if (this.grant !== grant) return;
      if (res.ok) return this.accept(res.grant);
      if (res.failure.status === 401 || res.failure.status === 403) {
        // The login itself is over (max session or revoked): a new credential is needed.
        this.logout();
        this.error = res.failure;
        return;
      }
      // Offline or relay down: try again shortly; the grant stays until it really expires.
      this.refreshTimer = setTimeout(() => this.scheduleRefresh(), 10_000);
    }, refreshDelayMs(grant, Date.now()));
  }
}

export const auth = new Auth();
