import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { WireFrame } from '../md/wire-frame';
import type { TrafficCounter } from '../metrics/relay-metrics';

/**
 * The sending side of one connection. Everything written in one turn of the event loop (one
 * flush: a batch of each stream) leaves in one writev instead of one syscall per frame; that
 * syscall is most of the cost of a delivery. The market-data flush releases it sooner, as soon
 * as this connection's frames of the flush are in (`release`), instead of at the end of the
 * tick after every other connection's. Market data goes out as the frame made once for
 * everybody when no extension transforms this connection's frames.
 */
export class SessionOutput {
  /** ws keeps its net.Socket private; corking it and writing ready frames is what we need from it. */
  private readonly socket: Socket;
  /** No extension negotiated (no permessage-deflate): frames need no per-connection work. */
  private readonly rawFrames: boolean;
  private corked = false;
  /** An end-of-tick release is queued (one per tick, however often `release` came first). */
  private tickQueued = false;
  private readonly endOfTick = (): void => {
    this.tickQueued = false;
    this.release();
  };

  constructor(
    private readonly ws: WebSocket,
    private readonly traffic: TrafficCounter,
    /** Market-data batches sent directly (the mesh's counterpart), a subset of `traffic`. */
    private readonly mdDirect: TrafficCounter,
  ) {
    this.socket = (ws as unknown as { _socket: Socket })._socket;
    this.rawFrames = ws.extensions === '';
  }

  /** Bytes queued for this client and not yet handed to the kernel. */
  get queuedBytes(): number {
    return this.ws.bufferedAmount;
  }

  /** A control message (reply, error, report): ws frames (and maybe compresses) it. */
  send(data: Buffer | string): void {
    this.cork();
    this.ws.send(data);
    this.traffic.add(typeof data === 'string' ? Buffer.byteLength(data) : data.length);
  }

  /** A market-data frame shared by every subscriber. */
  readonly sendFrame = (frame: WireFrame): void => {
    this.cork();
    if (this.rawFrames && this.ws.readyState === this.ws.OPEN) this.socket.write(frame.wire);
    else this.ws.send(frame.payload);
    this.traffic.add(frame.byteLength);
  };

  /** A market-data batch shared by every direct subscriber: also counted as direct md egress. */
  readonly sendBatchFrame = (frame: WireFrame): void => {
    this.sendFrame(frame);
    this.mdDirect.add(frame.byteLength);
  };

  /** Hands what is written so far to the kernel now (one writev) rather than at the end of the tick. */
  release(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    if (this.tickQueued) return;
    this.tickQueued = true;
    process.nextTick(this.endOfTick);
  }
}
