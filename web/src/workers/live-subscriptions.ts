/*
 * What the live books hold and what /ws is subscribed to: the relay's instrument list, the
 * streams of the viewed symbol (every venue of it) and of the side desks (one venue's stream
 * each), subscribed by stream id so a stream both need is held once and dropping one never
 * drops the other's; a stream leaving the books, or every stream when the transport drops,
 * gets its final recorded checkpoint first. Kept apart from the engine so subscription
 * bookkeeping has one owner; the engine only says when the view, the pins, the instruments or
 * the session changed.
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
  /** The side desks' streams among the relay's `instruments`. */
  pinnedInstruments(instruments: readonly Instrument[]): Instrument[];
  /** The mesh while switched on: it keeps only the streams the books hold. */
  meshPeer(): MeshPeer | undefined;
  send(msg: ClientMsg): boolean;
  nextRequestId(): number;
}

export class LiveSubscriptions {
  private list: Instrument[] = [];
  private venues: string[] = [];
  /** The streams subscribed on the current /ws session. */
  private subscribed = new Set<number>();

  constructor(private readonly host: LiveSubscriptionsHost) {}

  /** The relay's instruments (its last Welcome or Instruments message). */
  get instruments(): Instrument[] {
    return this.list;
  }

  setInstruments(list: Instrument[]): void {
    this.list = list;
    this.venues = venuesOf(list);
  }

  /**
   * Holds the books of the view's symbol and of the side desks, and, when connected, moves the
   * /ws subscriptions to exactly those streams: unsubscribes the ones no longer wanted,
   * subscribes the new ones (each arrives with its snapshot). Nothing is sent when nothing changed.
   */
  syncSubscriptions(): void {
    const held = this.heldInstruments();
    this.holdStreams(held);
    this.host.meshPeer()?.retain(new Set(this.host.books.entries.map((e) => e.instrument.streamId)));
    if (!this.host.welcomed()) return;
    const want = new Set(held.map((i) => i.streamId));
    const drop = [...this.subscribed].filter((id) => !want.has(id));
    const add = [...want].filter((id) => !this.subscribed.has(id));
    this.subscribed = want;
    if (drop.length > 0) this.host.send({ type: 'unsubscribe', requestId: this.host.nextRequestId(), streamIds: drop, symbols: [] });
    if (add.length > 0) this.host.send({ type: 'subscribe', requestId: this.host.nextRequestId(), streamIds: add, symbols: [] });
  }

  /** A new /ws session (Welcome): nothing is subscribed on it yet. */
  resubscribe(): void {
    this.subscribed = new Set();
    this.syncSubscriptions();
  }

  /** The relay's instruments changed: the books, and /ws, hold the wanted streams of the new list. */
  holdView(): void {
    this.syncSubscriptions();
  }

  /** The connection was closed on purpose: nothing is subscribed, and every book goes stale. */
  stop(): void {
    this.subscribed = new Set();
    this.dropBooks();
  }

  /** Every live book goes stale (the transport dropped): each recorded stream gets its final checkpoint first. */
  dropBooks(): void {
    for (const e of this.host.books.entries) this.host.recorder.closeStream(e.instrument.streamId);
    this.host.books.invalidateAll();
  }

  /** The view's streams (none without a symbol), then the side desks' not among them. */
  private heldInstruments(): Instrument[] {
    const symbol = this.host.viewSymbol();
    const held = symbol === '' ? [] : this.list.filter((i) => i.symbol === symbol);
    for (const i of this.host.pinnedInstruments(this.list)) if (!held.includes(i)) held.push(i);
    return held;
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
