import type { Role } from './roles';

/** Who a verified token speaks for. */
export interface Principal {
  /** Account name (the token's `sub`). */
  account: string;
  role: Role;
  /** The token's `jti`: unique per token, for audit logs. */
  tokenId: string;
  /** When the token stops being accepted, ms since the epoch. */
  expiresAtMs: number;
  /** When the holder last presented an API key or login code (`auth_time`), ms since the epoch. */
  authTimeMs: number;
}

/** What a successful API-key exchange or login-code redemption hands out. */
export interface TokenGrant {
  /** Compact HS256 JWT. */
  token: string;
  /** When the token expires, ms since the epoch. */
  expiresAtMs: number;
  account: string;
  role: Role;
}
