/*
 * What the live books hold and what /ws is subscribed to: the relay's instrument list, the
 * viewed symbol's subscription (every venue of it), and the streams the live books keep — a
 * stream leaving them, or every stream when the transport drops, gets its final recorded
 * checkpoint first. Kept apart from the engine so subscription bookkeeping has one owner; the
 * engine only says when the view, the instruments or the session changed.
 */
import { venuesOf, type ClientMsg, type Instrument } from '@tickmesh/shared';
import type { MeshPeer } from './mesh-peer';
import type { Recorder } from './recording/recorder';
import type { StreamBooks } from './stream-books';

/** What the subscriptions take from the engine. */
export interface LiveSubscriptionsHost {
  /** The live books. */
  readonly books: StreamBooks;
  /** The recorder of the live frames (final checkpoints). */
  readonly recorder: Recorder;
  /** The relay's Welcome arrived on the current connection. */
  welcomed(): boolean;
  /** The viewed symbol ('' = none). */
  viewSymbol(): string;
  /** The mesh while switched on: it keeps only the streams the books hold. */
  meshPeer(): MeshPeer | undefined;
  send(msg: ClientMsg): boolean;
  nextRequestId(): number;
}

export class LiveSubscriptions {
  private list: Instrument[] = [];
  private venues: string[] = [];
  /** The symbol subscribed on the current /ws session ('' = none). */
  private subscribedSymbol = '';

  constructor(private readonly host: LiveSubscriptionsHost) {}

  /** The relay's instruments (its last Welcome or Instruments message). */
  get instruments(): Instrument[] {
    return this.list;
  }

  setInstruments(list: Instrument[]): void {
    this.list = list;
    this.venues = venuesOf(list);
  }

  /** Subscribes the view's symbol (every venue) and drops the previous one, when connected. */
  subscribeView(): void {
    const symbol = this.host.viewSymbol();
    this.holdStreams(symbol === '' ? [] : this.viewInstruments());
    this.host.meshPeer()?.retain(new Set(this.host.books.entries.map((e) => e.instrument.streamId)));
    if (!this.host.welcomed() || symbol === this.subscribedSymbol) return;
    if (this.subscribedSymbol !== '') this.host.send({ type: 'unsubscribe', requestId: this.host.nextRequestId(), streamIds: [], symbols: [this.subscribedSymbol] });
    this.subscribedSymbol = symbol;
    if (symbol !== '') this.host.send({ type: 'subscribe', requestId: this.host.nextRequestId(), streamIds: [], symbols: [symbol] });
  }

  /** A new /ws session (Welcome): nothing is subscribed on it yet. */
  resubscribe(): void {
    this.subscribedSymbol = '';
    this.subscribeView();
  }

  /** The relay's instruments changed: the books hold the view's streams of the new list. */
  holdView(): void {
    if (this.host.viewSymbol() !== '') this.holdStreams(this.viewInstruments());
  }

  /** The connection was closed on purpose: nothing is subscribed, and every book goes stale. */
  stop(): void {
    this.subscribedSymbol = '';
    this.dropBooks();
  }

  /** Every live book goes stale (the transport dropped): each recorded stream gets its final checkpoint first. */
  dropBooks(): void {
    for (const e of this.host.books.entries) this.host.recorder.closeStream(e.instrument.streamId);
    this.host.books.invalidateAll();
  }

  private viewInstruments(): Instrument[] {
    const symbol = this.host.viewSymbol();
    return this.list.filter((i) => i.symbol === symbol);
  }

  /**
   * Holds the live books of `instruments`. A stream leaving the view gets its final checkpoint
   * first (the book after its last recorded frame): what a replay of it must reach.
   */
  private holdStreams(instruments: Instrument[]): void {
    const keep = new Set(instruments.map((i) => i.streamId));
    for (const e of this.host.books.entries) if (!keep.has(e.instrument.streamId)) this.host.recorder.closeStream(e.instrument.streamId);
    this.host.books.setStreams(instruments, this.venues);
  }
}
