import { SlidingExtremes } from './sliding-extremes';

/** A venue whose market data for a symbol has an open anomaly (MdAnomalyMonitor.suspectOf), by its code. */
export interface SuspectVenue {
  venue: string;
  code: string;
}

/** A symbol's breaker halt. */
export interface BreakerHalt {
  symbol: string;
  /** Trade price (ticks) that tripped it; 0 for an anomaly halt (no trade did). */
  price: number;
  /** The window's low (for a rise) or high (for a fall) it moved away from; 0 for an anomaly halt. */
  fromPrice: number;
  sinceMs: number;
  /** When the cool-off ends; Infinity for an anomaly halt (it ends when a venue is trusted again). */
  untilMs: number;
  /** Set when no venue quoting the symbol had trustworthy prices: every one of them, with its anomaly, as of the trip. */
  anomaly?: readonly SuspectVenue[];
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
 *
 * The breaker also trips when a symbol has no trustworthy price at all: every venue quoting it
 * has an open market-data anomaly (`untrusted`). No move can be measured then, and the cause is
 * a state the relay watches rather than a move it can only wait out, so that halt has no
 * cool-off: it lasts exactly while the symbol stays untrusted (each anomaly detector already
 * has its own hysteresis before an episode closes). A price halt running when the symbol turns
 * untrusted keeps its cool-off; if the symbol is still untrusted when it ends, the anomaly halt
 * follows at once (`expire` reports it as `followed`).
 */
export class CircuitBreakers {
  private readonly symbols = new Map<string, SymbolBreaker>();
  private readonly halted = new Map<string, BreakerHalt>();
  /** Symbols with no trusted venue now, with every venue's anomaly. */
  private readonly untrusted = new Map<string, readonly SuspectVenue[]>();
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

  /**
   * Every venue quoting `symbol` has an open anomaly (`suspects`, non-empty), or undefined: at
   * least one is trusted again. Returns the anomaly halt this trips (none when the symbol was
   * already halted), or the anomaly halt this ends.
   */
  setUntrusted(symbol: string, suspects: readonly SuspectVenue[] | undefined, nowMs: number): { tripped?: BreakerHalt; ended?: BreakerHalt } {
    if (suspects === undefined || suspects.length === 0) {
      if (!this.untrusted.delete(symbol)) return {};
      const h = this.halted.get(symbol);
      return h?.anomaly === undefined ? {} : { ended: this.clear(symbol) };
    }
    this.untrusted.set(symbol, suspects);
    if (this.halted.has(symbol)) return {};
    return { tripped: this.tripUntrusted(symbol, suspects, nowMs) };
  }

  /** The anomalies that leave `symbol` without a trusted venue now, or undefined. */
  untrustedOf(symbol: string): readonly SuspectVenue[] | undefined {
    return this.untrusted.size === 0 ? undefined : this.untrusted.get(symbol);
  }

  private tripUntrusted(symbol: string, suspects: readonly SuspectVenue[], nowMs: number): BreakerHalt {
    const halt: BreakerHalt = { symbol, price: 0, fromPrice: 0, sinceMs: nowMs, untilMs: Number.POSITIVE_INFINITY, anomaly: suspects };
    let b = this.symbols.get(symbol);
    if (b === undefined) this.symbols.set(symbol, (b = { window: new SlidingExtremes(this.windowUs), halt: undefined }));
    b.halt = halt;
    // The prices before it are no reference for the market after it: the next move is measured afresh.
    b.window.clear();
    this.halted.set(symbol, halt);
    return halt;
  }

  /** Earliest `untilMs` of the active halts; Infinity when none. */
  nextExpiryMs(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const h of this.halted.values()) if (h.untilMs < next) next = h.untilMs;
    return next;
  }

  /**
   * Ends every halt whose cool-off is over at `nowMs`; returns them, and the anomaly halts that
   * follow those of them whose symbol is untrusted by now (the symbol stays halted).
   */
  expire(nowMs: number): { ended: BreakerHalt[]; followed: BreakerHalt[] } {
    const ended: BreakerHalt[] = [];
    const followed: BreakerHalt[] = [];
    for (const h of this.halted.values()) if (h.untilMs <= nowMs) ended.push(h);
    for (const h of ended) {
      this.clear(h.symbol);
      const suspects = this.untrustedOf(h.symbol);
      if (suspects !== undefined) followed.push(this.tripUntrusted(h.symbol, suspects, nowMs));
    }
    return { ended, followed };
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
    return [...this.halted.values()].map((h) => ({ ...h, ...(h.anomaly === undefined ? {} : { anomaly: h.anomaly.map((s) => ({ ...s })) }) }));
  }
}
