import { concatChunks, decodeServer, encodeClient, RecordingWriter, wallClockUs } from '@tickmesh/shared';
import { WebSocket } from 'ws';

/** Options of {@link recordFromRelay}. */
export interface RecordFromRelayOptions {
  /** RecordingHeader.created_by. Default "tickmesh recordFromRelay". */
  createdBy?: string;
  /** Give up if the relay has not said welcome within this many ms. Default 5000. */
  connectTimeoutMs?: number;
}


/**
 * Records a relay's /ws market data for `durationMs` into a recording file (RECORDING-FORMAT.md):
 * connects with `token`, takes the instruments from the welcome, subscribes to `symbols` (every
 * venue's stream of each) and keeps every frame received, byte for byte, with its receive time.
 * For tests and sample files; the PWA records in its worker.
 * @param url the relay's base URL, http(s):// or ws(s)://
 */
export async function recordFromRelay(
  url: string,
  token: string,
  symbols: readonly string[],
  durationMs: number,
  options: RecordFromRelayOptions = {},
): Promise<Uint8Array> {
  const base = url.replace(/^http/, 'ws').replace(/\/+$/, '');
  const ws = new WebSocket(`${base}/ws?access_token=${encodeURIComponent(token)}`);
  ws.binaryType = 'nodebuffer';
  const chunks: Uint8Array[] = [];
  let writer: RecordingWriter | undefined;
  let lastUs = 0;
  return new Promise<Uint8Array>((resolve, reject) => {
    let stopTimer: NodeJS.Timeout | undefined;
    const connectTimer = setTimeout(() => fail(new Error(`no welcome from ${base} within ${options.connectTimeoutMs ?? 5000} ms`)), options.connectTimeoutMs ?? 5000);
    const fail = (err: Error) => {
      clearTimeout(connectTimer);
      clearTimeout(stopTimer);
      ws.terminate();
      reject(err);
    };
    ws.on('error', (err) => fail(err));
    ws.on('close', (code) => {
      clearTimeout(connectTimer);
      clearTimeout(stopTimer);
      if (writer) resolve(concatChunks(chunks));
      else reject(new Error(`relay closed the connection (${code}) before its welcome`));
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      const now = Math.max(lastUs, wallClockUs());
      lastUs = now;
      const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      const r = decodeServer(frame);
      const msg = r.ok ? r.value : undefined;
      if (!writer) {
        if (msg?.type !== 'welcome') return;
        clearTimeout(connectTimer);
        writer = new RecordingWriter({
          createdBy: options.createdBy ?? 'tickmesh recordFromRelay',
          createdTimeUs: now,
          instruments: msg.instruments,
        });
        chunks.push(writer.head);
        ws.send(encodeClient({ type: 'subscribe', requestId: 1, streamIds: [], symbols: [...symbols] }));
        stopTimer = setTimeout(() => ws.close(1000), durationMs);
      }
      const streamId = msg && (msg.type === 'bookSnapshot' || msg.type === 'bookBatch') ? msg.streamId : 0;
      chunks.push(writer.append({ streamId, receiveTimeUs: now, frame }));
    });
  });
}
