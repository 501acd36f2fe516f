/**
 * Knobs of the authentication layer, each with a safe default (DESIGN.md house style 5).
 */
export interface AuthOptions {
  /** Lifetime of an access token. Default 900 s (15 min): short, because tokens are not revocable. */
  tokenTtlSec: number;
  /**
   * How long `refresh` may extend a login: past this age since the API key or login code was
   * presented, the holder must present one again. Default 43 200 s (12 h).
   */
  maxSessionSec: number;
  /** Lifetime of a one-time login code. Default 600 s (10 min). */
  loginCodeTtlSec: number;
  /** Failed token/login attempts allowed per remote address per minute before 429. Default 20. */
  maxFailedAttemptsPerMinute: number;
  /** Largest accepted body on the auth routes. Default 4096 bytes (4 KiB). */
  maxBodyBytes: number;
  /** Clock in ms since the epoch. Default `Date.now`; tests shift it to mint expired tokens. */
  now: () => number;
}

export const defaultAuthOptions: AuthOptions = {
  tokenTtlSec: 900,
  maxSessionSec: 43_200,
  loginCodeTtlSec: 600,
  maxFailedAttemptsPerMinute: 20,
  maxBodyBytes: 4096,
  now: Date.now,
};
