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
  private readonly fees: FeeCalculator;

  constructor(
    readonly instrument: Instrument,
    flow: Omit<OrderFlowOptions, 'accountBase'>,
    private readonly sink: ExecutionSink,
    private readonly nowUs: () => number,
  ) {
    this.engine = new MatchingEngine({ listener: this });
    this.generator = new OrderFlowGenerator(this.engine, { ...flow, accountBase: 1 });
    this.fees = new FeeCalculator(instrument.tickSize, instrument.lotSize);
  }

  /** Maps the engine id the next submit will get to a relay order id. */
  track(orderId: string): number {
    const engineId = this.engine.nextOrderId;
    this.relayIds.set(engineId, orderId);
    return engineId;
  }

  /** Sends the whole current book to the feed (after clear()), best levels first. */
  publishBook(feed: InstrumentFeed): void {
    feed.clear();
    this.engine.forEachLevel(Side.Buy, (p, t) => feed.level(Side.Buy, p, t));
    this.engine.forEachLevel(Side.Sell, (p, t) => feed.level(Side.Sell, p, t));
  }

  onLevel(side: Side, price: number, totalSize: number): void {
    this.feed?.level(side, price, totalSize);
  }

  onTrade(tradeId: number, price: number, qty: number, aggressorSide: Side): void {
    this.feed?.trade(tradeId, price, qty, aggressorSide, this.nowUs());
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
    if (terminal) this.relayIds.delete(engineId);
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
}
