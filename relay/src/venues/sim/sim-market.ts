import { Side, type Instrument } from '@tickmesh/shared';
import type { InstrumentFeed, VenueExecution } from '../venue-adapter';
import type { EngineResult } from './engine-result';
import { FeeCalculator } from '@tickmesh/shared';
import { MatchingEngine } from './matching-engine';
import type { MatchingListener, OrderEventKind } from './matching-listener';
import { OrderFlowGenerator, type OrderFlowOptions } from './order-flow';

/** Accounts at or above this id are relay (OMS) accounts; below are the generator's. */
export const RELAY_ACCOUNT_BASE = 1_000_000;

/** Where a market sends execution reports of relay orders. */
export interface ExecutionSink {
  /** `terminal`: the order is done (filled, canceled, expired, rejected); forget its id. */
  report(exec: VenueExecution, terminal: boolean): void;
}

/**
 * One instrument of a simulated venue: its matching engine, its order-flow generator, and the
 * listener that turns engine events into the feed's L2/trade calls and into VenueExecution
 * reports for relay orders. Generator orders cost one integer compare in onOrder.
 */
export class SimMarket implements MatchingListener {
  readonly engine: MatchingEngine;
  readonly generator: OrderFlowGenerator;
  /** Set while the venue is started; market data before start only updates the engine. */
  feed: InstrumentFeed | null = null;
  /** Engine order id -> relay order id, for relay orders still live. */
  private readonly relayIds = new Map<number, string>();
  /** Engine order id -> side, for relay orders still live (price impact of their taker fills). */
  private readonly relaySides = new Map<number, Side>();
  /**
   * Feed faults (sim scenarios, relay/src/venues/sim/scenarios): while `feedPaused` nothing
   * reaches the feed (a frozen feed: the engine keeps matching); `feedOffsetTicks` shifts every
   * published price (a divergent venue). Both change only what is published, never the engine.
   */
  feedPaused = false;
  feedOffsetTicks = 0;
  /** Fair-price move in bps per `baseQty` lots of relay taker fills (0 = no impact, the default). */
  takerImpactBps = 0;
  private readonly fees: FeeCalculator;
  /** The generator's typical order size in lots: the unit of takerImpactBps. */
  readonly baseQty: number;

  constructor(
    readonly instrument: Instrument,
    flow: Omit<OrderFlowOptions, 'accountBase'>,
    private readonly sink: ExecutionSink,
    private readonly nowUs: () => number,
  ) {
    this.engine = new MatchingEngine({ listener: this });
    this.generator = new OrderFlowGenerator(this.engine, { ...flow, accountBase: 1 });
    this.baseQty = flow.baseQty;
    this.fees = new FeeCalculator(instrument.tickSize, instrument.lotSize);
  }

  /** Maps the engine id the next submit will get to a relay order id. */
  track(orderId: string, side?: Side): number {
    const engineId = this.engine.nextOrderId;
    this.relayIds.set(engineId, orderId);
    if (side !== undefined) this.relaySides.set(engineId, side);
    return engineId;
  }

  /** Sends the whole current book to the feed (after clear()), best levels first. */
  publishBook(feed: InstrumentFeed): void {
    feed.clear();
    const off = this.feedOffsetTicks;
    this.engine.forEachLevel(Side.Buy, (p, t) => feed.level(Side.Buy, p + off, t));
    this.engine.forEachLevel(Side.Sell, (p, t) => feed.level(Side.Sell, p + off, t));
  }

  onLevel(side: Side, price: number, totalSize: number): void {
    if (this.feedPaused) return;
    this.feed?.level(side, price + this.feedOffsetTicks, totalSize);
  }

  onTrade(tradeId: number, price: number, qty: number, aggressorSide: Side): void {
    if (this.feedPaused) return;
    this.feed?.trade(tradeId, price + this.feedOffsetTicks, qty, aggressorSide, this.nowUs());
  }

  onOrder(
    engineId: number,
    account: number,
    kind: OrderEventKind,
    price: number,
    qty: number,
    leavesQty: number,
    tradeId: number,
    maker: boolean,
    code: EngineResult,
  ): void {
    if (account < RELAY_ACCOUNT_BASE) return;
    const orderId = this.relayIds.get(engineId);
    if (orderId === undefined) return;
    const inst = this.instrument;
    let out: VenueExecution['kind'];
    let fee = 0;
    let terminal = false;
    switch (kind) {
      case 'accepted':
        out = 'accepted';
        break;
      case 'replaced':
        out = 'replaced';
        break;
      case 'filled':
      case 'partially-filled':
        out = 'fill';
        fee = this.fees.fee(price, qty, maker ? inst.makerFeeBpsX100 : inst.takerFeeBpsX100);
        terminal = kind === 'filled';
        if (!maker && this.takerImpactBps !== 0) this.impact(engineId, qty);
        break;
      case 'canceled':
        out = 'canceled';
        terminal = true;
        break;
      case 'expired':
        out = 'expired';
        terminal = true;
        break;
      default:
        out = 'rejected';
        terminal = true;
    }
    if (terminal) {
      this.relayIds.delete(engineId);
      this.relaySides.delete(engineId);
    }
    this.sink.report(
      {
        orderId,
        kind: out,
        price,
        qty,
        leavesQty,
        tradeId,
        liquidityMaker: maker,
        fee,
        reasonCode: code === 'OK' ? '' : code,
        timeUs: this.nowUs(),
      },
      terminal,
    );
  }

  /** A relay taker fill moves the fair price its way (sim scenarios: momentum ignition needs a market that responds). */
  private impact(engineId: number, qty: number): void {
    const side = this.relaySides.get(engineId);
    if (side === undefined) return;
    const bps = (this.takerImpactBps * qty) / this.baseQty;
    this.generator.nudgeBps(side === Side.Buy ? bps : -bps);
  }
}
