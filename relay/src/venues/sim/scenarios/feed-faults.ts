import { ErrorCode, Side } from '@tickmesh/shared';
import { ScenarioActor, type Prng, type ScenarioContext, type ScenarioEpisode } from './scenario-actor';
import type { SimVenue } from '../sim-venue';

/** Trade ids of bad prints: far above any the matching engine gives out in a run. */
const BAD_PRINT_IDS = 2 ** 40;

type FaultKind = 'frozen-feed' | 'price-spike' | 'crossed-book' | 'divergent-venue';

/**
 * Feed faults injected into what a simulated venue publishes (never into its matching engine),
 * one every ~40 s at a venue and symbol the seed picks, after a warm-up long enough for the
 * detectors to learn each stream's cadence and volatility:
 * - frozen-feed: nothing published for 8 s, the stream still Live; then the whole book again;
 * - price-spike: one trade printed 250-400 bps away from the mid (a bad print; all of a run on one side);
 * - crossed-book: a bid 10 bps above the best ask for 3 s, then the engine's book again;
 * - divergent-venue: every price published 150-250 bps off for 10 s, then back.
 */
export class FeedFault extends ScenarioActor {
  private prints = 0;
  /**
   * Bad prints of a run all go one way. (Two 300 bps prints either side of the market are 6% apart:
   * that tripped the symbol's 5% circuit breaker until the breakers ignored bad prints; kept so a
   * seed gives the same run as before.)
   */
  private readonly printSign: number;

  constructor(
    private readonly kind: FaultKind,
    rng: Prng,
    ctx: ScenarioContext,
    episodes: ScenarioEpisode[],
    private readonly symbols: readonly string[],
  ) {
    super(kind, rng, ctx, episodes, 15_000, 40_000);
    this.printSign = rng.chance(0.5) ? 1 : -1;
  }

  protected cycle(): void {
    const venues = this.ctx.venues;
    const venue: SimVenue = venues[this.rng.int(venues.length)]!;
    const symbol = this.symbols[this.rng.int(this.symbols.length)]!;
    const t = this.touch(venue.id, symbol);
    if (t === undefined) return;
    const mid = (t.bid + t.ask) / 2;
    switch (this.kind) {
      case 'frozen-feed':
        if (!venue.freezeFeed(symbol, true)) return;
        this.later(8_000, () => venue.freezeFeed(symbol, false));
        this.record(ErrorCode.MD_ANOMALY_FROZEN_FEED, '', venue.id, symbol, 9_000);
        return;
      case 'price-spike': {
        const bps = (250 + this.rng.int(150)) * this.printSign;
        if (!venue.badPrint(symbol, BAD_PRINT_IDS + ++this.prints, Math.round(mid * (1 + bps / 10_000)), this.baseQty(venue.id, symbol), bps > 0 ? Side.Buy : Side.Sell)) return;
        this.record(ErrorCode.MD_ANOMALY_PRICE_SPIKE, '', venue.id, symbol, 1_000);
        return;
      }
      case 'crossed-book':
        // 10 bps through the ask: the market does not move that far in the 3 s it stands (3 grids did, a third of the time).
        if (!venue.phantomLevel(symbol, Side.Buy, t.ask + Math.max(3 * t.grid, Math.round(mid * 0.001)), this.baseQty(venue.id, symbol))) return;
        this.later(3_000, () => venue.republishBook(symbol));
        this.record(ErrorCode.MD_ANOMALY_CROSSED_BOOK, '', venue.id, symbol, 4_000);
        return;
      case 'divergent-venue': {
        const bps = (150 + this.rng.int(100)) * (this.rng.chance(0.5) ? 1 : -1);
        if (!venue.offsetFeed(symbol, Math.round((mid * bps) / 10_000))) return;
        this.later(10_000, () => venue.offsetFeed(symbol, 0));
        this.record(ErrorCode.MD_ANOMALY_DIVERGENCE, '', venue.id, symbol, 11_000);
        return;
      }
    }
  }
}
