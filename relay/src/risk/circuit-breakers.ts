import { SlidingExtremes } from './sliding-extremes';

/** A symbol's breaker halt. */
export interface BreakerHalt {
  symbol: string;
  /** Trade price (ticks) that tripped it. */
  price: number;
  /** The window's low (for a rise) or high (for a fall) it moved away from. */
  fromPrice: number;
  sinceMs: number;
  untilMs: number;
}

interface SymbolBreaker {
  window: SlidingExtremes;
  halt: BreakerHalt | undefined;
}

/**
 * Market-data circuit breakers, one per symbol. A trade more than `pct` percent above the
 * window's low or below its high (the window being the last `windowMs` of trade time) halts the
 * symbol for `cooloffMs` of relay time. Min/max rather than the first trade of a tumbling window,
 * so a move is caught whether it happens at a window's start or across two windows.
 *
 * At a trip the window restarts from the tripping trade, and trades keep feeding it during the
 * halt, so after the cool-off the reference is the new price level: a market that settled there
 * resumes; one still moving by more than `pct` trips again.
 */
export class CircuitBreakers {
  private readonly symbols = new Map<string, SymbolBreaker>();
  private readonly halted = new Map<string, BreakerHalt>();
  private readonly bps: number;
  private readonly windowUs: number;

  constructor(
    pct: number,
    windowMs: number,
    private readonly cooloffMs: number,
  ) {
    // Integer basis points keep the comparison exact at the boundary ("more than 5%").
    this.bps = Number.isFinite(pct) ? Math.round(pct * 100) : Number.POSITIVE_INFINITY;
    this.windowUs = windowMs * 1000;
  }

  /** Feeds one trade; returns the new halt when this trade tripped the breaker. */
  onTrade(symbol: string, price: number, timeUs: number, nowMs: number): BreakerHalt | undefined {
    if (!(price > 0)) return undefined; // a bad print is market data's problem, not a move
    let b = this.symbols.get(symbol);
    if (b === undefined) {
      b = { window: new SlidingExtremes(this.windowUs), halt: undefined };
      this.symbols.set(symbol, b);
    }
    let tripped: BreakerHalt | undefined;
    b.window.advance(timeUs);
    if (b.halt === undefined && this.bps !== Number.POSITIVE_INFINITY) {
      const low = b.window.min();
      const high = b.window.max();
      const up = price * 10_000 > low * (10_000 + this.bps);
      const down = price * 10_000 < high * (10_000 - this.bps);
      if (up || down) {
        const halt: BreakerHalt = { symbol, price, fromPrice: up ? low : high, sinceMs: nowMs, untilMs: nowMs + this.cooloffMs };
        b.halt = halt;
        tripped = halt;
        this.halted.set(symbol, halt);
        b.window.clear();
      }
    }
    b.window.push(timeUs, price);
    return tripped;
  }

  /** The symbol's active halt (its cool-off may already be over: see `expire`). */
  haltOf(symbol: string): BreakerHalt | undefined {
    return this.halted.size === 0 ? undefined : this.halted.get(symbol);
  }

  /** Earliest `untilMs` of the active halts; Infinity when none. */
  nextExpiryMs(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const h of this.halted.values()) if (h.untilMs < next) next = h.untilMs;
    return next;
  }

  /** Ends every halt whose cool-off is over at `nowMs`; returns them. */
  expire(nowMs: number): BreakerHalt[] {
    const ended: BreakerHalt[] = [];
    for (const h of this.halted.values()) if (h.untilMs <= nowMs) ended.push(h);
    for (const h of ended) this.clear(h.symbol);
    return ended;
  }

  /** Ends the symbol's halt now (operator action); returns it, or undefined if none. */
  clear(symbol: string): BreakerHalt | undefined {
    const h = this.halted.get(symbol);
    if (h === undefined) return undefined;
    this.halted.delete(symbol);
    const b = this.symbols.get(symbol);
    if (b !== undefined) b.halt = undefined;
    return h;
  }

  snapshot(): BreakerHalt[] {
    return [...this.halted.values()].map((h) => ({ ...h }));
  }
}
