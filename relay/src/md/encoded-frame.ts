import { encodeBookBatch, encodeBookSnapshot, legacyEncodeBook, legacyEncodeTrades } from '@tickmesh/shared';
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
