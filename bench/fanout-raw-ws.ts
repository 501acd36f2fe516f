/**
 * The cheapest WebSocket client that still speaks the protocol, for the fan-out benches'
 * load processes: one net.Socket, the HTTP upgrade written by hand, and a frame scanner that
 * hands each message to the caller as (buffer, start, end) without copying, decoding or
 * emitting anything. `ws` as a client costs several times the relay's own work per frame
 * (its Receiver is a Writable stream with events per frame), which made the old single client
 * process the bottleneck of the bench. Server frames are never masked, fragmented messages are
 * not used by any server measured here (counted as `errors` if seen); pings are answered.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export type MessageHandler = (buf: Buffer, start: number, end: number, binary: boolean) => void;

const CRLF2 = Buffer.from('\r\n\r\n');

export class RawWsClient {
  private socket: Socket | undefined;
  private pending: Buffer | undefined;
  private upgraded = false;
  /** Frames this scanner could not take (fragments, bad headers). */
  errors = 0;
  closed = false;

  constructor(private readonly onMessage: MessageHandler) {}

  /** Connects and completes the upgrade; resolves once frames may be sent. */
  open(host: string, port: number, path: string, localAddress?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port, localAddress, noDelay: true });
      this.socket = s;
      s.once('connect', () => {
        s.write(
          `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      s.on('data', (chunk: Buffer) => {
        if (this.upgraded) return this.scan(chunk);
        const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
        const end = buf.indexOf(CRLF2);
        if (end < 0) {
          this.pending = buf;
          return;
        }
        this.pending = undefined;
        if (!buf.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101')) {
          reject(new Error(`upgrade refused: ${buf.subarray(0, end).toString('latin1').split('\r\n')[0]}`));
          s.destroy();
          return;
        }
        this.upgraded = true;
        resolve();
        if (end + 4 < buf.length) this.scan(buf.subarray(end + 4));
      });
      s.once('error', (e) => {
        this.closed = true;
        reject(e);
      });
      s.once('close', () => (this.closed = true));
    });
  }

  private scan(chunk: Buffer): void {
    let buf = chunk;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let p = 0;
    const n = buf.length;
    while (n - p >= 2) {
      const b0 = buf[p]!;
      let len = buf[p + 1]! & 0x7f;
      let h = 2;
      if (len === 126) {
        if (n - p < 4) break;
        len = buf.readUInt16BE(p + 2);
        h = 4;
      } else if (len === 127) {
        if (n - p < 10) break;
        len = buf.readUInt32BE(p + 2) * 2 ** 32 + buf.readUInt32BE(p + 6);
        h = 10;
      }
      if (n - p < h + len) break;
      const start = p + h;
      const end = start + len;
      const opcode = b0 & 0x0f;
      if ((b0 & 0x80) === 0 || opcode === 0) this.errors++;
      else if (opcode === 1 || opcode === 2) this.onMessage(buf, start, end, opcode === 2);
      else if (opcode === 9) this.send(0x0a, buf.subarray(start, end));
      else if (opcode === 8) this.socket!.end();
      p = end;
    }
    if (p < n) this.pending = buf.subarray(p);
  }

  /** Sends one masked frame (opcode 1 text, 2 binary, 10 pong). */
  send(opcode: number, payload: Buffer | string): void {
    const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const len = data.length;
    const h = len < 126 ? 6 : 8;
    const frame = Buffer.allocUnsafe(h + len);
    frame[0] = 0x80 | opcode;
    if (len < 126) frame[1] = 0x80 | len;
    else {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(len, 2);
    }
    const mask = randomBytes(4);
    mask.copy(frame, h - 4);
    for (let i = 0; i < len; i++) frame[h + i] = data[i]! ^ mask[i & 3]!;
    this.socket!.write(frame);
  }

  sendText(text: string): void {
    this.send(1, text);
  }

  sendBinary(data: Uint8Array): void {
    this.send(2, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  destroy(): void {
    this.socket?.destroy();
  }
}

/**
 * Reads a protobuf `ServerMessage { book_batch }` frame's `time_us` without decoding it: the
 * relay's encoder writes time_us (field 9, tag 0x48) last, so the frame ends with its varint.
 * Returns -1 for any other frame (or if the layout ever changes: checked against a full decode
 * on each connection's first batch by the caller).
 */
export function protoBatchTimeUs(buf: Buffer, start: number, end: number): number {
  // ServerMessage.book_batch = 21, length-delimited: tag bytes 0xaa 0x01.
  if (end - start < 4 || buf[start] !== 0xaa || buf[start + 1] !== 0x01) return -1;
  let p = end - 2;
  while (p > start && buf[p]! >= 0x80) p--;
  if (buf[p] !== 0x48) return -1;
  let v = 0;
  let mul = 1;
  for (let i = p + 1; i < end; i++) {
    v += (buf[i]! & 0x7f) * mul;
    mul *= 128;
  }
  return v;
}

const TIME_KEY = Buffer.from('"timeUs":');

/** Reads the first `"timeUs":<digits>` of a JSON text frame without parsing it (-1 if absent). */
export function jsonTimeUs(buf: Buffer, start: number, end: number): number {
  const at = buf.indexOf(TIME_KEY, start);
  if (at < 0 || at >= end) return -1;
  let v = 0;
  for (let i = at + TIME_KEY.length; i < end; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  return v;
}

/** Publish -> receive latencies in 10 µs buckets up to 2 s (one counter per bucket; merged by adding). */
export class LatencyHistogram {
  static readonly BUCKET_US = 10;
  static readonly BUCKETS = 200_000;
  readonly counts = new Uint32Array(LatencyHistogram.BUCKETS + 1);
  maxUs = 0;
  total = 0;

  add(us: number): void {
    const b = us <= 0 ? 0 : Math.min(LatencyHistogram.BUCKETS, Math.floor(us / LatencyHistogram.BUCKET_US));
    this.counts[b]!++;
    this.total++;
    if (us > this.maxUs) this.maxUs = us;
  }

  /** Non-empty buckets as [bucket, count] pairs, for sending to the parent. */
  sparse(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i]) out.push(i, this.counts[i]!);
    return out;
  }

  merge(sparse: readonly number[], maxUs: number): void {
    for (let i = 0; i < sparse.length; i += 2) {
      this.counts[sparse[i]!]! += sparse[i + 1]!;
      this.total += sparse[i + 1]!;
    }
    if (maxUs > this.maxUs) this.maxUs = maxUs;
  }

  /** Upper edge of the bucket holding the p-th percentile (nearest rank), in µs. */
  percentile(p: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return i === LatencyHistogram.BUCKETS ? this.maxUs : Math.min(this.maxUs, (i + 1) * LatencyHistogram.BUCKET_US);
    }
    return this.maxUs;
  }
}
