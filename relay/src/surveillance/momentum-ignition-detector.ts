import { ErrorCode, Side } from '@tickmesh/shared';
import type { SurveillanceAlert } from './surveillance-alert';
import type { TradingEvent } from './trading-event';

type FillEvent = Extract<TradingEvent, { kind: 'fill' }>;

/** Options of MomentumIgnitionDetector. */
export interface MomentumIgnitionOptions {
  /** Aggressive fills of one side that make a run must fall within this window. Default 5,000 ms. */
  igniteWindowMs?: number;
  /** Aggressive (taker) fills it takes for a run. Default 3. */
  minAggressiveFills?: number;
  /** The run's fill prices must move this far in its direction, first to last. Default 10 bps. */
  minMoveBps?: number;
  /** The opposite fills must come within this of the run's last fill. Default 30,000 ms. */
  exitWithinMs?: number;
  /** ... and add up to at least this share of the run's quantity. Default 0.5. */
  minExitShare?: number;
}

interface Tape {
  /** Recent taker fills, oldest first, within igniteWindowMs of the newest. */
  takes: FillEvent[];
  /** A run that moved the price and waits for its exit. */
  run: { side: Side; fills: FillEvent[]; qty: number; avgPrice: number; exits: FillEvent[]; exitQty: number } | undefined;
  quietUntilUs: number;
}

/**
 * Momentum ignition: an account takes liquidity on one side in a quick run that moves the
 * price, to set off others' momentum, then trades the other side into the move it started.
 * Fires when, in one symbol at one venue, the account made at least `minAggressiveFills`
 * taker fills on one side within `igniteWindowMs` whose prices moved at least `minMoveBps` in
 * that direction, and then, within `exitWithinMs` of the run's last fill, fills on the other
 * side at a better price than the run's average (sold above what it paid, or bought back below)
 * for at least `minExitShare` of the run's quantity.
 * Score: 0.6; +0.2 when the exit rested (maker fills: orders waiting for the move it caused);
 * +0.2 when the exit is at least the run's whole quantity.
 * A run that is held, unwound at a loss, or unwound after `exitWithinMs` is ordinary trading.
 */
export class MomentumIgnitionDetector {
  private readonly o: Required<MomentumIgnitionOptions>;
  private readonly tapes = new Map<string, Tape>();

  constructor(options: MomentumIgnitionOptions = {}) {
    this.o = { igniteWindowMs: 5000, minAggressiveFills: 3, minMoveBps: 10, exitWithinMs: 30_000, minExitShare: 0.5, ...options };
  }

  onFill(f: FillEvent): SurveillanceAlert[] {
    // Per venue: prices are in that venue's ticks, and a run moves one venue's book.
    const key = `${f.account}\u0000${f.venue}\u0000${f.symbol}`;
    let t = this.tapes.get(key);
    if (t === undefined) this.tapes.set(key, (t = { takes: [], run: undefined, quietUntilUs: -Infinity }));

    const run = t.run;
    if (run !== undefined && f.timeUs - run.fills[run.fills.length - 1]!.timeUs > this.o.exitWithinMs * 1000) t.run = undefined;
    if (t.run !== undefined && f.side !== t.run.side) return this.exit(t, f);

    if (f.maker) return [];
    const from = f.timeUs - this.o.igniteWindowMs * 1000;
    t.takes = t.takes.filter((x) => x.timeUs >= from && x.side === f.side);
    t.takes.push(f);
    if (t.takes.length < this.o.minAggressiveFills || f.timeUs < t.quietUntilUs) return [];
    const first = t.takes[0]!.price;
    const moveBps = ((f.price - first) / first) * 10_000 * (f.side === Side.Buy ? 1 : -1);
    if (moveBps < this.o.minMoveBps) return [];
    const qty = t.takes.reduce((s, x) => s + x.qty, 0);
    const avgPrice = t.takes.reduce((s, x) => s + x.price * x.qty, 0) / qty;
    // A longer run replaces the one waiting: its exit is judged against the whole run.
    t.run = { side: f.side, fills: [...t.takes], qty, avgPrice, exits: [], exitQty: 0 };
    return [];
  }

  private exit(t: Tape, f: FillEvent): SurveillanceAlert[] {
    const run = t.run!;
    const better = run.side === Side.Buy ? f.price > run.avgPrice : f.price < run.avgPrice;
    if (!better) return [];
    run.exits.push(f);
    run.exitQty += f.qty;
    if (run.exitQty < this.o.minExitShare * run.qty) return [];
    t.run = undefined;
    t.takes = [];
    t.quietUntilUs = f.timeUs + this.o.igniteWindowMs * 1000;
    const first = run.fills[0]!;
    const last = run.fills[run.fills.length - 1]!;
    const moveBps = Math.abs((last.price - first.price) / first.price) * 10_000;
    const passive = run.exits.every((x) => x.maker);
    const score = Math.min(1, 0.6 + (passive ? 0.2 : 0) + (run.exitQty >= run.qty ? 0.2 : 0));
    const bought = run.side === Side.Buy;
    return [{
      code: ErrorCode.SURV_MOMENTUM_IGNITION,
      account: f.account,
      symbol: f.symbol,
      timeUs: f.timeUs,
      score,
      message: `${run.fills.length} aggressive ${bought ? 'buys' : 'sells'} moved ${f.venue} ${moveBps.toFixed(1)} bps in ${Math.round((last.timeUs - first.timeUs) / 1000)} ms, then ${bought ? 'sold' : 'bought'} ${run.exitQty} of ${run.qty} ${passive ? 'from resting orders ' : ''}${bought ? 'above' : 'below'} the run's average within ${Math.round((f.timeUs - last.timeUs) / 1000)} ms`,
      evidence: [...run.fills, ...run.exits].map((x) => ({ seq: x.seq, orderId: x.orderId, what: 'fill' })),
    }];
  }
}
