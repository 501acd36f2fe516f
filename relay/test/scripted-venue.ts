import { wallClockUs, type Instrument, type Side, type StreamState } from '@tickmesh/shared';
import type { FeedLookup, InstrumentFeed, VenueAdapter, VenueExecution, VenueOrderRequest } from '../src/venues/venue-adapter';
import { testInstrument as instrumentFixture } from '../../shared/src/model/instrument-fixtures';

/**
 * A venue whose market data the test writes directly, for exact, timer-free scenarios
 * (the simulated venue is the real thing but random). Orders are not supported here.
 */
export class ScriptedVenue implements VenueAdapter {
  private feeds: FeedLookup | undefined;

  constructor(
    readonly id: string,
    private readonly list: Instrument[],
  ) {}

  instruments(): readonly Instrument[] {
    return this.list;
  }

  async start(feeds: FeedLookup): Promise<void> {
    this.feeds = feeds;
  }

  async stop(): Promise<void> {}

  feed(symbol: string): InstrumentFeed {
    if (!this.feeds) throw new Error('venue not started');
    return this.feeds(symbol);
  }

  level(symbol: string, side: Side, price: number, size: number): void {
    this.feed(symbol).level(side, price, size);
  }

  trade(symbol: string, tradeId: number, price: number, size: number, aggressor: Side): void {
    this.feed(symbol).trade(tradeId, price, size, aggressor, wallClockUs());
  }

  state(symbol: string, state: StreamState): void {
    this.feed(symbol).state(state);
  }

  submit(_order: VenueOrderRequest): void {
    throw new Error('ScriptedVenue takes no orders');
  }
  cancel(_orderId: string): void {}
  replace(_orderId: string, _price: number, _qty: number): void {}
  onExecution(_listener: (report: VenueExecution) => void): void {}
}

export function testInstrument(symbol: string, venue = 'test'): Instrument {
  const [base, quote] = symbol.split('-');
  return instrumentFixture({ symbol, venue, base: base!, quote: quote!, maxQty: 1_000_000_000 });
}
