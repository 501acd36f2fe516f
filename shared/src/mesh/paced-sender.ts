import type { MeshTransport } from './mesh-transport';

/** Backpressure limits of `PacedSender`. */
export interface PacedSenderOptions {
  /** Do not hand a link more while its bufferedAmount is above this. Default 262144 (256 KiB). */
  highWaterBytes: number;
  /** Bytes held back per link beyond that; more are dropped (the receiver repairs). Default 1048576. */
  maxQueuedBytes: number;
}

export const DEFAULT_PACED_SENDER_OPTIONS: Readonly<PacedSenderOptions> = Object.freeze({
  highWaterBytes: 256 * 1024,
  maxQueuedBytes: 1024 * 1024,
});

interface Queue {
  items: Uint8Array[];
  head: number;
  bytes: number;
}

/**
 * Sends over a transport without letting one slow link grow unbounded buffers: while a link's
 * bufferedAmount is above the high-water mark, messages wait in a bounded per-link queue that
 * `pump` drains as the link empties (on bufferedamountlow and on the node's maintenance tick);
 * when that queue is full the message is dropped and counted, and the link is reported slow.
 * Order per link is kept: nothing bypasses a non-empty queue.
 */
export class PacedSender {
  private readonly queues = new Map<string, Queue>();
  /** Messages dropped because a link's queue was full. */
  dropped = 0;

  constructor(private readonly transport: MeshTransport, private readonly options: PacedSenderOptions = DEFAULT_PACED_SENDER_OPTIONS) {}

  /** Sends or queues; false when dropped (the link is slow). */
  send(peerId: string, bytes: Uint8Array): boolean {
    const q = this.queues.get(peerId);
    if ((q === undefined || q.head === q.items.length) && this.transport.bufferedAmount(peerId) <= this.options.highWaterBytes) {
      this.transport.send(peerId, bytes);
      return true;
    }
    const queue = q ?? this.newQueue(peerId);
    if (queue.bytes + bytes.length > this.options.maxQueuedBytes) {
      this.dropped++;
      return false;
    }
    queue.items.push(bytes);
    queue.bytes += bytes.length;
    return true;
  }

  /** Moves queued messages to the link while it is below the high-water mark. */
  pump(peerId: string): void {
    const q = this.queues.get(peerId);
    if (!q) return;
    while (q.head < q.items.length && this.transport.bufferedAmount(peerId) <= this.options.highWaterBytes) {
      const b = q.items[q.head]!;
      q.items[q.head++] = undefined as unknown as Uint8Array;
      q.bytes -= b.length;
      this.transport.send(peerId, b);
    }
    if (q.head === q.items.length) this.queues.delete(peerId);
  }

  pumpAll(): void {
    for (const id of [...this.queues.keys()]) this.pump(id);
  }

  queuedBytes(peerId: string): number {
    return this.queues.get(peerId)?.bytes ?? 0;
  }

  /** Forgets a closed link's queue. */
  forget(peerId: string): void {
    this.queues.delete(peerId);
  }

  private newQueue(peerId: string): Queue {
    const q: Queue = { items: [], head: 0, bytes: 0 };
    this.queues.set(peerId, q);
    return q;
  }
}
