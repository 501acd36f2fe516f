import { ExecType, Side, type ExecutionReportMsg, type OrderIntent, type Trade } from '@tickmesh/shared';
import { AccountState } from './account-state';
import { PaperBroker } from './paper';
import type { RecordingLibrary } from './recording/recording-library';
import type { ReplayPlayer } from './recording/replay-player';
import type { StreamEntry, TradeSink } from './stream-books';
import type { PlaceResult, ReplayRequest } from './terminal-api';

/**
 * Replay mode: a player driving its own books, and paper trading against them. Orders placed
 * while it is open go to the PaperBroker (never to the relay) and build the paper account
 * through the same report path as live orders.
 */
export class ReplayDesk {
  readonly account = new AccountState();
  private readonly paper = new PaperBroker();
  private player!: ReplayPlayer;
  /** Paper orders resting: only then must every replayed book update reach the broker. */
  private resting = false;
  /** A seek is rebuilding the books: what it replays is not market the paper orders lived through. */
  private seeking = false;

  private constructor() {}

  /** Opens `request` (paused at its start, then playing unless `paused`), or refuses with a REPLAY_* code. */
  static async open(library: RecordingLibrary, request: ReplayRequest, onTrade: TradeSink): Promise<{ ok: true; desk: ReplayDesk } | { ok: false; code: string; message: string }> {
    const desk = new ReplayDesk();
    const r = await library.player(
      request,
      (entry, trade) => {
        onTrade(entry, trade);
        desk.onTrade(entry, trade);
      },
      { onFrame: (streamId, timeUs) => desk.onBook(streamId, timeUs) },
    );
    if (!r.ok) return r;
    desk.player = r.player;
    if (request.speed !== undefined) r.player.setSpeed(request.speed);
    if (!request.paused) r.player.play();
    return { ok: true, desk };
  }

  get books() {
    return this.player.books;
  }

  get replay(): ReplayPlayer {
    return this.player;
  }

  /** A paper order at the replay's current time; a venue of '' goes to the venue with the best price for its side. */
  place(intent: OrderIntent): PlaceResult {
    const entry = this.entryFor(intent);
    const placed = entry ? { ...intent, venue: entry.instrument.venue } : intent;
    const reports = this.paper.place(placed, entry?.stream.book, this.player.status().positionUs, entry?.instrument);
    for (const r of reports) {
      if (r.orderId === '') this.account.blotter.deniedRequest(placed, r.reasonCode, r.timeUs, r.reason);
      else this.account.applyReport(r, placed);
    }
    this.noteResting();
    const refusedWith = reports.find((r) => r.execType === ExecType.Denied || r.execType === ExecType.Rejected);
    return refusedWith && reports.length === 1 ? { ok: false, code: refusedWith.reasonCode, message: refusedWith.reason } : { ok: true };
  }

  cancel(clientOrderId: string): PlaceResult {
    const r = this.paper.cancel(clientOrderId, this.player.status().positionUs);
    if (!r.ok) {
      const o = this.account.blotter.byClientOrderId(clientOrderId);
      if (o) this.account.blotter.refused(o, r.reason.code, this.player.status().positionUs, r.reason.message);
      return { ok: false, code: r.reason.code, message: r.reason.message };
    }
    this.apply(r.value);
    return { ok: true };
  }

  cancelAll(symbol?: string): PlaceResult {
    this.apply(this.paper.cancelAll(symbol, this.player.status().positionUs));
    return { ok: true };
  }

  /**
   * Jumps the replay to `timeUs`. Resting paper orders are canceled first: a jump in time is
   * not a market they could have traded in (a backward seek would fill them before they were
   * placed), and the frames the seek replays to rebuild the books never reach the broker.
   */
  async seek(timeUs: number): Promise<void> {
    this.apply(this.paper.cancelAll(undefined, this.player.status().positionUs));
    this.seeking = true;
    try {
      await this.player.seek(timeUs);
    } finally {
      this.seeking = false;
    }
  }

  close(): void {
    this.player.close();
  }

  private onBook(streamId: number, timeUs: number): void {
    if (!this.resting || this.seeking) return;
    const e = this.player.books.get(streamId);
    if (e) this.apply(this.paper.onBook(e.instrument.symbol, e.instrument.venue, e.stream.book, timeUs));
  }

  private onTrade(entry: StreamEntry, trade: Trade): void {
    if (this.resting && !this.seeking) this.apply(this.paper.onTrade(entry.instrument.symbol, entry.instrument.venue, trade));
  }

  private apply(reports: ExecutionReportMsg[]): void {
    if (reports.length === 0) return;
    for (const r of reports) this.account.applyReport(r);
    this.noteResting();
  }

  private noteResting(): void {
    this.resting = this.paper.openOrders().length > 0;
  }

  /** The replayed stream of the order: its venue's, or the best-priced venue's for a smart-routed one. */
  private entryFor(intent: OrderIntent): StreamEntry | undefined {
    const entries = this.player.books.entries.filter((e) => e.instrument.symbol === intent.symbol && e.stream.status !== 'stale');
    if (intent.venue !== '') return entries.find((e) => e.instrument.venue === intent.venue);
    let best: StreamEntry | undefined;
    for (const e of entries) {
      const px = intent.side === Side.Buy ? e.stream.book.bestAsk() : e.stream.book.bestBid();
      if (Number.isNaN(px)) continue;
      const bestPx = best === undefined ? Number.NaN : intent.side === Side.Buy ? best.stream.book.bestAsk() : best.stream.book.bestBid();
      if (best === undefined || (intent.side === Side.Buy ? px < bestPx : px > bestPx)) best = e;
    }
    return best;
  }
}
