import { MAX_SIDE_DESKS, type SideDeskPin } from '../workers/terminal-api';

/** localStorage key of the pinned side desks, beside the saved view (`tickmesh.view`). */
export const SIDE_DESKS_KEY = 'tickmesh.sideDesks';

/** One key per venue's stream of a symbol (Svelte's each key, the panels' map key). */
export function pinKey(pin: SideDeskPin): string {
  return `${pin.venue}/${pin.symbol}`;
}

export function hasPin(pins: readonly SideDeskPin[], pin: SideDeskPin): boolean {
  return pins.some((p) => p.symbol === pin.symbol && p.venue === pin.venue);
}

/** `pins` with `pin` added at the end; the same array when it is there already or the desk is full (MAX_SIDE_DESKS). */
export function withPin(pins: readonly SideDeskPin[], pin: SideDeskPin): readonly SideDeskPin[] {
  if (pin.symbol === '' || pin.venue === '' || hasPin(pins, pin) || pins.length >= MAX_SIDE_DESKS) return pins;
  return [...pins, { symbol: pin.symbol, venue: pin.venue }];
}

/** `pins` without `pin` (the same array when it was not pinned). */
export function withoutPin(pins: readonly SideDeskPin[], pin: SideDeskPin): readonly SideDeskPin[] {
  return hasPin(pins, pin) ? pins.filter((p) => p.symbol !== pin.symbol || p.venue !== pin.venue) : pins;
}

/**
 * The pins saved under SIDE_DESKS_KEY. Whatever else is there (nothing, corrupt JSON, an old
 * shape, duplicates, more than MAX_SIDE_DESKS, a consolidated '' venue) reads as the valid
 * pins it holds, in order: a bad saved layout is a smaller layout, never a broken desk.
 */
export function parsePins(saved: string | null): readonly SideDeskPin[] {
  let raw: unknown;
  try {
    raw = JSON.parse(saved ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  let pins: readonly SideDeskPin[] = [];
  for (const p of raw) {
    const { symbol, venue } = (p ?? {}) as { symbol?: unknown; venue?: unknown };
    if (typeof symbol === 'string' && typeof venue === 'string') pins = withPin(pins, { symbol, venue });
  }
  return pins;
}
