import * as ws from 'ws';

interface FrameBuilder {
  frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[];
}
/** ws's frame builder: a named export of ws's ESM entry (WebSocket.Sender in CommonJS), missing from @types/ws. */
const wsExports = ws as unknown as { Sender?: FrameBuilder; default?: { Sender?: FrameBuilder } };
const Sender = (wsExports.Sender ?? wsExports.default?.Sender)!;

/**
 * One market-data message as it goes to every subscriber: the payload, and (made once, on
 * first use) the complete WebSocket frame around it. Server frames are unmasked, so the very
 * same frame bytes are valid on every uncompressed connection: the fan-out writes them to each
 * socket instead of having ws frame the payload again per client.
 */
export class WireFrame {
  private framed: Buffer | undefined;

  constructor(
    readonly payload: Buffer | string,
    readonly binary: boolean,
  ) {}

  get byteLength(): number {
    return typeof this.payload === 'string' ? Buffer.byteLength(this.payload) : this.payload.length;
  }

  /** The whole WebSocket frame (header + payload), FIN set, unmasked, uncompressed. */
  get wire(): Buffer {
    if (this.framed === undefined) {
      const data = typeof this.payload === 'string' ? Buffer.from(this.payload) : this.payload;
      const parts = Sender.frame(data, { fin: true, opcode: this.binary ? 2 : 1, mask: false, readOnly: false, rsv1: false });
      this.framed = Buffer.concat(parts);
    }
    return this.framed;
  }
}
