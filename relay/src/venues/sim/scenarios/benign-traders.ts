import { Side } from '@tickmesh/shared';
import { OneVenueTrader, away, opposite, through } from './abusive-traders';
import { SCENARIO_ACCOUNTS } from './scenario-names';
import type { Prng, ScenarioContext, ScenarioEpisode } from './scenario-actor';

/**
 * Ordinary relay traders: the negatives the detectors must leave alone. Each does something a
 * detector's pattern resembles, legitimately: a maker cancels all day, a desk rests large
 * orders and sometimes pulls them, a trend follower buys a run and sells it later.
 */

/** A small market maker: cancels its quotes every ~2 s and joins both sides of the touch again 300 ms later. */
export class BenignMaker extends OneVenueTrader {
  private quotes: string[] = [];

  constructor(rng: Prng, ctx: ScenarioContext, episodes: ScenarioEpisode[], symbols: readonly string[]) {
    super('benign', SCENARIO_ACCOUNTS.maker, rng, ctx, episodes, 2_000, 2_000, symbols);
  }

  protected cycle(): void {
    this.prune();
    for (const id of this.quotes) this.cancel(id);
    const buy = this.rng.float();
    const sell = this.rng.float();
    // Flat-ish: lean out of the position it accumulated, once its quotes are gone (else risk refuses it as a self-trade).
    this.later(150, () => {
      const t = this.touch(this.venue, this.symbol);
      if (t === undefined || Math.abs(this.position) <= 6 * this.q) return;
      const side = this.position > 0 ? Side.Sell : Side.Buy;
      this.send(this.venue, this.symbol, side, through(t, side, 1), Math.abs(this.position) / 2, true);
    });
    // New quotes after that: a new bid at or above its own old ask would be refused as a self-trade too.
    this.later(300, () => {
      const t = this.touch(this.venue, this.symbol);
      if (t === undefined) return;
      const size = (u: number) => Math.max(1, Math.round(this.q * (0.5 + u)));
      this.quotes = [this.send(this.venue, this.symbol, Side.Buy, t.bid, size(buy), false, true), this.send(this.venue, this.symbol, Side.Sell, t.ask, size(sell), false, true)];
    });
  }
}

/**
 * A desk that works large orders patiently: small orders near the touch, and a large one (8×)
 * two grids from the touch that it lets rest 3-6 s before pulling what is left (longer than a
 * flash, as real desks do), now and then taking the other side.
 */
export class BenignDesk extends OneVenueTrader {
  constructor(rng: Prng, ctx: ScenarioContext, episodes: ScenarioEpisode[], symbols: readonly string[]) {
    super('benign', SCENARIO_ACCOUNTS.desk, rng, ctx, episodes, 3_000, 11_000, symbols);
  }

  protected cycle(): void {
    this.prune();
    const t = this.touch(this.venue, this.symbol);
    if (t === undefined) return;
    const side = this.rng.chance(0.5) ? Side.Buy : Side.Sell;
    for (let i = 0; i < 3; i++) {
      const id = this.send(this.venue, this.symbol, i === 2 ? opposite(side) : side, away(t, i === 2 ? opposite(side) : side, 1 + i), this.q);
      this.later(4_000, () => this.cancel(id));
    }
    const big = this.send(this.venue, this.symbol, side, away(t, side, 2), 8 * this.q);
    this.later(3_000 + this.rng.int(3_000), () => this.cancel(big));
    if (this.rng.chance(0.5)) this.later(1_000, () => {
      const now = this.touch(this.venue, this.symbol) ?? t;
      this.send(this.venue, this.symbol, opposite(side), through(now, opposite(side), 1), this.q, true);
    });
  }
}

/**
 * A trend follower: three small marketable orders 1.5 s apart in the direction the market went
 * over its last cycle, sold (or bought) back 15 s later whatever the price.
 */
export class BenignTrend extends OneVenueTrader {
  private lastMid = Number.NaN;

  constructor(rng: Prng, ctx: ScenarioContext, episodes: ScenarioEpisode[], symbols: readonly string[]) {
    super('benign', SCENARIO_ACCOUNTS.trend, rng, ctx, episodes, 4_000, 30_000, symbols);
  }

  protected cycle(): void {
    this.prune();
    const t = this.touch(this.venue, this.symbol);
    if (t === undefined) return;
    const mid = (t.bid + t.ask) / 2;
    const side = Number.isNaN(this.lastMid) || mid >= this.lastMid ? Side.Buy : Side.Sell;
    this.lastMid = mid;
    const start = this.position;
    for (let k = 0; k < 3; k++) {
      this.later(k * 1_500, () => {
        const now = this.touch(this.venue, this.symbol);
        if (now) this.send(this.venue, this.symbol, side, through(now, side, 1), this.q, true);
      });
    }
    this.later(18_000, () => {
      const now = this.touch(this.venue, this.symbol);
      const qty = Math.abs(this.position - start);
      if (now && qty > 0) this.send(this.venue, this.symbol, opposite(side), through(now, opposite(side), 1), qty, true);
    });
  }
}
