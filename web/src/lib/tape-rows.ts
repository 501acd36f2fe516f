import type { Instrument, Trade } from './model';
import { formatPrice, formatQty, formatTimeUs } from './format';

/** One trade as the tape draws it, formatted once. */
export interface TapeRow {
  time: string;
  price: string;
  size: string;
  aggressor: number;
}

type Steps = Pick<Instrument, 'tickSize' | 'lotSize'>;

/**
 * Formats each trade once, however many frames it stays on the tape: the tape shifts every
 * frame, and re-formatting every visible row each time was most of its script cost. Keyed by the
 * trade object (the tape keeps the same objects until they scroll off), so entries go with them.
 */
export class TapeFormatter {
  private cache = new WeakMap<Trade, TapeRow>();
  private steps: Steps | undefined;

  row(inst: Steps, t: Trade): TapeRow {
    if (inst !== this.steps) {
      // Another instrument's decimals: nothing cached is valid any more.
      this.steps = inst;
      this.cache = new WeakMap();
    }
    let r = this.cache.get(t);
    if (r === undefined) {
      r = { time: formatTimeUs(t.timeUs), price: formatPrice(inst, t.price), size: formatQty(inst, t.size), aggressor: t.aggressor };
      this.cache.set(t, r);
    }
    return r;
  }
}

/**
 * The rows of a fixed-row-height list worth rendering: those in the viewport plus `overscan`
 * either side, as [first, last). Only these get DOM nodes; spacers stand in for the rest.
 */
export function visibleRange(scrollTop: number, viewportPx: number, total: number, rowPx: number, overscan = 4): { first: number; last: number } {
  if (total <= 0 || rowPx <= 0) return { first: 0, last: 0 };
  const top = Math.max(0, scrollTop);
  const first = Math.min(total, Math.max(0, Math.floor(top / rowPx) - overscan));
  const last = Math.min(total, Math.max(first, Math.ceil((top + Math.max(0, viewportPx)) / rowPx) + overscan));
  return { first, last };
}
