import { ErrorCode, ExecType, Side, type ExecutionReportMsg } from '@tickmesh/shared';
import { SCENARIO_ACCOUNTS } from './scenario-names';
import { ScenarioTrader, type OwnOrder, type Prng, type ScenarioContext, type ScenarioEpisode, type Touch } from './scenario-actor';

export const opposite = (s: Side) => (s === Side.Buy ? Side.Sell : Side.Buy);
/** A price `grids` away from the touch on `side`'s own side of the book (bids below the bid, asks above the ask). */
export const away = (t: Touch, side: Side, grids: number) => (side === Side.Buy ? t.bid - grids * t.grid : t.ask + grids * t.grid);
/** A marketable price for `side`: through the touch by `grids`. */
/** A price `bps` basis points from the touch on `side`'s own side of the book: deep enough that the market rarely reaches it in a second or two, whatever the instrument's tick. */
export const awayBps = (t: Touch, side: Side, bps: number) => {
  const d = Math.max(t.grid, Math.round(((t.bid + t.ask) / 2) * (bps / 10_000)));
  return side === Side.Buy ? t.bid - d : t.ask + d;
};
export const through = (t: Touch, side: Side, grids: number) => (side === Side.Buy ? t.ask + grids * t.grid : t.bid - grids * t.grid);

/** A trader of one symbol at the first simulated venue, with an order size of half the generator's typical one. */
export abstract class OneVenueTrader extends ScenarioTrader {
  readonly venue: string;
  readonly symbol: string;
  protected readonly q: number;

  protected constructor(scenario: string, account: string, rng: Prng, ctx: ScenarioContext, episodes: ScenarioEpisode[], firstMs: number, periodMs: number, symbols: readonly string[]) {
    super(scenario, account, rng, ctx, episodes, firstMs, periodMs);
    this.venue = ctx.venues[0]!.id;
    this.symbol = symbols[rng.int(symbols.length)]!;
    this.q = Math.max(1, Math.round(this.baseQty(this.venue, this.symbol) / 2));
  }

  /**
   * Orders of ordinary size on both sides, deep enough not to trade, pulled after
   * `cancelAfterMs`: what makes the account's median order small, so its large ones stand out
   * (as they would for a real spoofer).
   */
  protected smallQuotes(t: Touch, n: number, cancelAfterMs: number): void {
    for (let i = 0; i < n; i++) {
      const side = i % 2 === 0 ? Side.Buy : Side.Sell;
      const id = this.send(this.venue, this.symbol, side, awayBps(t, side, 3 + i / 2), this.q);
      this.later(cancelAfterMs, () => this.cancel(id));
    }
  }
}

/**
 * Spoofing: three large orders on one side, one after the other, each pulled unfilled 600 ms
 * after it was placed and 6 bps from the touch, with a small marketable order on the other
 * side between them (the trade the flashes were for). One episode every ~20 s, sides alternating.
 */
export class Spoofer extends OneVenueTrader {
  constructor(rng: Prng, ctx: ScenarioContext, episodes: ScenarioEpisode[], symbols: readonly string[]) {
    super('spoofing', SCENARIO_ACCOUNTS.spoofer, rng, ctx, episodes, 6_000, 20_000, symbols);
  }

  protected cycle(): void {
    this.prune();
    const t = this.touch(this.venue, this.symbol);
    if (t === undefined) return;
    const spoof = this.cycles % 2 === 0 ? Side.Buy : Side.Sell;
    this.smallQuotes(t, 6, 3_000);
    const flash = () => {
      const now = this.touch(this.venue, this.symbol) ?? t;
      const id = this.send(this.venue, this.symbol, spoof, awayBps(now, spoof, 6), 10 * this.q);
      this.later(600, () => this.cancel(id));
    };
    this.later(500, flash);
    this.later(1_500, flash);
    this.later(2_500, () => {
      const now = this.touch(this.venue, this.symbol) ?? t;
      this.send(this.venue, this.symbol, opposite(spoof), through(now, opposite(spoof), 1), this.q, true);
    });
    this.later(3_200, flash);
    this.record(ErrorCode.SURV_SPOOFING, this.account, this.venue, this.symbol, 4_500);
  }
}

/**
 * Layering: four large orders at distinct prices 5-8 bps from the touch on one side, resting
 * together; a small marketable order on the other side while they rest; all four pulled 1.4 s
 * after they were placed. One episode every ~20 s, sides alternating.
 */
export class Layerer extends OneVenueTrader {
  constructor(rng: Prng, ctx: ScenarioContext, episodes: ScenarioEpisode[], symbols: readonly string[]) {
    super('layering', SCENARIO_ACCOUNTS.layerer, rng, ctx, episodes, 7_000, 20_000, symbols);
  }

  protected cycle(): void {
    this.prune();
    const t = this.touch(this.venue, this.symbol);
    if (t === undefined) return;
    const side = this.cycles % 2 === 0 ? Side.Buy : Side.Sell;
    this.smallQuotes(t, 6, 3_000);
    this.later(500, () => {
      const now = this.touch(this.venue, this.symbol) ?? t;
      const ids = [5, 6, 7, 8].map((bps) => this.send(this.venue, this.symbol, side, awayBps(now, side, bps), 10 * this.q));
      this.later(800, () => {
        const at = this.touch(this.venue, this.symbol) ?? now;
        this.send(this.venue, this.symbol, opposite(side), through(at, opposite(side), 1), this.q, true);
      });
      this.later(1_400, () => ids.forEach((id) => this.cancel(id)));
    });
    this.record(ErrorCode.SURV_LAYERING, this.account, this.venue, this.symbol, 3_000);
  }
}

/**
 * Wash trades between two linked accounts (owner WASH_OWNER): one rests an order inside the
 * spread, alone at its price; as soon as the venue acknowledged it, the other takes it with an
 * IOC of the same size. An episode counts only once both sides printed in one venue trade (the
 * market may take the resting order first). One every ~15 s, sides alternating.
 */
export class WashTrader extends OneVenueTrader {
  private readonly partner: WashPartner;
  private pending: { id: string; side: Side; price: number; startMs: number } | undefined;

  constructor(rng: Prng, ctx: ScenarioContext, episodes: ScenarioEpisode[], symbols: readonly string[]) {
    super('wash', SCENARIO_ACCOUNTS.washA, rng, ctx, episodes, 5_000, 15_000, symbols);
    this.partner = new WashPartner(this, rng, ctx, episodes);
  }

  /** The linked account, stepped and given its reports by the scenario like any trader. */
  get other(): ScenarioTrader {
    return this.partner;
  }

  protected cycle(): void {
    this.prune();
    const t = this.touch(this.venue, this.symbol);
    if (t === undefined || t.ask - t.bid < 2) return;
    const side = this.cycles % 2 === 0 ? Side.Sell : Side.Buy;
    const price = side === Side.Sell ? t.ask - 1 : t.bid + 1;
    const id = this.send(this.venue, this.symbol, side, price, this.q, false, true);
    this.pending = { id, side, price, startMs: this.nowMs };
    this.later(1_500, () => {
      this.cancel(id);
      if (this.pending?.id === id) this.pending = undefined;
    });
  }

  protected override onOwnReport(r: ExecutionReportMsg): void {
    const p = this.pending;
    if (p === undefined || r.clientOrderId !== p.id) return;
    // Acknowledged and still whole: the partner takes it now.
    if (r.execType === ExecType.New) this.partner.take(opposite(p.side), p.price, this.q);
  }

  /** The partner's fill printed in `tradeId`: was it against our resting order? */
  partnerFilled(tradeId: number): void {
    const p = this.pending;
    if (p === undefined) return;
    if (this.own.get(p.id)?.trades.includes(tradeId)) {
      this.record(ErrorCode.SURV_WASH_TRADE, this.account, this.venue, this.symbol, Math.max(1, this.nowMs - p.startMs) + 1_000, p.startMs);
      this.pending = undefined;
    }
  }
}

/** The other account of the wash owner: takes what its partner rests. */
class WashPartner extends ScenarioTrader {
  constructor(
    private readonly lead: WashTrader,
    rng: Prng,
    ctx: ScenarioContext,
    episodes: ScenarioEpisode[],
  ) {
    super('wash', SCENARIO_ACCOUNTS.washB, rng, ctx, episodes, Number.MAX_SAFE_INTEGER / 4, Number.MAX_SAFE_INTEGER / 4);
  }

  protected cycle(): void {}

  take(side: Side, price: number, qty: number): void {
    this.prune();
    this.send(this.lead.venue, this.lead.symbol, side, price, qty, true);
  }

  protected override onOwnReport(r: ExecutionReportMsg, _o: OwnOrder): void {
    if (r.execType === ExecType.Trade && r.lastQty > 0) {
      // Our fill and the lead's arrive in one venue flush; the lead's may come second.
      queueMicrotask(() => this.lead.partnerFilled(r.tradeId));
    }
  }
}

/**
 * Quote stuffing: 110 small post-only orders 5-10 bps from the touch in about half a second,
 * each cancelled as soon as the venue acknowledged it; nothing trades. Risk's order throttle
 * (default 100 at once, 50/s) denies some, which is what a relay should do. One every ~25 s.
 */
export class QuoteStuffer extends OneVenueTrader {
  private readonly burst = new Set<string>();

  constructor(rng: Prng, ctx: ScenarioContext, episodes: ScenarioEpisode[], symbols: readonly string[]) {
    super('quote-stuffing', SCENARIO_ACCOUNTS.stuffer, rng, ctx, episodes, 8_000, 25_000, symbols);
  }

  protected cycle(): void {
    this.prune();
    this.burst.clear();
    const t = this.touch(this.venue, this.symbol);
    if (t === undefined) return;
    for (let k = 0; k < 10; k++) {
      this.later(k * 50, () => {
        const now = this.touch(this.venue, this.symbol) ?? t;
        for (let i = 0; i < 11; i++) {
          const side = i % 2 === 0 ? Side.Buy : Side.Sell;
          this.burst.add(this.send(this.venue, this.symbol, side, awayBps(now, side, 5 + this.rng.int(5)), this.q, false, true));
        }
      });
    }
    this.record(ErrorCode.SURV_QUOTE_STUFFING, this.account, this.venue, this.symbol, 2_000);
  }

  protected override onOwnReport(r: ExecutionReportMsg): void {
    if (r.execType === ExecType.New && this.burst.has(r.clientOrderId)) this.cancel(r.clientOrderId);
  }
}

/**
 * Momentum ignition: five aggressive orders of 4× the typical size, one a second, through the
 * touch (with relay taker flow given price impact, the market moves and the generator's informed
 * flow follows); then the whole position offered back at the moved touch, resting, for 15 s, and
 * whatever is left taken out. One every ~40 s, directions alternating.
 */
export class MomentumIgniter extends OneVenueTrader {
  constructor(rng: Prng, ctx: ScenarioContext, episodes: ScenarioEpisode[], symbols: readonly string[]) {
    super('momentum', SCENARIO_ACCOUNTS.igniter, rng, ctx, episodes, 9_000, 40_000, symbols);
  }

  protected cycle(): void {
    this.prune();
    if (this.touch(this.venue, this.symbol) === undefined) return;
    const side = this.cycles % 2 === 0 ? Side.Buy : Side.Sell;
    const start = this.position;
    for (let k = 0; k < 5; k++) {
      this.later(k * 1_000, () => {
        const t = this.touch(this.venue, this.symbol);
        if (t) this.send(this.venue, this.symbol, side, through(t, side, 5), 8 * this.q, true);
      });
    }
    this.later(5_500, () => {
      const t = this.touch(this.venue, this.symbol);
      const qty = Math.abs(this.position - start);
      if (t === undefined || qty === 0) return;
      const exitSide = opposite(side);
      const id = this.send(this.venue, this.symbol, exitSide, exitSide === Side.Sell ? t.ask : t.bid, qty);
      this.later(15_000, () => {
        this.cancel(id);
        const left = Math.abs(this.position - start);
        const now = this.touch(this.venue, this.symbol);
        if (now && left > 0) this.later(200, () => this.send(this.venue, this.symbol, exitSide, through(now, exitSide, 2), Math.abs(this.position - start), true));
      });
    });
    this.record(ErrorCode.SURV_MOMENTUM_IGNITION, this.account, this.venue, this.symbol, 22_000);
  }
}

