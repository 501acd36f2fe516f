import { encodeBookBatch, encodeBookDelta, encodeBookSnapshot, legacyEncodeBook, legacyEncodeTrades } from '@tickmesh/shared';
import type { BookBatch, BookSnapshot } from '@tickmesh/shared';
import type { MdStreamRef } from './market-data-source';
import { WireFrame } from './wire-frame';

/**
 * One batch or snapshot of one stream, encoded at most once per protocol and then handed as
 * the very same bytes to every subscriber of that protocol (DESIGN.md: encode once per batch).
 * Each encoding is made on first use, so a stream nobody reads as legacy JSON never pays for it.
 */
export class EncodedFrame {
  private protoFrame: WireFrame | undefined;
  private compactFrame: WireFrame | undefined;
  /** Bytes received from elsewhere (ofProto): never re-encoded, in any form. */
  private forwarded = false;
  private legacyBookFrame: WireFrame | null | undefined;
  private legacyTradeFrames: WireFrame[] | undefined;

  constructor(
    readonly stream: MdStreamRef,
    readonly kind: 'batch' | 'snapshot',
    readonly data: BookBatch | BookSnapshot,
  ) {}

  /**
   * A frame whose /ws bytes were encoded elsewhere (an edge forwards the md node's bytes, see
   * relay/src/cluster/): they go out as they came, never encoded again. `data` is their decoding.
   */
  static ofProto(stream: MdStreamRef, kind: 'batch' | 'snapshot', data: BookBatch | BookSnapshot, bytes: Uint8Array): EncodedFrame {
    const frame = new EncodedFrame(stream, kind, data);
    frame.protoFrame = new WireFrame(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), true);
    frame.forwarded = true;
    return frame;
  }

  get seq(): number {
    return this.data.seq;
  }

  /** The ServerMessage frame for /ws. */
  get proto(): WireFrame {
    if (this.protoFrame === undefined) {
      const bytes = this.kind === 'batch' ? encodeBookBatch(this.data as BookBatch) : encodeBookSnapshot(this.data as BookSnapshot);
      // ws would wrap a Uint8Array into a Buffer on every send; wrap once here instead.
      this.protoFrame = new WireFrame(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), true);
    }
    return this.protoFrame;
  }

  /**
   * The frame for a /ws session that negotiated the "book_delta" feature (Hello.features): a
   * batch as `ServerMessage { book_delta }` (about 28% smaller, bench/codec.bench.ts), encoded once
   * for all such sessions. Snapshots, batches the compact form cannot carry, and frames an edge
   * forwards as received are the `proto` frame itself, which those sessions decode as well.
   */
  get compact(): WireFrame {
    if (this.compactFrame === undefined) {
      const bytes = this.kind === 'batch' && !this.forwarded ? encodeBookDelta(this.data as BookBatch) : undefined;
      this.compactFrame = bytes ? new WireFrame(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), true) : this.proto;
    }
    return this.compactFrame;
  }

  /** The legacy JSON book message for /ws/json, or null when a batch changed no level. */
  get legacyBook(): WireFrame | null {
    if (this.legacyBookFrame === undefined) {
      const d = this.data;
      const empty = this.kind === 'batch' && d.bids.price.length === 0 && d.asks.price.length === 0;
      this.legacyBookFrame = empty ? null : new WireFrame(legacyEncodeBook(this.stream.instrument, this.kind, d), false);
    }
    return this.legacyBookFrame;
  }

  /** The legacy JSON trade messages (one per trade, as the legacy protocol has it). */
  get legacyTrades(): WireFrame[] {
    if (this.legacyTradeFrames === undefined) {
      const trades = this.kind === 'batch' ? (this.data as BookBatch).trades : [];
      this.legacyTradeFrames = trades.length === 0 ? [] : legacyEncodeTrades(this.stream.instrument, trades).map((t) => new WireFrame(t, false));
    }
    return this.legacyTradeFrames;
  }
}
