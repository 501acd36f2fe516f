/*
 * How the worker says no: one builder for the `PlaceResult` refusals that order entry,
 * recording and replay return (a business failure is a value with a stable code, DESIGN.md 2).
 */
import type { PlaceResult } from './terminal-api';

/** A refusal with its stable code and the text a person reads. */
export function refused(code: string, message: string): PlaceResult {
  return { ok: false, code, message };
}
