import { Algo, ExecType, OrderType, Side, TimeInForce, orderIntent, type ExecutionReportMsg } from '@tickmesh/shared';
import type { OrderEntry } from '../../../session/order-requests';
import { Prng } from '../prng';
import type { SimVenue } from '../sim-venue';

/** What a scenario knows it injected: the ground truth a detector's alerts are scored against. */
export interface ScenarioEpisode {
  scenario: string;
  /** The alert code this episode should raise (SURV_* or MD_ANOMALY_*). */
  code: string;
  /** The account it is about ('' for feed faults). */
  account: string;
  /** The venue it is about ('' when any venue of the symbol). */
  venue: string;
  symbol: string;
  startMs: number;
  endMs: number;
}

/** What scenario actors are given: the OMS as a session sees it, the relay's books, the simulated venues. */
export interface ScenarioContext {
  /** The relay's OMS (the port sessions forward orders to): scenario traders are accounts like any other. */
  orders: OrderEntry;
  /** Every execution report, all accounts (the OMS's onReport). */
  onReport(listener: (r: ExecutionReportMsg) => void): () => void;
  /** The relay's book of `symbol` at `venue`, as a trader sees it (prices in ticks; empty side: NaN or 0). */
  book(venue: string, symbol: string): { bestBid(): number; bestAsk(): number } | undefined;
  venues: readonly SimVenue[];
}

/** A touch as scenarios read it: both sides present, and the simulator's quote grid in ticks. */
export interface Touch {
  bid: number;
  ask: number;
  grid: number;
}

/** Something a scenario runs: stepped with the (real or simulated) clock. */
export abstract class ScenarioActor {
  private agenda: Array<{ at: number; fn: () => void }> = [];
  private nextCycleMs = Number.NaN;
  protected nowMs = 0;
  protected cycles = 0;

  protected constructor(
    readonly scenario: string,
    protected readonly rng: Prng,
    protected readonly ctx: ScenarioContext,
    protected readonly episodes: ScenarioEpisode[],
    /** First cycle after this long (ms), then one every `periodMs` (each jittered ±25% by the seed). */
    private readonly firstMs: number,
    private readonly periodMs: number,
  ) {}

  /** Runs what is due at `nowMs`: a new cycle when its time came, then scheduled steps in time order. */
  step(nowMs: number): void {
    this.nowMs = nowMs;
    if (Number.isNaN(this.nextCycleMs)) this.nextCycleMs = nowMs + this.jitter(this.firstMs);
    if (nowMs >= this.nextCycleMs) {
      this.nextCycleMs = nowMs + this.jitter(this.periodMs);
      this.cycles++;
      this.cycle();
    }
    while (this.agenda.length > 0) {
      let first = 0;
      for (let i = 1; i < this.agenda.length; i++) if (this.agenda[i]!.at < this.agenda[first]!.at) first = i;
      if (this.agenda[first]!.at > nowMs) break;
      const [item] = this.agenda.splice(first, 1);
      item!.fn();
    }
  }

  /** One episode of the script. */
  protected abstract cycle(): void;

  protected later(ms: number, fn: () => void): void {
    this.agenda.push({ at: this.nowMs + ms, fn });
  }

  protected record(code: string, account: string, venue: string, symbol: string, durationMs: number, startMs = this.nowMs): void {
    this.episodes.push({ scenario: this.scenario, code, account, venue, symbol, startMs, endMs: startMs + durationMs });
  }

  private jitter(ms: number): number {
    return Math.round(ms * (0.75 + 0.5 * this.rng.float()));
  }

  /** Best bid and ask of `symbol` at `venue` with the sim's quote grid, or undefined while a side is empty. */
  protected touch(venue: string, symbol: string): Touch | undefined {
    const b = this.ctx.book(venue, symbol);
    if (b === undefined) return undefined;
    const bid = b.bestBid();
    const ask = b.bestAsk();
    if (!(bid > 0) || !(ask > 0) || !Number.isFinite(bid) || !Number.isFinite(ask)) return undefined;
    // The OrderFlowGenerator's default grid: spreads and level spacing are multiples of it.
    return { bid, ask, grid: Math.max(1, Math.round(((bid + ask) / 2) * 2e-6)) };
  }

  /** The generator's typical order size of `symbol` at `venue`, in lots. */
  protected baseQty(venue: string, symbol: string): number {
    return this.ctx.venues.find((v) => v.id === venue)?.market(symbol)?.baseQty ?? 1;
  }
}

interface OwnOrder {
  side: Side;
  qty: number;
  filled: number;
  open: boolean;
  /** Venue trade ids of its fills. */
  trades: number[];
}

/** A relay account run by a scenario: sends through the OMS exactly what a session would forward. */
export abstract class ScenarioTrader extends ScenarioActor {
  protected readonly own = new Map<string, OwnOrder>();
  private n = 0;
  private prefix = '';
  /** Net position in lots (buys − sells), from its fills. */
  protected position = 0;

  protected constructor(
    scenario: string,
    readonly account: string,
    rng: Prng,
    ctx: ScenarioContext,
    episodes: ScenarioEpisode[],
    firstMs: number,
    periodMs: number,
  ) {
    super(scenario, rng, ctx, episodes, firstMs, periodMs);
  }

  /** An execution report of this account. */
  onReport(r: ExecutionReportMsg): void {
    if (r.parentOrderId !== '') return;
    const o = this.own.get(r.clientOrderId);
    if (o === undefined) return;
    if (r.execType === ExecType.Trade && r.lastQty > 0) {
      o.filled += r.lastQty;
      o.trades.push(r.tradeId);
      this.position += o.side === Side.Buy ? r.lastQty : -r.lastQty;
    }
    if (r.leavesQty === 0 || r.execType === ExecType.Canceled || r.execType === ExecType.Expired || r.execType === ExecType.Rejected || r.execType === ExecType.Denied) o.open = false;
    this.onOwnReport(r, o);
  }

  protected onOwnReport(_r: ExecutionReportMsg, _o: OwnOrder): void {}

  /** Sends a limit order (GTC, or IOC when `ioc`) directly to `venue`; returns its client order id. */
  protected send(venue: string, symbol: string, side: Side, price: number, qty: number, ioc = false, postOnly = false): string {
    // Unique across restarts of a relay on one journal (the OMS refuses a client order id used before).
    if (this.prefix === '') this.prefix = `${this.account}-${Math.floor(this.nowMs).toString(36)}`;
    const clientOrderId = `${this.prefix}-${++this.n}`;
    this.own.set(clientOrderId, { side, qty, filled: 0, open: true, trades: [] });
    const intent = orderIntent({
      clientOrderId, symbol, venue, side, orderType: OrderType.Limit, timeInForce: ioc ? TimeInForce.IOC : TimeInForce.GTC,
      price: Math.max(1, Math.round(price)), qty: Math.max(1, Math.round(qty)), postOnly, algo: Algo.None, displayQty: 0, durationMs: 0,
    }, this.account);
    void this.ctx.orders.newOrder(intent, 0).then(
      (r) => {
        if (!r.ok) this.own.get(clientOrderId)!.open = false;
      },
      () => (this.own.get(clientOrderId)!.open = false),
    );
    return clientOrderId;
  }

  /** Cancels one of its orders if it is still open. */
  protected cancel(clientOrderId: string): void {
    const o = this.own.get(clientOrderId);
    if (o === undefined || !o.open) return;
    void this.ctx.orders.cancel(this.account, clientOrderId, 0).catch(() => {});
  }

  protected isOpen(clientOrderId: string): boolean {
    return this.own.get(clientOrderId)?.open ?? false;
  }

  protected filled(clientOrderId: string): number {
    return this.own.get(clientOrderId)?.filled ?? 0;
  }

  /** Forgets closed orders (a long-running scenario would otherwise keep every one). */
  protected prune(): void {
    for (const [id, o] of this.own) if (!o.open) this.own.delete(id);
  }
}

export { Prng };
export type { OwnOrder };
