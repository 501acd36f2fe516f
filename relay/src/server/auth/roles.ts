/**
 * What an account may do. Ordered by power: every role can do what the one before it can.
 * - `viewer`: market data only (a read-only screen, a wallboard);
 * - `trader`: market data and trading on its own account;
 * - `admin`: everything, including account management.
 */
export type Role = 'viewer' | 'trader' | 'admin';

/** The actions the relay gates on. */
export type AuthAction = 'market-data' | 'trade' | 'admin';

/** Every role, weakest first. */
export const roles: readonly Role[] = ['viewer', 'trader', 'admin'];

// One explicit table rather than rank arithmetic, so adding a role or an action means
// writing down what it may do instead of inheriting it by accident.
const allowed: Record<Role, ReadonlySet<AuthAction>> = {
  viewer: new Set<AuthAction>(['market-data']),
  trader: new Set<AuthAction>(['market-data', 'trade']),
  admin: new Set<AuthAction>(['market-data', 'trade', 'admin']),
};

/** True when `value` names a role (claims and the accounts file are untrusted input). */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && Object.hasOwn(allowed, value);
}

/** May `principal` (anything with a role) do `action`? */
export function can(principal: { role: Role }, action: AuthAction): boolean {
  return allowed[principal.role]?.has(action) ?? false;
}
