import { ErrorCode } from '@tickmesh/shared';
import { transportError } from '../transport-error';

/**
 * HTTP status of a failure code: AUTH_FORBIDDEN 403, AUTH_TOO_MANY_ATTEMPTS 429, every
 * other AUTH_* (required, invalid or expired token, invalid API key or login code,
 * unknown account) 401; anything else as the relay's transport-error table says.
 */
export function httpStatusOf(code: string): number {
  if (code === ErrorCode.AUTH_FORBIDDEN) return 403;
  if (code === ErrorCode.AUTH_TOO_MANY_ATTEMPTS) return 429;
  if (code.startsWith('AUTH_')) return 401;
  return transportError(code, '').httpStatus;
}
