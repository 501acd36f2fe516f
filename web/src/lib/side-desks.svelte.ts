import type { Candle, SideDeskFrame, SideDeskPin, TerminalWorkerApi } from '../workers/terminal-api';
import { auth } from './auth.svelte';
import { ChartHistory } from './chart-history';
import { fetchCandles } from './market-rest';
import { hasPin, parsePins, pinKey, SIDE_DESKS_KEY, withoutPin, withPin } from './side-desk-pins';

/** One-minute candles a side desk's chart draws: the last hour. */
export const SIDE_DESK_CANDLES = 60;

/** What a side desk panel draws: its pin, the worker's latest frame of it (undefined before the first) and its candles. */
export interface SideDeskPanel {
  pin: SideDeskPin;
  frame: SideDeskFrame | undefined;
  /** Oldest first, at most SIDE_DESK_CANDLES; a new array only when a candle changed. */
  candles: readonly Candle[];
}

interface Chart {
  readonly history: ChartHistory;
  drawn: readonly Candle[];
}

/** The worker calls this state class needs. */
type SideDeskApi = Pick<TerminalWorkerApi, 'setSideDesks'>;

/**
 * The instruments pinned beside the desk (data-testid="side-desk"): the trader's pins, kept in
 * localStorage next to the saved view, handed to the worker (which holds their streams on the
 * tab's one relay connection), and each pin's latest frame and candles (relay history under the
 * worker's live ones, as the main chart does) as the panels draw them.
 */
class SideDesks {
  pins = $state.raw<readonly SideDeskPin[]>([]);
  panels = $state.raw<readonly SideDeskPanel[]>([]);
  private api: SideDeskApi | undefined;
  private readonly charts = new Map<string, Chart>();
  private restored = false;

  /** The worker that serves the pins (undefined once it stops); it is told the pins at once. */
  attach(api: SideDeskApi | undefined): void {
    this.restore();
    this.api = api;
    this.charts.clear();
    this.panels = this.pins.map((pin) => ({ pin, frame: undefined, candles: [] }));
    this.push();
  }

  isPinned(pin: SideDeskPin): boolean {
    return hasPin(this.pins, pin);
  }

  /** Pins `pin` (nothing when pinned already or the desk holds MAX_SIDE_DESKS). */
  pin(pin: SideDeskPin): void {
    this.restore();
    this.update(withPin(this.pins, pin));
  }

  unpin(pin: SideDeskPin): void {
    this.restore();
    this.update(withoutPin(this.pins, pin));
  }

  /** The side desks of one worker frame, in pin order (frames of pins since dropped are ignored). */
  onFrame(frames: readonly SideDeskFrame[]): void {
    const byKey = new Map(frames.map((f) => [pinKey(f), f]));
    this.panels = this.pins.map((pin) => {
      const key = pinKey(pin);
      const frame = byKey.get(key);
      const prev = this.panels.find((p) => pinKey(p.pin) === key);
      return { pin, frame: frame ?? prev?.frame, candles: frame === undefined ? (prev?.candles ?? []) : this.applyCandles(pin, frame) };
    });
  }

  private update(next: readonly SideDeskPin[]): void {
    if (next === this.pins) return;
    this.pins = next;
    for (const key of [...this.charts.keys()]) if (!next.some((p) => pinKey(p) === key)) this.charts.delete(key);
    this.panels = next.map((pin) => this.panels.find((p) => pinKey(p.pin) === pinKey(pin)) ?? { pin, frame: undefined, candles: [] });
    try {
      localStorage.setItem(SIDE_DESKS_KEY, JSON.stringify(next));
    } catch {
      // Not remembering the layout is harmless: it lasts until the tab closes.
    }
    this.push();
  }

  /** The saved pins, read once (before the first attach or change). */
  private restore(): void {
    if (this.restored) return;
    this.restored = true;
    try {
      this.pins = parsePins(localStorage.getItem(SIDE_DESKS_KEY));
    } catch {
      this.pins = [];
    }
  }

  private push(): void {
    const api = this.api;
    if (!api) return;
    api.setSideDesks(this.pins.map((p) => ({ ...p }))).catch((e: unknown) => console.error('setSideDesks failed', e));
  }

  /** A frame's candles into its pin's chart; returns what to draw (the previous array when nothing changed). */
  private applyCandles(pin: SideDeskPin, frame: SideDeskFrame): readonly Candle[] {
    const key = pinKey(pin);
    let chart = this.charts.get(key);
    if (chart === undefined || frame.candlesReset) {
      chart = { history: new ChartHistory(), drawn: [] };
      this.charts.set(key, chart);
      chart.history.reset(frame.candles);
      void this.loadHistory(pin, chart);
    } else if (frame.candles.length > 0) {
      for (const c of frame.candles) chart.history.applyLive(c);
    } else {
      return chart.drawn;
    }
    chart.drawn = chart.history.candles.slice(-SIDE_DESK_CANDLES);
    return chart.drawn;
  }

  /** The relay's last hour of the pin's one-minute candles, under the live ones (none without a session: live only). */
  private async loadHistory(pin: SideDeskPin, chart: Chart): Promise<void> {
    if (!auth.grant) return;
    try {
      const history = await fetchCandles({ symbol: pin.symbol, venue: pin.venue, tf: '1m', limit: SIDE_DESK_CANDLES });
      if (this.charts.get(pinKey(pin)) !== chart) return;
      chart.history.setHistory(history);
      chart.drawn = chart.history.candles.slice(-SIDE_DESK_CANDLES);
      this.panels = this.panels.map((p) => (pinKey(p.pin) === pinKey(pin) ? { ...p, candles: chart.drawn } : p));
    } catch (e) {
      console.warn('side desk candle history unavailable', e);
    }
  }
}

export const sideDesks = new SideDesks();
