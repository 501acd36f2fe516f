import type { ClientMsg, Result, ServerMsg } from '@tickmesh/shared';
import type { EncodedFrame } from '../md/encoded-frame';
import type { WireFrame } from '../md/wire-frame';
import type { Protocol } from '../metrics/relay-metrics';

/** What a session holds per subscribed stream. */
export interface StreamSubscription {
  /** Deltas are withheld until a fresh snapshot goes out (new subscription, resync, conflation). */
  awaitingSnapshot: boolean;
  /** Book levels wanted (legacy clients may take trades only). */
  book: boolean;
  /** Trades wanted. */
  trades: boolean;
  /**
   * The session's mesh peer joined this stream and is not on fallback: its batches reach the
   * client through the mesh, so the direct feed sends only snapshots.
   */
  viaMesh: boolean;
}

/**
 * A decoded client request. Legacy (un)subscriptions name the channels they concern; without
 * `channels` a request concerns both.
 */
export interface SessionRequest {
  msg: ClientMsg;
  channels?: { book: boolean; trades: boolean };
}

/**
 * The difference between /ws (protobuf) and /ws/json (legacy JSON): how a frame is decoded,
 * how control messages are encoded and which encoding of a market-data frame is sent.
 * Everything else (limits, queues, heartbeats, subscriptions) is the session's, shared.
 */
export interface WireProtocol {
  readonly name: Protocol;
  /** Wire features granted on this protocol (Welcome.features); none for the plain ones. */
  readonly features?: readonly string[];
  decode(data: Buffer, isBinary: boolean): Result<SessionRequest>;
  /** Encodes a control message; `req` is the request it answers. null = not sent on this protocol. */
  encode(msg: ServerMsg, req?: SessionRequest): Buffer | string | null;
  /** Writes the frames a subscriber with `sub` gets for `frame`, in order (may be none). */
  marketData(frame: EncodedFrame, sub: StreamSubscription, write: (frame: WireFrame) => void): void;
}
