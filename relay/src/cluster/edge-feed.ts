import { BookStream, Side, StreamState, decodeServer, type BookSnapshot, type Instrument } from '@tickmesh/shared';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { EncodedFrame } from '../md/encoded-frame';
import { nowUs, type MdSubscriber } from '../md/market-data-service';
import type { MarketDataSource, MdStreamRef } from '../md/market-data-source';
import { instrumentsDigest } from './md-publisher';
import { INSTRUMENTS_SUBJECT, MD_HEARTBEAT_SUBJECT, snapshotSubject, streamSubject } from './subjects';

/** Limits and timings of an EdgeFeed; defaults written out on each field. */
export interface EdgeFeedOptions {
  /** How long a request to the md node may take. Default 2000 ms. */
  requestTimeoutMs: number;
  /** Wait before asking again after a failed request. Default 250 ms. */
  retryMs: number;
  /**
   * Batches kept per stream while its snapshot request is out, to bring late joiners level
   * after the snapshot. Beyond it the snapshot is asked for again. Default 1024.
   */
  maxBuffered: number;
  /**
   * md is taken for gone when neither its heartbeat (every 1000 ms) nor a frame came for this
   * long: subscribers get their books marked STALE until md is heard again. Default 3000 ms.
   */
  mdSilenceMs: number;
  /**
   * A stream no session of this edge holds is dropped from NATS this long after its last
   * subscriber left (so a page switching back and forth does not refetch each time). Default 5000 ms.
   */
  idleUnsubscribeMs: number;
  /** Test hook: a frame for which this returns false is dropped as if NATS had lost it. Default none. */
  inbound?: (streamId: number, bytes: Uint8Array) => boolean;
}

export const DEFAULT_EDGE_FEED_OPTIONS: Readonly<EdgeFeedOptions> = Object.freeze({ requestTimeoutMs: 2000, retryMs: 250, maxBuffered: 1024, mdSilenceMs: 3000, idleUnsubscribeMs: 5000 });

/** What an edge has seen, for tests and logs. */
export interface EdgeFeedStats {
  /** Batches forwarded (each once, however many subscribers got it). */
  batches: number;
  /** Losses of sync: a seq gap, a new epoch or a checksum mismatch seen on NATS, or a NATS outage. */
  resyncs: number;
  /** Snapshots fetched from the md node by request/reply. */
  snapshotsFetched: number;
  /** Stale markers sent to subscribers when NATS or md went away. */
  staleMarkers: number;
}

interface EdgeStream {
  readonly ref: MdStreamRef;
  /** The edge's copy of the md node's book: finds gaps and checksum mismatches, and is what a stale marker shows. */
  readonly book: BookStream;
  /** The book is at md's seq: batches are applied and forwarded. */
  synced: boolean;
  /** Subscribers getting batches. */
  readonly live: Set<MdSubscriber>;
  /** Subscribers waiting for a snapshot (a late joiner, a resync, everyone after a loss of sync). */
  readonly pending: Set<MdSubscriber>;
  /** Batches received since the snapshot request went out; undefined when none is out. */
  buffered: EncodedFrame[] | undefined;
  /** Another request is wanted once the one out is answered. */
  again: boolean;
  /** The last snapshot while no batch came after it: a late joiner gets it at once. */
  last: EncodedFrame | undefined;
  /** The stream's NATS subscription while some session of this edge holds it (or did, within idleUnsubscribeMs). */
  nats: Subscription | undefined;
  /** Drops the subscription once nobody held the stream for idleUnsubscribeMs. */
  idle: NodeJS.Timeout | undefined;
}

/**
 * An edge's market data: the md node's streams through NATS, served to sessions with the
 * interface of this process's MarketDataService. Every frame goes to subscribers as the very
 * bytes md encoded (EncodedFrame.ofProto): nothing is encoded here but the stale marker below.
 *
 * Streams keep md's epoch and seq. A subscriber gets a snapshot fetched from md (request/reply),
 * then the batches that came after it. A gap, a new epoch or a checksum mismatch seen on NATS
 * is forwarded as it came (clients see the same loss and show the book stale), then every
 * subscriber of the stream gets a fresh snapshot from md. When NATS goes away, each subscriber
 * gets a stale marker: a snapshot of the book as it was at the last seq with state STALE (the
 * one frame an edge encodes), so a client never shows it as live; after the reconnect every
 * stream is fetched again. The same when md falls silent (no heartbeat, no frame) with NATS up.
 *
 * An edge takes from NATS only the streams its sessions hold: the first subscriber subscribes
 * the stream's subject and fetches its snapshot (the late-joiner path), and the subscription
 * goes idleUnsubscribeMs after the last one left. So an edge's ingress follows its own clients,
 * not md's whole list.
 */
export class EdgeFeed implements MarketDataSource {
  readonly stats: EdgeFeedStats = { batches: 0, resyncs: 0, snapshotsFetched: 0, staleMarkers: 0 };
  private readonly options: EdgeFeedOptions;
  private readonly streams = new Map<number, EdgeStream>();
  private list: Instrument[] = [];
  private heartbeats: Subscription | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  /** performance.now() when md was last heard (heartbeat or frame). */
  private heardAt = performance.now();
  private mdAlive = true;
  private connected = true;
  private loaded = false;
  private stopped = false;
  /** Digest of the instrument list loaded (md's heartbeat carries the current one). */
  private digest = '';
  private reloading = false;
  private readonly instrumentListeners: ((list: Instrument[]) => void)[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: Logger,
    options: Partial<EdgeFeedOptions> = {},
  ) {
    this.options = { ...DEFAULT_EDGE_FEED_OPTIONS, ...options };
  }

  /** Starts hearing md's heartbeat and asking md for its instruments (ready once they came); streams are taken as sessions hold them. */
  async start(): Promise<void> {
    this.heartbeats = this.nc.subscribe(MD_HEARTBEAT_SUBJECT, {
      callback: (_err, msg) => {
        this.heard();
        const digest = new TextDecoder().decode(msg.data);
        if (this.loaded && digest !== '' && digest !== this.digest) void this.reloadInstruments(digest);
      },
    });
    this.heardAt = performance.now();
    this.watchdog = setInterval(() => this.checkMd(), Math.max(10, this.options.mdSilenceMs / 4));
    this.watchdog.unref();
    void this.loadInstruments();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    this.heartbeats?.unsubscribe();
    for (const st of this.streams.values()) this.drop(st);
    await this.nc.drain().catch(() => {});
  }

  /** Called with md's new instrument list when it changed (md restarted with other venues or symbols). */
  onInstruments(listener: (list: Instrument[]) => void): void {
    this.instrumentListeners.push(listener);
  }

  /**
   * md now lists other instruments: streams whose instrument is the same stay (they resync as
   * any stream does after md restarted); the others end with a stale marker to their
   * subscribers, and new ones are added. Listeners (the relay: every session) get the new list.
   */
  private async reloadInstruments(digest: string): Promise<void> {
    if (this.reloading) return;
    this.reloading = true;
    try {
      const reply = await this.nc.request(INSTRUMENTS_SUBJECT, undefined, { timeout: this.options.requestTimeoutMs });
      const list = JSON.parse(new TextDecoder().decode(reply.data)) as Instrument[];
      const next = new Map(list.map((i) => [i.streamId, i]));
      for (const [id, st] of this.streams) {
        const now = next.get(id);
        if (now && JSON.stringify(now) === JSON.stringify(st.ref.instrument)) continue;
        this.lose(st, false);
        st.pending.clear();
        this.drop(st);
        this.streams.delete(id);
      }
      for (const inst of list) if (!this.streams.has(inst.streamId)) this.streams.set(inst.streamId, newStream(inst));
      const was = this.digest;
      this.list = list;
      this.digest = instrumentsDigest(reply.data);
      this.log.warn({ streams: list.length, digest: this.digest, was, heard: digest }, 'edge: md lists other instruments now');
      for (const l of this.instrumentListeners) l(list);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'edge: md instruments changed, not reachable yet');
    } finally {
      this.reloading = false;
    }
  }

  /** True once md's instruments are known, NATS is connected and md is heard. */
  get ready(): boolean {
    return this.loaded && this.connected && this.mdAlive && !this.stopped;
  }

  private heard(): void {
    this.heardAt = performance.now();
    if (this.mdAlive) return;
    this.mdAlive = true;
    this.log.info('edge: md heard again, resyncing');
    for (const st of this.streams.values()) if (st.nats) this.fetch(st);
  }

  private checkMd(): void {
    if (!this.mdAlive || !this.connected || performance.now() - this.heardAt <= this.options.mdSilenceMs) return;
    this.mdAlive = false;
    this.log.warn({ silentMs: Math.round(performance.now() - this.heardAt) }, 'edge: md silent, books stale');
    for (const st of this.streams.values()) this.lose(st, false);
  }

  /** The NATS connection went away ('disconnect') or came back ('reconnect'): see the class comment. */
  onNatsStatus(status: 'disconnect' | 'reconnect'): void {
    if (status === 'disconnect') {
      this.connected = false;
      for (const st of this.streams.values()) this.lose(st, false);
      return;
    }
    this.connected = true;
    // md gets the silence allowance again from now: its heartbeat may take a moment to return.
    this.heardAt = performance.now();
    for (const st of this.streams.values()) if (st.nats) this.fetch(st);
  }

  // ---- MarketDataSource ----------------------------------------------------------------

  instruments(): Instrument[] {
    return this.list;
  }

  stream(id: number): MdStreamRef | undefined {
    return this.streams.get(id)?.ref;
  }

  streamIdsForSymbol(symbol: string): number[] {
    return this.list.filter((i) => i.symbol === symbol).map((i) => i.streamId);
  }

  subscribe(sub: MdSubscriber, streamId: number): void {
    const st = this.streams.get(streamId);
    if (!st) throw new Error(`unknown stream ${streamId}`); // callers validate ids first
    this.hold(st);
    st.live.delete(sub);
    const last = st.last;
    if (st.synced && last && last.seq === st.book.seq && last.data.epoch === st.book.epoch) {
      sub.deliverSnapshot(last);
      st.live.add(sub);
      return;
    }
    st.pending.add(sub);
    this.fetch(st);
  }

  resync(sub: MdSubscriber, streamId: number): void {
    if (this.streams.has(streamId)) this.subscribe(sub, streamId);
  }

  unsubscribe(sub: MdSubscriber, streamId: number): void {
    const st = this.streams.get(streamId);
    if (!st) return;
    st.live.delete(sub);
    st.pending.delete(sub);
    if (st.live.size === 0 && st.pending.size === 0 && st.nats && !st.idle) {
      st.idle = setTimeout(() => {
        st.idle = undefined;
        if (st.live.size === 0 && st.pending.size === 0) this.drop(st);
      }, this.options.idleUnsubscribeMs);
      st.idle.unref();
    }
  }

  /** Streams this edge takes from NATS now (held by a session, or within idleUnsubscribeMs of it). */
  get heldStreams(): number {
    let n = 0;
    for (const st of this.streams.values()) if (st.nats) n++;
    return n;
  }

  /** The stream's subject, subscribed (the first subscriber of a stream not held). */
  private hold(st: EdgeStream): void {
    clearTimeout(st.idle);
    st.idle = undefined;
    if (st.nats) return;
    st.nats = this.nc.subscribe(streamSubject(st.ref.instrument.venue, st.ref.id), {
      callback: (_err, msg) => {
        this.heard();
        if (this.streams.get(st.ref.id) === st && st.nats) this.onFrame(st, msg.data);
      },
    });
  }

  /** Nobody here holds the stream: off NATS, and its book no longer followed (a later subscriber fetches it anew). */
  private drop(st: EdgeStream): void {
    clearTimeout(st.idle);
    st.idle = undefined;
    st.nats?.unsubscribe();
    st.nats = undefined;
    st.synced = false;
    st.last = undefined;
  }

  /** Batches are made by the md node: nothing is pending here. */
  flushPending(): void {}

  // ---- from NATS -----------------------------------------------------------------------

  private async loadInstruments(): Promise<void> {
    while (!this.stopped && !this.loaded) {
      try {
        const reply = await this.nc.request(INSTRUMENTS_SUBJECT, undefined, { timeout: this.options.requestTimeoutMs });
        const list = JSON.parse(new TextDecoder().decode(reply.data)) as Instrument[];
        for (const inst of list) this.streams.set(inst.streamId, newStream(inst));
        this.list = list;
        this.digest = instrumentsDigest(reply.data);
        this.loaded = true;
        this.log.info({ streams: list.length }, 'edge: instruments from md');
        for (const st of this.streams.values()) if (st.nats) this.fetch(st);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'edge: md instruments not reachable yet');
        await new Promise((r) => setTimeout(r, this.options.retryMs));
      }
    }
  }

  private onFrame(st: EdgeStream, bytes: Uint8Array): void {
    if (this.options.inbound && !this.options.inbound(st.ref.id, bytes)) return;
    const decoded = decodeServer(bytes);
    if (!decoded.ok) {
      this.log.warn({ stream: st.ref.id, code: decoded.reason.code }, 'edge: undecodable frame from md');
      this.lose(st, true);
      return;
    }
    const m = decoded.value;
    if (m.type === 'bookSnapshot') {
      // A new epoch at md (the venue reset its book): everyone starts from it.
      this.takeSnapshot(st, EncodedFrame.ofProto(st.ref, 'snapshot', m, bytes), []);
      return;
    }
    if (m.type !== 'bookBatch') return;
    const frame = EncodedFrame.ofProto(st.ref, 'batch', m, bytes);
    if (st.buffered) {
      if (st.buffered.length < this.options.maxBuffered) st.buffered.push(frame);
      else st.again = true;
    }
    if (!st.synced) return;
    const r = st.book.applyBatch(m);
    if (r.action === 'ignored') return;
    // Forwarded either way: on a gap, clients see the same jump in seq and show the book stale.
    for (const sub of st.live) sub.deliverBatch(frame);
    if (r.action === 'applied') {
      st.last = undefined;
      this.stats.batches++;
      return;
    }
    this.log.warn({ stream: st.ref.id, reason: r.reason, epoch: m.epoch, seq: m.seq }, 'edge: lost sync with md, resyncing');
    this.lose(st, true);
  }

  /**
   * Out of sync: subscribers wait for a snapshot. On a NATS outage (`refetch` false) those who
   * had a live book first get it marked STALE, and the fetch waits for the reconnect.
   */
  private lose(st: EdgeStream, refetch: boolean): void {
    if (st.synced) this.stats.resyncs++;
    if (!refetch && st.synced && st.live.size > 0) {
      const marker = this.staleMarker(st);
      this.stats.staleMarkers += st.live.size;
      for (const sub of st.live) sub.deliverSnapshot(marker);
    }
    st.synced = false;
    st.last = undefined;
    for (const sub of st.live) st.pending.add(sub);
    st.live.clear();
    if (refetch) this.fetch(st);
  }

  /** The book at its last seq, flagged STALE: a client applies it (same epoch, same seq) and shows the book stale. */
  private staleMarker(st: EdgeStream): EncodedFrame {
    const book = st.book.book;
    const data: BookSnapshot = {
      streamId: st.ref.id,
      epoch: st.book.epoch,
      seq: st.book.seq,
      bids: book.levels(Side.Buy),
      asks: book.levels(Side.Sell),
      recentTrades: st.book.recentTrades(),
      checksum: book.checksum(),
      state: StreamState.Stale,
      timeUs: nowUs(),
    };
    return new EncodedFrame(st.ref, 'snapshot', data);
  }

  /** Asks md for the stream's snapshot, unless a request is out already (then once more after it). */
  private fetch(st: EdgeStream): void {
    if (this.stopped || !this.connected || !this.mdAlive || !st.nats) return;
    if (st.buffered) {
      st.again = true;
      return;
    }
    st.buffered = [];
    st.again = false;
    this.nc.request(snapshotSubject(st.ref.id), undefined, { timeout: this.options.requestTimeoutMs }).then(
      (reply) => {
        const buffered = st.buffered ?? [];
        st.buffered = undefined;
        // Dropped meanwhile (nobody holds it): its book is not followed, the answer is of no use.
        if (!st.nats) return;
        const decoded = decodeServer(reply.data);
        if (!decoded.ok || decoded.value.type !== 'bookSnapshot') {
          this.log.warn({ stream: st.ref.id }, 'edge: md answered a snapshot request with something else');
          this.retry(st);
          return;
        }
        this.stats.snapshotsFetched++;
        this.takeSnapshot(st, EncodedFrame.ofProto(st.ref, 'snapshot', decoded.value, reply.data), buffered);
        if (st.again) this.fetch(st);
      },
      (err: Error) => {
        st.buffered = undefined;
        this.log.warn({ stream: st.ref.id, err: err.message }, 'edge: snapshot request failed');
        this.retry(st);
      },
    );
  }

  private retry(st: EdgeStream): void {
    setTimeout(() => {
      // A stream md no longer lists is not asked for again.
      if (this.streams.get(st.ref.id) !== st) return;
      if (!st.synced || st.pending.size > 0) this.fetch(st);
    }, this.options.retryMs).unref();
  }

  /**
   * A snapshot from md at seq S: the book catches up (when it was behind) with the batches
   * after S that came meanwhile, and every waiting subscriber gets the snapshot, then those.
   */
  private takeSnapshot(st: EdgeStream, frame: EncodedFrame, buffered: EncodedFrame[]): void {
    const snap = frame.data as BookSnapshot;
    const after = buffered.filter((f) => f.data.epoch === snap.epoch && f.seq > snap.seq);
    // A reply overtaken by a new epoch, or batches missing after it (the buffer was full): ask again.
    const older = st.synced && snap.epoch < st.book.epoch;
    const behind = !st.synced || st.book.epoch !== snap.epoch || st.book.seq < snap.seq;
    if (older || (!behind && after.length !== st.book.seq - snap.seq)) {
      if (st.pending.size > 0) st.again = true;
      return;
    }
    if (behind) {
      const r = st.book.applySnapshot(snap);
      if (r.action !== 'applied') {
        this.log.warn({ stream: st.ref.id, result: r }, 'edge: md snapshot not applicable');
        st.synced = false;
        this.retry(st);
        return;
      }
      for (const f of after) {
        if (st.book.applyBatch(f.data as never).action !== 'applied') {
          this.lose(st, true);
          return;
        }
      }
      st.synced = true;
      // Subscribers that were live are behind too: they start again from this snapshot.
      for (const sub of st.live) st.pending.add(sub);
      st.live.clear();
    }
    for (const sub of st.pending) {
      sub.deliverSnapshot(frame);
      for (const f of after) sub.deliverBatch(f);
      st.live.add(sub);
    }
    st.pending.clear();
    st.last = after.length === 0 && st.book.seq === snap.seq ? frame : undefined;
  }
}

function newStream(inst: Instrument): EdgeStream {
  return { ref: { id: inst.streamId, instrument: inst }, book: new BookStream(inst.streamId), synced: false, live: new Set(), pending: new Set(), buffered: undefined, again: false, last: undefined, nats: undefined, idle: undefined };
}
