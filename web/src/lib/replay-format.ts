/**
 * Pure helpers for the replay bar and the storage meter: sizes, recorded times (µs since the
 * Unix epoch, the recorder's receive clock) and range arithmetic. No DOM, no runes.
 */

const KIB = 1024;
const MIB = KIB * 1024;
const GIB = MIB * 1024;

/**
 * Bytes -> "512 B", "1.5 KiB", "12.3 MiB", "1.20 GiB", "12.5 GiB", "10 GiB" ("–" for a missing or
 * negative count). GiB keep about three significant digits, and a whole GiB count (a quota) drops
 * its zeros: "10 GiB", not "10.00 GiB".
 */
export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n) || n < 0) return '–';
  if (n < KIB) return `${Math.round(n)} B`;
  if (n < MIB) return `${(n / KIB).toFixed(n < 10 * KIB ? 1 : 0)} KiB`;
  if (n < GIB) return `${(n / MIB).toFixed(n < 100 * MIB ? 1 : 0)} MiB`;
  const gib = (n / GIB).toFixed(n < 10 * GIB ? 2 : n < 100 * GIB ? 1 : 0);
  return `${gib.replace(/\.0+$/, '')} GiB`;
}

/** What the storage meter needs of an instrument to name a recorded stream. */
export interface StreamName {
  streamId: number;
  symbol: string;
  venue: string;
}

/**
 * Recorded stream ids -> one entry per symbol with its venues, in first-seen order of the ids:
 * [7, 8, 9] -> [{ symbol: 'BTC-USD', venues: ['sim-a', 'sim-b'] }, { symbol: 'ETH-USD', venues: ['sim-a'] }].
 * An id the instrument list does not know (yet) shows as "#id" with no venue.
 */
export function recordedSymbols(streamIds: readonly number[], instruments: readonly StreamName[]): { symbol: string; venues: string[] }[] {
  const out: { symbol: string; venues: string[] }[] = [];
  for (const id of streamIds) {
    const inst = instruments.find((i) => i.streamId === id);
    const symbol = inst ? inst.symbol : `#${id}`;
    let entry = out.find((e) => e.symbol === symbol);
    if (!entry) {
      entry = { symbol, venues: [] };
      out.push(entry);
    }
    if (inst && !entry.venues.includes(inst.venue)) entry.venues.push(inst.venue);
  }
  return out;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * Recorded time -> local wall-clock text: "14:03:07" (or "14:03:07.250" with `ms`), prefixed
 * with the date "2026-11-25 " when `date` is set. "–" for 0 / not a time (an empty recording).
 */
export function formatRecordedTime(us: number, opts: { date?: boolean; ms?: boolean } = {}): string {
  if (!Number.isFinite(us) || us <= 0) return '–';
  const d = new Date(Math.floor(us / 1000));
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${opts.ms ? `.${pad(d.getMilliseconds(), 3)}` : ''}`;
  return opts.date ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}` : time;
}

/** A span of µs -> "850 ms", "12.3 s", "4m 05s", "2h 07m", "3d 04h". */
export function formatDurationUs(us: number): string {
  if (!Number.isFinite(us) || us <= 0) return '0 s';
  const ms = us / 1000;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.floor(s);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (d > 0) return `${d}d ${pad(h)}h`;
  if (h > 0) return `${h}h ${pad(m)}m`;
  return `${m}m ${pad(sec)}s`;
}

/** Whole numbers with thousands separators: 1234567 -> "1,234,567". */
export function formatInt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

/**
 * A from/to window kept inside the recording [startUs, endUs] and in order. Values are rounded
 * to whole µs; a window that would invert collapses onto the bound that moved (`moved`), so
 * dragging "from" past "to" pushes "to" along instead of swapping them.
 */
export function clampRange(
  fromUs: number,
  toUs: number,
  startUs: number,
  endUs: number,
  moved: 'from' | 'to' = 'from',
): { fromUs: number; toUs: number } {
  const lo = Math.min(startUs, endUs);
  const hi = Math.max(startUs, endUs);
  const clamp = (v: number) => (Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : lo);
  let from = clamp(fromUs);
  let to = Number.isFinite(toUs) ? clamp(toUs) : hi;
  if (from > to) {
    if (moved === 'from') to = from;
    else from = to;
  }
  return { fromUs: from, toUs: to };
}

/** Where `positionUs` is within [fromUs, toUs], 0..1 (0 for an empty window). */
export function rangeFraction(positionUs: number, fromUs: number, toUs: number): number {
  if (!(toUs > fromUs) || !Number.isFinite(positionUs)) return 0;
  return Math.min(1, Math.max(0, (positionUs - fromUs) / (toUs - fromUs)));
}

/** Fraction of the quota used, 0..1, or undefined when the browser did not say. */
export function quotaFraction(usageBytes: number | undefined, quotaBytes: number | undefined): number | undefined {
  if (usageBytes === undefined || quotaBytes === undefined || !(quotaBytes > 0)) return undefined;
  return Math.min(1, Math.max(0, usageBytes / quotaBytes));
}

/**
 * A download name for a recording: its display name made file-safe, with the `.tmrec`
 * extension ("BTC-USD 14:03" -> "BTC-USD_14-03.tmrec"); "recording-<id>.tmrec" when nothing is left.
 */
export function recordingFileName(name: string, id: number): string {
  const base = name
    .replace(/\.tmrec$/i, '')
    .replace(/[:/\\]/g, '-')
    .replace(/[^\w.-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[_.-]+|[_.-]+$/g, '')
    .slice(0, 80);
  return `${base || `recording-${id}`}.tmrec`;
}

/** MiB / days as the retention inputs show them, from the worker's bytes / ms. */
export const bytesToMiB = (bytes: number): number => Math.round((bytes / MIB) * 10) / 10;
export const mibToBytes = (mib: number): number => Math.round(mib * MIB);
export const msToDays = (ms: number): number => Math.round((ms / 86_400_000) * 100) / 100;
export const daysToMs = (days: number): number => Math.round(days * 86_400_000);
