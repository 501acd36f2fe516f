import type { Instrument, Trade } from './model';
import type { ConnectionState, LadderFrame, ViewSelection } from '../workers/terminal-api';

/** Trades the tape keeps (newest first); older ones scroll away. */
export const TAPE_LENGTH = 200;

const emptyLadder = (): LadderFrame => ({
  status: 'stale',
  bidPrice: new Float64Array(0),
  bidSize: new Float64Array(0),
  askPrice: new Float64Array(0),
  askSize: new Float64Array(0),
  seq: 0,
});

/** Link health as the last frame reported it. */
class Connection {
  state = $state<ConnectionState>('connecting');
  rttMs = $state(0);
  reconnectInMs = $state(0);
  account = $state('');
  role = $state('');
  /** Market-data updates applied per second (worker side), measured over the last second. */
  updatesPerSec = $state(0);
}

/**
 * Market data of the current view, as drawn. Everything here is replaced whole from worker
 * frames (`$state.raw`): the UI never patches books or tapes itself.
 */
class Market {
  readonly connection = new Connection();
  instruments = $state.raw<Instrument[]>([]);
  /**
   * What the trader picked (sent to the worker with setView). Depth 100: the ladder shows 20
   * rows, grouping and the depth chart use the rest.
   */
  selection = $state.raw<ViewSelection>({ symbol: '', venue: '', depth: 100, candleSeconds: 60 });
  /** What the worker's latest frame is about (may lag `selection` by a frame or two). */
  frameView = $state.raw<ViewSelection>({ symbol: '', venue: '' });
  ladder = $state.raw<LadderFrame>(emptyLadder());
  /** Newest first, at most TAPE_LENGTH. */
  trades = $state.raw<Trade[]>([]);
  /** Trades received for this view since it was picked (the tape only keeps the last TAPE_LENGTH). */
  tradeCount = $state(0);

  /** Distinct symbols in listing order. */
  symbols = $derived([...new Set(this.instruments.map((i) => i.symbol))]);

  venuesOf(symbol: string): string[] {
    return this.instruments.filter((i) => i.symbol === symbol).map((i) => i.venue);
  }

  /**
   * The instrument that scales a symbol's ticks and lots. For '' (consolidated / smart routing)
   * the first venue listing it: venues of one symbol share tick and lot sizes in a consolidated book.
   */
  instrumentOf(symbol: string, venue = ''): Instrument | undefined {
    return this.instruments.find((i) => i.symbol === symbol && (venue === '' || i.venue === venue)) ?? this.instruments.find((i) => i.symbol === symbol);
  }

  resetView(): void {
    this.ladder = emptyLadder();
    this.trades = [];
    this.tradeCount = 0;
  }
}

export const market = new Market();
