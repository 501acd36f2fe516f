import { OrderType, Side, TimeInForce } from '@tickmesh/shared';
import { EngineResult } from './engine-result';
import type { MatchingEngine } from './matching-engine';
import { Prng } from './prng';

/** Options of {@link OrderFlowGenerator}. */
export interface OrderFlowOptions {
  /** PRNG seed; the same seed and the same calls give the same order flow. */
  seed: number;
  /** Initial fair price in ticks. */
  startPrice: number;
  /** Typical order size in lots (sizes are log-normal around it). */
  baseQty: number;
  /** Number of market makers. Default 6. */
  makers?: number;
  /** Quote levels per side per maker. Default 15. */
  levelsPerMaker?: number;
  /**
   * Quote grid in ticks: spreads, level spacing and taker aggression are multiples of it.
   * Default max(1, round(startPrice × 2e-6)) so books look alike across price scales.
   */
  gridTicks?: number;
  /** Standard deviation of the fair price's move per action, in grid units. Default 0.35. */
  volatility?: number;
  /** Probability per action of a jump of the fair price. Default 0.0005. */
  jumpProbability?: number;
  /** Size of a jump in grid units (sign random). Default 15. */
  jumpGrids?: number;
  /** First account id; makers use base…base+makers-1, takers base+100…base+103. Default 1. */
  accountBase?: number;
  /** Live-mode timer period in ms. Default 50. */
  tickMs?: number;
}

/**
 * Deterministic synthetic order flow for one MatchingEngine: market makers quote ladders
 * around a fair price that follows a random walk with occasional jumps, refresh and cancel
 * quotes; takers send IOC and market orders, leaning towards the side where quotes are stale;
 * now and then a burst (more takers, faster in live mode) hits the book.
 *
 * `step(n)` runs n actions synchronously (tests, priming); `start(rate)` runs ~rate actions per
 * second on an unref'd timer until `stop()`. Each action is one engine command, except the
 * fair-price update which every action makes first.
 */
export class OrderFlowGenerator {
  private readonly rng: Prng;
  private readonly makers: number;
  private readonly levels: number;
  private readonly grid: number;
  private readonly vol: number;
  private readonly jumpP: number;
  private readonly jumpGrids: number;
  private readonly accountBase: number;
  private readonly tickMs: number;
  /** Slot = (maker, side, level): the id of its resting quote (0 = none) and its price. */
  private readonly slotId: Float64Array;
  private readonly slotPrice: Float64Array;
  private fair: number;
  private burstLeft = 0;
  private timer: NodeJS.Timeout | undefined;
  private carry = 0;
  private actions = 0;

  constructor(
    private readonly engine: MatchingEngine,
    private readonly options: OrderFlowOptions,
  ) {
    this.rng = new Prng(options.seed);
    this.makers = options.makers ?? 6;
    this.levels = options.levelsPerMaker ?? 15;
    this.grid = options.gridTicks ?? Math.max(1, Math.round(options.startPrice * 2e-6));
    this.vol = options.volatility ?? 0.35;
    this.jumpP = options.jumpProbability ?? 0.0005;
    this.jumpGrids = options.jumpGrids ?? 15;
    this.accountBase = options.accountBase ?? 1;
    this.tickMs = options.tickMs ?? 10;
    this.fair = options.startPrice;
    const slots = this.makers * this.levels * 2;
    this.slotId = new Float64Array(slots);
    this.slotPrice = new Float64Array(slots);
  }

  /** Current fair price in ticks (fractional). */
  get fairPrice(): number {
    return this.fair;
  }

  /** Actions run so far. */
  get actionCount(): number {
    return this.actions;
  }

  /**
   * Moves the fair price by `bps` basis points (price impact of flow from outside the
   * generator, e.g. a relay account's aggressive orders): makers requote around it and the
   * informed takers lean towards it, so the book follows within moments.
   */
  nudgeBps(bps: number): void {
    this.fair *= 1 + bps / 10_000;
    if (this.fair < 100 * this.grid) this.fair = 100 * this.grid;
  }

  /** True while a burst is in progress. */
  get bursting(): boolean {
    return this.burstLeft > 0;
  }

  /** Places every maker's full ladder once (a primed, two-sided book). */
  prime(): void {
    for (let s = 0; s < this.slotId.length; s++) this.requote(s);
  }

  /** Runs `n` actions synchronously. */
  step(n: number): void {
    for (let i = 0; i < n; i++) this.action();
  }

  /**
   * Runs about `ratePerSecond` actions per second (×4 during bursts) on a timer that does not
   * keep the process alive. Calling start again restarts with the new rate.
   */
  start(ratePerSecond: number): void {
    this.stop();
    let last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      const due = ((now - last) / 1000) * ratePerSecond * (this.burstLeft > 0 ? 4 : 1) + this.carry;
      last = now;
      // Cap one tick's work so a stalled event loop does not come back to a flood.
      const n = Math.min(Math.floor(due), Math.ceil(ratePerSecond));
      this.carry = Math.min(due - n, 1);
      this.step(n);
    }, this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.carry = 0;
  }

  private action(): void {
    const r = this.rng;
    this.actions++;
    this.fair += r.normal() * this.vol * this.grid;
    if (r.chance(this.jumpP)) this.fair += (r.chance(0.5) ? 1 : -1) * this.jumpGrids * this.grid * (0.5 + r.float());
    if (this.fair < 100 * this.grid) this.fair = 100 * this.grid;
    let takerP = 0.12;
    if (this.burstLeft > 0) {
      this.burstLeft--;
      takerP = 0.45;
    } else if (r.chance(0.002)) {
      this.burstLeft = r.range(50, 300);
    }
    const x = r.float();
    if (x < takerP) this.taker();
    else if (x < takerP + 0.06) this.cancelSlot(this.randomSlot());
    else this.requote(this.wideSpread() && r.chance(0.6) ? this.touchSlot() : this.randomSlot());
  }

  /** Makers compete for the touch: a spread wider than 2 grids gets closed quickly. */
  private wideSpread(): boolean {
    const bid = this.engine.bestBid();
    const ask = this.engine.bestAsk();
    return bid === 0 || ask === 0 || ask - bid > 2 * this.grid;
  }

  /** The innermost slot of a random maker, on a random side. */
  private touchSlot(): number {
    return (this.rng.int(this.makers) * 2 + this.rng.int(2)) * this.levels;
  }

  /** Slots of inner levels are picked more often: that is where quotes get hit and moved. */
  private randomSlot(): number {
    const r = this.rng;
    const u = r.float();
    const level = Math.floor(u * u * u * this.levels);
    return (r.int(this.makers) * 2 + r.int(2)) * this.levels + level;
  }

  private slotSide(slot: number): Side {
    return Math.floor(slot / this.levels) % 2 === 0 ? Side.Buy : Side.Sell;
  }

  /** Moves the slot's quote to where its maker wants it now, or places a new one. */
  private requote(slot: number): void {
    const r = this.rng;
    const maker = Math.floor(slot / (this.levels * 2));
    const level = slot % this.levels;
    const side = this.slotSide(slot);
    const g = this.grid;
    // Each maker has its own inside spread and ladder spacing; deeper levels spread out.
    const half = (0.5 + 0.35 * maker + r.float() * 0.5) * g;
    const spacing = (1 + (maker % 3)) * g;
    const off = half + level * spacing * (1 + level * 0.08) + r.float() * g;
    let price = side === Side.Buy ? Math.floor(this.fair - off) : Math.ceil(this.fair + off);
    if (price < 1) price = 1;
    const qty = this.size(1 + level * 0.25);
    const id = this.slotId[slot]!;
    const e = this.engine;
    if (id !== 0 && e.orderRemaining(id) > 0) {
      if (this.slotPrice[slot] === price) return;
      // Replace keeps the order id; a post-only refusal means the market moved through it.
      if (e.replace(id, price, qty) === EngineResult.OK && e.orderRemaining(id) > 0) {
        this.slotPrice[slot] = price;
        return;
      }
      e.cancel(id);
    }
    const nid = e.nextOrderId;
    e.submit(this.accountBase + maker, side, OrderType.Limit, TimeInForce.GTC, price, qty, true);
    if (e.orderRemaining(nid) > 0) {
      this.slotId[slot] = nid;
      this.slotPrice[slot] = price;
    } else {
      this.slotId[slot] = 0;
    }
  }

  private cancelSlot(slot: number): void {
    const id = this.slotId[slot]!;
    if (id === 0) return;
    this.engine.cancel(id);
    this.slotId[slot] = 0;
  }

  private taker(): void {
    const r = this.rng;
    const e = this.engine;
    const bid = e.bestBid();
    const ask = e.bestAsk();
    const mid = bid !== 0 && ask !== 0 ? (bid + ask) / 2 : this.fair;
    // Informed flow: buy more when the book is below fair (stale asks), sell when above.
    let pBuy = 0.5 + ((this.fair - mid) / this.grid) * 0.15;
    pBuy = pBuy < 0.1 ? 0.1 : pBuy > 0.9 ? 0.9 : pBuy;
    const side = r.chance(pBuy) ? Side.Buy : Side.Sell;
    const account = this.accountBase + 100 + r.int(4);
    const qty = this.size(1.5);
    if (r.chance(0.2)) {
      e.submit(account, side, OrderType.Market, TimeInForce.IOC, 0, qty);
      return;
    }
    const reach = (r.float() * 2.5 + 0.5) * this.grid;
    const price = side === Side.Buy ? Math.ceil(this.fair + reach) : Math.max(1, Math.floor(this.fair - reach));
    e.submit(account, side, OrderType.Limit, TimeInForce.IOC, price, qty);
  }

  /** Log-normal size around baseQty × scale, at least 1 lot. */
  private size(scale: number): number {
    const q = Math.round(this.options.baseQty * scale * Math.exp(0.9 * this.rng.normal() - 0.4));
    return q < 1 ? 1 : q;
  }
}
