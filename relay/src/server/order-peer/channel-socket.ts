import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';

/** Past this many bytes in werift's SCTP buffer, sends wait in our queue (werift stalls when thousands are queued at once). */
export const CHANNEL_HIGH_WATER_BYTES = 256 * 1024;
/** werift's bufferedamountlow threshold: our queue drains from here. */
export const CHANNEL_LOW_WATER_BYTES = 64 * 1024;

/** What the socket needs of a data channel (werift's RTCDataChannel; a channel of the test kit). */
export interface ChannelLike {
  readonly readyState: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  send(data: Buffer): void;
  close(): void;
  readonly onMessage: { subscribe(fn: (data: string | Buffer) => void): unknown };
  readonly bufferedAmountLow: { subscribe(fn: () => void): unknown };
  readonly stateChanged: { subscribe(fn: (state: string) => void): unknown };
}

/**
 * The parts of a `ws` WebSocket that Session and SessionOutput use, which this class provides
 * over a WebRTC data channel so the one Session class (limits, validation, codes, reports)
 * serves the channel unchanged. Kept in one list so a change to what Session reads shows here.
 */
export type SessionSocket = Pick<WebSocket, 'on' | 'send' | 'ping' | 'close' | 'terminate' | 'bufferedAmount' | 'extensions' | 'readyState' | 'OPEN'>;

/**
 * A data channel seen as a ws WebSocket by Session:
 * - `message` (Buffer, isBinary) per channel message; text messages arrive as not binary, so
 *   the session answers them CODEC_WRONG_FRAME_TYPE exactly as /ws does.
 * - `send` paces: over CHANNEL_HIGH_WATER_BYTES in werift's buffer, frames wait here and
 *   drain on bufferedamountlow. `bufferedAmount` counts both, so the session's queue limit,
 *   conflation and slow-consumer close apply as on /ws.
 * - `ping` is answered by `isAlive()` (the ICE connection state): a data channel has no ping
 *   frame and the peerjs client would not answer one; ICE consent checks find a dead path.
 * - `close(code)` lets the queued frames (the session's Error with the reason) leave first:
 *   a data channel carries no close code; `terminate()` cuts it short.
 * - `extensions` is non-empty: SessionOutput then sends market data as payloads, never as the
 *   pre-framed WebSocket bytes it writes to a raw socket; `_socket` takes its cork/uncork.
 */
export class ChannelSocket extends EventEmitter {
  readonly OPEN = 1;
  readonly extensions = 'webrtc-datachannel';
  /** SessionOutput corks the socket it finds here; a data channel has nothing to cork. */
  readonly _socket = { cork(): void {}, uncork(): void {} };
  readyState = 1;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private closeCode: number | undefined;
  private ended = false;

  constructor(
    private readonly channel: ChannelLike,
    private readonly isAlive: () => boolean,
    /** Sees each incoming frame first; false = refused there (it answered), the session never sees it. */
    private readonly admit: (data: Buffer, isBinary: boolean) => boolean,
    /** Called once the socket has ended (after the close event): tear the connection down. */
    private readonly onEnd: () => void,
  ) {
    super();
    channel.bufferedAmountLowThreshold = CHANNEL_LOW_WATER_BYTES;
    channel.onMessage.subscribe((data) => {
      if (this.readyState !== this.OPEN) return;
      const isBinary = typeof data !== 'string';
      const buf = isBinary ? data : Buffer.from(data);
      if (this.admit(buf, isBinary)) this.emit('message', buf, isBinary);
    });
    channel.bufferedAmountLow.subscribe(() => this.drain());
    channel.stateChanged.subscribe((s) => {
      if (s === 'closing' || s === 'closed') this.end(this.closeCode ?? 1006);
    });
  }

  get bufferedAmount(): number {
    return this.channel.bufferedAmount + this.queuedBytes;
  }

  send(data: Buffer | string): void {
    if (this.readyState !== this.OPEN) return;
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    if (this.queue.length > 0 || this.channel.bufferedAmount > CHANNEL_HIGH_WATER_BYTES) {
      this.queue.push(buf);
      this.queuedBytes += buf.length;
      return;
    }
    this.write(buf);
  }

  ping(): void {
    if (this.readyState === this.OPEN && this.isAlive()) queueMicrotask(() => this.emit('pong'));
  }

  close(code = 1000, _reason?: string): void {
    if (this.closeCode !== undefined || this.ended) return;
    this.closeCode = code;
    this.readyState = 2;
    // No deadline of its own: the session calls terminate() when its close has waited long enough
    // (1 s, 10 s after an Error, 2.5 s on shutdown), as it does with a ws socket.
    const finish = (): void => {
      if (this.ended) return;
      this.drain();
      if ((this.queue.length > 0 || this.channel.bufferedAmount > 0) && this.channel.readyState === 'open') {
        setTimeout(finish, 10).unref();
        return;
      }
      this.terminate();
    };
    finish();
  }

  terminate(): void {
    this.end(this.closeCode ?? 1006);
  }

  private write(buf: Buffer): void {
    if (this.channel.readyState !== 'open') return;
    try {
      this.channel.send(buf);
    } catch (err) {
      this.emit('error', err);
      this.end(1006);
    }
  }

  private drain(): void {
    while (this.queue.length > 0 && this.channel.bufferedAmount <= CHANNEL_HIGH_WATER_BYTES) {
      const buf = this.queue.shift() as Buffer;
      this.queuedBytes -= buf.length;
      this.write(buf);
    }
  }

  private end(code: number): void {
    if (this.ended) return;
    this.ended = true;
    this.readyState = 3;
    this.queue.length = 0;
    this.queuedBytes = 0;
    try {
      this.channel.close();
    } catch {
      // already closed underneath
    }
    this.emit('close', code, Buffer.alloc(0));
    this.onEnd();
  }

  /** Session takes a `ws` WebSocket; this is the one place the channel stands in for it. */
  asWebSocket(): WebSocket {
    const socket: SessionSocket = this as unknown as SessionSocket;
    return socket as unknown as WebSocket;
  }
}
