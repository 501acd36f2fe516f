/*
 * The market side of the terminal's frames: what the trader is looking at (symbol, venue,
 * depth, candle width) and what is drawn of it — the ladder, the trade tape, the candles —
 * plus the mids that price positions and orders. Kept apart from the engine because it works
 * on whichever books are shown (live or a replay's) and knows nothing of the connection.
 */
import type { Trade } from '@tickmesh/shared';
import { CandleSeries } from './candle-series';
import { LadderBuilder, type LadderSource } from './ladder-builder';
import type { StreamBooks, StreamEntry } from './stream-books';
import type { LadderFrame, TerminalFrame, ViewSelection } from './terminal-api';
import { TradeTape } from './trade-tape';

/** The view with its defaults applied. */
type View = Required<ViewSelection>;

const NO_VIEW: View = Object.freeze({ symbol: '', venue: '', depth: 20, candleSeconds: 60 });

/** The market half of a `TerminalFrame`. */
type MarketFrame = Pick<TerminalFrame, 'view' | 'ladder' | 'trades' | 'candles' | 'candlesReset'>;

export class MarketView {
  private readonly ladder = new LadderBuilder();
  private readonly tape = new TradeTape();
  private candles = new CandleSeries();
  private readonly lastMid = new Map<string, number>();
  private current: View = NO_VIEW;
  private viewChanged = false;

  /**
   * `shownBooks`: the books the view shows now (a replay's in replay mode, else the live ones).
   * `referencePrice`: the relay's reference price of a symbol, the mark of last resort.
   */
  constructor(
    private readonly shownBooks: () => StreamBooks,
    private readonly referencePrice: (symbol: string) => number | undefined,
  ) {}

  get view(): View {
    return this.current;
  }

  /** Takes `view` (depth clamped to 1..1,000, default 20; candles 60 s by default); returns the previous view. */
  select(view: ViewSelection): View {
    const prev = this.current;
    this.current = { symbol: view.symbol, venue: view.venue, depth: clampDepth(view.depth), candleSeconds: view.candleSeconds ?? 60 };
    return prev;
  }

  /** New trades and candles for a new view, seeded with the recent trades the books hold. */
  restartTrades(): void {
    this.tape.clear();
    this.candles = new CandleSeries({ seconds: this.current.candleSeconds });
    this.viewChanged = true;
    const recent: Trade[] = [];
    for (const e of this.viewEntries()) for (const t of e.stream.recentTrades()) recent.push(t);
    recent.sort((a, b) => a.timeUs - b.timeUs);
    for (const t of recent) {
      this.tape.push(t);
      this.candles.add(t);
    }
  }

  /** A trade of a shown stream: onto the tape and into the candles when the view includes its stream. */
  onTrade(entry: StreamEntry, trade: Trade): void {
    const v = this.current;
    if (entry.instrument.symbol !== v.symbol || (v.venue !== '' && entry.instrument.venue !== v.venue)) return;
    this.tape.push(trade);
    this.candles.add(trade);
  }

  /** The view's ladder (its status across the view's streams), new trades and candles; only what changed since the last call. */
  frame(): MarketFrame {
    const v = this.current;
    const entries = this.viewEntries();
    const consolidated = v.venue === '';
    const sources: LadderSource[] = entries.map((e) => ({ book: e.stream.book, venueBit: e.venueBit }));
    let status: LadderFrame['status'] = entries.length === 0 ? 'stale' : 'live';
    let seq = 0;
    for (const e of entries) {
      const s = e.stream.status;
      if (s === 'stale') status = 'stale';
      else if (s === 'halted' && status === 'live') status = 'halted';
      if (e.stream.seq > seq) seq = e.stream.seq;
    }
    this.ladder.build(sources, v.depth);
    const ladder = this.ladder.snapshot(status, seq, consolidated);
    if (v.symbol !== '') {
      const mid = this.symbolMid();
      if (mid === mid) this.lastMid.set(v.symbol, mid);
    }

    const reset = this.viewChanged;
    this.viewChanged = false;
    return {
      view: { ...v },
      ladder,
      trades: this.tape.take(),
      candles: reset ? this.candles.takeAll() : this.candles.takeChanged(),
      candlesReset: reset,
    };
  }

  /**
   * Streams of the view: every venue of the symbol, or the one venue chosen. Live books hold
   * only the view's symbol; a replay's hold every symbol it recorded, hence the symbol filter.
   */
  viewEntries(): readonly StreamEntry[] {
    const { symbol, venue } = this.current;
    return this.shownBooks().entries.filter((e) => e.instrument.symbol === symbol && (venue === '' || e.instrument.venue === venue));
  }

  /** Mark price of a symbol: the live mid when viewed, else the last one seen, else the relay's reference. */
  markOf(symbol: string): number {
    if (symbol === this.current.symbol) {
      const mid = this.symbolMid();
      if (mid === mid) return mid;
    }
    return this.lastMid.get(symbol) ?? this.referencePrice(symbol) ?? Number.NaN;
  }

  /** Every venue's stream of the viewed symbol. */
  private symbolEntries(): readonly StreamEntry[] {
    return this.shownBooks().entries.filter((e) => e.instrument.symbol === this.current.symbol);
  }

  /** Mid of the best bid and best ask across every venue of the viewed symbol (the relay's reference price), NaN if a side is empty. */
  private symbolMid(): number {
    let bid = Number.NaN;
    let ask = Number.NaN;
    for (const e of this.symbolEntries()) {
      const b = e.stream.book.bestBid();
      const a = e.stream.book.bestAsk();
      if (!(b <= bid)) bid = b;
      if (!(a >= ask)) ask = a;
    }
    return (bid + ask) / 2;
  }
}

function clampDepth(depth: number | undefined): number {
  const d = depth ?? 20;
  return Number.isSafeInteger(d) && d > 0 ? Math.min(d, 1000) : 20;
}
