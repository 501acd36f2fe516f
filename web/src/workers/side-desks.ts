/*
 * The side desks: instruments pinned beside the main desk, each shown as the top of its live
 * book, its last trade and one-minute candles. They read the live books the engine already
 * keeps (one BookStream per stream, checksums verified), so a pinned stream's book is the very
 * one the main ladder would show for that venue and symbol, built by the same ladder code.
 * Which streams /ws holds for them is LiveSubscriptions' business; this only says which.
 */
import type { Instrument, Trade } from '@tickmesh/shared';
import { CandleSeries } from './candle-series';
import { LadderBuilder } from './ladder-builder';
import type { StreamBooks, StreamEntry } from './stream-books';
import { MAX_SIDE_DESKS, type SideDeskFrame, type SideDeskPin } from './terminal-api';

/** Levels per side a side desk shows by default: the top of the book, not the whole ladder. */
export const SIDE_DESK_DEPTH = 5;

/** Candle width of a side desk's chart, seconds (the relay's 1m history fills it on open). */
export const SIDE_DESK_CANDLE_SECONDS = 60;

interface Desk {
  readonly pin: SideDeskPin;
  readonly candles: CandleSeries;
  lastTrade: Trade | undefined;
  /** Not reported yet: the next frame carries every candle kept, with `candlesReset`. */
  fresh: boolean;
}

const samePin = (a: SideDeskPin, b: SideDeskPin) => a.symbol === b.symbol && a.venue === b.venue;
const isOf = (pin: SideDeskPin, inst: Pick<Instrument, 'symbol' | 'venue'>) => inst.symbol === pin.symbol && inst.venue === pin.venue;

/**
 * Keeps the pins, in the trader's order (deduplicated, at most `MAX_SIDE_DESKS`; a pin names one
 * venue: a consolidated book is the main desk's job), and builds their part of each frame.
 */
export class SideDesks {
  private desks: Desk[] = [];
  /** One builder for every desk: each frame's snapshot copies out of it before the next build. */
  private readonly ladder = new LadderBuilder();

  /** `depth`: levels per side in each desk's ladder. Default SIDE_DESK_DEPTH (5). */
  constructor(
    private readonly books: StreamBooks,
    private readonly depth = SIDE_DESK_DEPTH,
  ) {}

  get pins(): SideDeskPin[] {
    return this.desks.map((d) => ({ ...d.pin }));
  }

  /**
   * Takes the trader's pins; returns whether the set of streams changed (the subscriptions
   * must follow). A desk kept keeps its candles; a new one starts from the trades its book
   * already holds (a stream the main desk views has passed them on before the pin came).
   */
  set(pins: readonly SideDeskPin[]): boolean {
    const next: Desk[] = [];
    for (const p of pins) {
      if (typeof p?.symbol !== 'string' || typeof p.venue !== 'string' || p.symbol === '' || p.venue === '') continue;
      if (next.some((d) => samePin(d.pin, p))) continue;
      if (next.length === MAX_SIDE_DESKS) break;
      next.push(this.desks.find((d) => samePin(d.pin, p)) ?? this.newDesk({ symbol: p.symbol, venue: p.venue }));
    }
    const changed = next.length !== this.desks.length || next.some((d, i) => !samePin(d.pin, this.desks[i]!.pin));
    this.desks = next;
    return changed;
  }

  /** The pinned streams among the relay's `instruments`, in pin order. */
  instruments(instruments: readonly Instrument[]): Instrument[] {
    const out: Instrument[] = [];
    for (const d of this.desks) {
      const inst = instruments.find((i) => isOf(d.pin, i));
      if (inst !== undefined) out.push(inst);
    }
    return out;
  }

  /** A live trade seen for the first time (StreamBooks' trade sink): into its desk's candles. */
  onTrade(entry: StreamEntry, trade: Trade): void {
    for (const d of this.desks) {
      if (!isOf(d.pin, entry.instrument)) continue;
      d.candles.add(trade);
      if (d.lastTrade === undefined || trade.timeUs >= d.lastTrade.timeUs) d.lastTrade = trade;
    }
  }

  /**
   * Every desk now, in pin order: its ladder (the stream's status; stale while not held or
   * before its snapshot), last trade and the candles changed since the last call.
   */
  frame(): SideDeskFrame[] {
    return this.desks.map((d) => {
      const entry = this.entryOf(d.pin);
      if (entry === undefined) this.ladder.clear();
      else this.ladder.build([{ book: entry.stream.book, venueBit: entry.venueBit }], this.depth);
      const reset = d.fresh;
      d.fresh = false;
      return {
        symbol: d.pin.symbol,
        venue: d.pin.venue,
        listed: entry !== undefined,
        ladder: this.ladder.snapshot(entry?.stream.status ?? 'stale', entry?.stream.seq ?? 0, false),
        ...(d.lastTrade === undefined ? {} : { lastTrade: { ...d.lastTrade } }),
        candles: reset ? d.candles.takeAll() : d.candles.takeChanged(),
        candlesReset: reset,
      };
    });
  }

  private entryOf(pin: SideDeskPin): StreamEntry | undefined {
    return this.books.entries.find((e) => isOf(pin, e.instrument));
  }

  private newDesk(pin: SideDeskPin): Desk {
    const desk: Desk = { pin, candles: new CandleSeries({ seconds: SIDE_DESK_CANDLE_SECONDS }), lastTrade: undefined, fresh: true };
    const entry = this.entryOf(pin);
    if (entry !== undefined) {
      const recent = entry.stream.recentTrades().sort((a, b) => a.timeUs - b.timeUs);
      for (const t of recent) desk.candles.add(t);
      desk.lastTrade = recent[recent.length - 1];
    }
    return desk;
  }
}
