import { signFrame, type FrameSigner } from '@tickmesh/shared';
import type { Logger } from 'pino';
import type { RelayMetrics } from '../metrics/relay-metrics';
import type { EncodedFrame } from './encoded-frame';

/** Limits of a SignedBatchPipeline; defaults written out on each field. */
export interface SignedBatchPipelineOptions {
  /**
   * Batches of one stream waiting for their signature before further ones are dropped (counted
   * as `tickmesh_md_sign_dropped_total{reason="backlog"}`): a signer that cannot keep up must
   * not grow the relay's memory without bound; peers repair or resync what is missing. Default 256.
   */
  maxPendingPerStream: number;
}

export const DEFAULT_SIGNED_BATCH_PIPELINE_OPTIONS: Readonly<SignedBatchPipelineOptions> = Object.freeze({
  maxPendingPerStream: 256,
});

/** Receives each signed frame (`MeshMessage { frame }`), in seq order per stream. */
export type SignedFramePublisher = (streamId: number, epoch: number, seq: number, message: Uint8Array) => void;

interface StreamTail {
  /** Settles once every earlier batch of the stream has been published (or dropped). */
  tail: Promise<void>;
  pending: number;
}

/**
 * Signs every market-data batch once, off the fan-out's hot path: `push` only starts the
 * signature (WebCrypto works on its own threads) and returns, so direct subscribers, who got
 * the unsigned frame in the same flush, never wait for it. Signatures may finish out of order;
 * a promise chain per stream hands them to the publisher strictly in seq order, which the
 * mesh coordinator requires.
 */
export class SignedBatchPipeline {
  private readonly options: SignedBatchPipelineOptions;
  private readonly streams = new Map<number, StreamTail>();
  private closed = false;

  constructor(
    private readonly signer: FrameSigner,
    private readonly publish: SignedFramePublisher,
    private readonly metrics: RelayMetrics,
    private readonly log: Logger,
    options: Partial<SignedBatchPipelineOptions> = {},
  ) {
    this.options = { ...DEFAULT_SIGNED_BATCH_PIPELINE_OPTIONS, ...options };
  }

  /** Signs one batch (its /ws bytes, encoded once by EncodedFrame) and publishes it when its turn comes. */
  push(frame: EncodedFrame): void {
    if (this.closed || frame.kind !== 'batch') return; // snapshots come from the relay directly, never via the mesh
    const { streamId, epoch, seq } = frame.data;
    let st = this.streams.get(streamId);
    if (!st) this.streams.set(streamId, (st = { tail: Promise.resolve(), pending: 0 }));
    if (st.pending >= this.options.maxPendingPerStream) {
      this.metrics.mdSignDropped.inc({ reason: 'backlog' });
      return;
    }
    st.pending++;
    const start = performance.now();
    const signed = signFrame(this.signer, streamId, epoch, seq, frame.proto.payload as Buffer);
    // Marks the rejection handled now: the chain below may reach it only after it settled.
    signed.catch(() => {});
    const s = st;
    s.tail = s.tail
      .then(() => signed)
      .then(
        (message) => {
          s.pending--;
          if (this.closed) return;
          this.metrics.mdSigned.inc();
          this.metrics.mdSignLatency.observe((performance.now() - start) / 1000);
          try {
            this.publish(streamId, epoch, seq, message);
          } catch (err) {
            this.log.error({ err, streamId, seq }, 'mesh publish failed');
          }
        },
        (err: unknown) => {
          s.pending--;
          this.metrics.mdSignDropped.inc({ reason: 'error' });
          this.log.error({ err, streamId, seq }, 'signing a market-data batch failed');
        },
      );
  }

  /** Resolves once every batch pushed so far has been published or dropped (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.streams.values()].map((s) => s.tail));
  }

  /** Publishes nothing more; signatures in flight are discarded. */
  close(): void {
    this.closed = true;
  }
}
