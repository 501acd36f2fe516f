import { createHash } from 'node:crypto';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { EncodedFrame } from '../md/encoded-frame';
import type { MarketDataService, MdSubscriber } from '../md/market-data-service';
import { ALL_SNAPSHOTS_SUBJECT, INSTRUMENTS_SUBJECT, MD_HEARTBEAT_SUBJECT, streamIdOf, streamSubject } from './subjects';

/** Default interval of the md node's heartbeat on NATS (edges go stale after three missed: EdgeFeedOptions.mdSilenceMs). */
export const MD_HEARTBEAT_MS = 1000;

/** What an md node has published, for /metrics-free checks (tests, logs). */
export interface MdPublisherStats {
  /** Frames published (batches and new-epoch snapshots). */
  frames: number;
  /** Bytes of those frames: once per batch, however many edges and clients read them. */
  bytes: number;
  /** Snapshot requests answered. */
  snapshotRequests: number;
}

/**
 * The md node's side of the cluster: a subscriber of every stream of this process's
 * MarketDataService that publishes each frame's /ws bytes, encoded once by EncodedFrame, to the
 * stream's subject; and the responder of the instrument list and of snapshot requests (the
 * current snapshot's bytes, encoded once per seq and shared with local sessions).
 *
 * Order: a reply goes out on the same connection as the batches, after every batch up to its
 * seq, so an edge receives batch n, then the snapshot at n, then batch n+1.
 */
export class MdPublisher implements MdSubscriber {
  readonly stats: MdPublisherStats = { frames: 0, bytes: 0, snapshotRequests: 0 };
  private readonly subjects = new Map<number, string>();
  private readonly responders: Subscription[] = [];
  private closed = false;
  private readonly closers: (() => void)[] = [];
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly md: MarketDataService,
    private readonly log: Logger,
    /** Interval of the heartbeat on MD_HEARTBEAT_SUBJECT. Default MD_HEARTBEAT_MS (1000 ms). */
    private readonly heartbeatMs = MD_HEARTBEAT_MS,
  ) {}

  /** Answers requests, then subscribes to every stream (each first publishes its current snapshot). */
  start(): void {
    const instruments = new TextEncoder().encode(JSON.stringify(this.md.instruments()));
    const digest = instrumentsDigest(instruments);
    this.responders.push(this.nc.subscribe(INSTRUMENTS_SUBJECT, { callback: (_err, msg) => void msg.respond(instruments) }));
    this.responders.push(
      this.nc.subscribe(ALL_SNAPSHOTS_SUBJECT, {
        callback: (_err, msg) => {
          const id = streamIdOf(msg.subject);
          const stream = id === undefined ? undefined : this.md.stream(id);
          // No reply for an unknown stream: the requester times out and says so.
          if (!stream) return;
          this.stats.snapshotRequests++;
          msg.respond(this.md.snapshotFrame(stream).proto.payload as Buffer);
        },
      }),
    );
    for (const inst of this.md.instruments()) {
      this.subjects.set(inst.streamId, streamSubject(inst.venue, inst.streamId));
      this.md.subscribe(this, inst.streamId);
    }
    // A quiet venue publishes nothing for a while: the heartbeat tells edges md is still there.
    // It carries the instrument list's digest: an edge that knows another list (md restarted
    // with other venues or symbols) fetches the new one.
    this.heartbeat = setInterval(() => this.nc.publish(MD_HEARTBEAT_SUBJECT, digest), this.heartbeatMs);
    this.heartbeat.unref();
    this.log.info({ streams: this.subjects.size }, 'md publishing to nats');
  }

  deliverBatch(frame: EncodedFrame): void {
    this.publish(frame);
  }

  /** The first snapshot of each stream, and each new epoch's: edges take them as resync points. */
  deliverSnapshot(frame: EncodedFrame): void {
    this.publish(frame);
  }

  private publish(frame: EncodedFrame): void {
    if (this.closed) return;
    const bytes = frame.proto.payload as Buffer;
    // While NATS is away the client buffers (reconnectBufSize); edges resync what is lost.
    this.nc.publish(this.subjects.get(frame.stream.id)!, bytes);
    this.stats.frames++;
    this.stats.bytes += bytes.length;
  }

  /** Runs `fn` when the publisher closes (what was started beside it on its connection: the mesh hub). */
  onClose(fn: () => void): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const fn of this.closers.splice(0)) fn();
    clearInterval(this.heartbeat);
    for (const id of this.subjects.keys()) this.md.unsubscribe(this, id);
    for (const s of this.responders) s.unsubscribe();
    await this.nc.drain().catch(() => {});
  }
}

/** The digest of an instrument list as md answers it (its JSON bytes): what the heartbeat carries. */
export function instrumentsDigest(listJson: Uint8Array): string {
  return createHash('sha256').update(listJson).digest('hex').slice(0, 16);
}
