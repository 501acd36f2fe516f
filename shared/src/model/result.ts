/**
 * Business failures are values (DESIGN.md house style 2): `{ ok: false, reason }` with a stable
 * code. Exceptions are for broken invariants only.
 */
export interface Reason<C extends string = string> {
  code: C;
  message: string;
}

export type Result<T, C extends string = string> = { ok: true; value: T } | { ok: false; reason: Reason<C> };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<C extends string>(code: C, message: string): { ok: false; reason: Reason<C> } {
  return { ok: false, reason: { code, message } };
}
