import type { ReplayControl, ReplayRequest, RetentionOptions } from './terminal-api';

/**
 * Checks of what the UI sends the worker's recording and replay API (it crosses a thread
 * boundary untyped): each returns why a value is malformed, '' when it is not, and the
 * engine refuses with CODEC_INVALID_FIELD.
 */

export function isRecordingId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0;
}

const SPEEDS: ReadonlySet<unknown> = new Set([1, 10, 100, 'max']);

/** Why a replay request is malformed ('' when it is not). */
export function badReplayRequest(r: ReplayRequest): string {
  if (!isRecordingId(r.recordingId)) return `not a recording id: ${r.recordingId}`;
  if (r.streamIds !== undefined && !(Array.isArray(r.streamIds) && r.streamIds.every((s) => Number.isSafeInteger(s)))) return 'streamIds must be integers';
  if ((r.fromUs !== undefined && !Number.isFinite(r.fromUs)) || (r.toUs !== undefined && !Number.isFinite(r.toUs))) return 'fromUs/toUs must be finite µs';
  if (r.speed !== undefined && !SPEEDS.has(r.speed)) return `speed must be 1, 10, 100 or 'max', not ${String(r.speed)}`;
  return '';
}

/** Why a replay control is malformed ('' when it is not). */
export function badReplayControl(c: ReplayControl): string {
  if (c.seekUs !== undefined && !Number.isFinite(c.seekUs)) return 'seekUs must be finite µs';
  if (c.speed !== undefined && !SPEEDS.has(c.speed)) return `speed must be 1, 10, 100 or 'max', not ${String(c.speed)}`;
  if (c.step !== undefined && !(Number.isSafeInteger(c.step) && c.step >= 1 && c.step <= 100_000)) return 'step must be 1..100000 frames';
  return '';
}

/** Why retention limits are malformed ('' when they are not): each given limit must be a positive number. */
export function badRetention(r: Partial<RetentionOptions>): string {
  const positive = (v: number | undefined) => v === undefined || (Number.isFinite(v) && v > 0);
  return positive(r.maxBytes) && positive(r.maxAgeMs) ? '' : 'retention limits must be positive numbers';
}
