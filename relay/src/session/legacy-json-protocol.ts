import { ErrorCode, fail, legacyDecodeClient, legacyEncodeServer, ok, type LegacyChannel, type Result, type ServerMsg } from '@tickmesh/shared';
import type { EncodedFrame } from '../md/encoded-frame';
import type { WireFrame } from '../md/wire-frame';
import type { MarketDataSource } from '../md/market-data-source';
import type { SessionRequest, StreamSubscription, WireProtocol } from './wire-protocol';

/**
 * /ws/json: the legacy JSON protocol (shared/src/codec/LEGACY-JSON.md). Legacy clients
 * subscribe by symbol and channel (`marketData` = trades, `book` = levels); the session's
 * subscription records which channels each stream carries.
 */
export function legacyJsonProtocol(md: MarketDataSource): WireProtocol {
  const symbolsOf = (streamIds: number[]) => [...new Set(streamIds.map((id) => md.stream(id)?.instrument.symbol ?? ''))].filter(Boolean);
  const channelOf = (req: SessionRequest | undefined): LegacyChannel => (req?.channels?.book ? 'book' : 'marketData');
  return {
    name: 'json',
    decode(data: Buffer, isBinary: boolean): Result<SessionRequest> {
      if (isBinary) return fail(ErrorCode.CODEC_WRONG_FRAME_TYPE, 'this endpoint takes JSON text frames; use /ws for protobuf');
      const r = legacyDecodeClient(data.toString('utf8'));
      if (!r.ok) return r;
      const m = r.value;
      switch (m.type) {
        case 'subscribe':
        case 'unsubscribe':
          return ok({
            msg: { type: m.type, requestId: 0, streamIds: [], symbols: m.symbols },
            channels: { book: m.channel === 'book', trades: m.channel === 'marketData' },
          });
        case 'ping':
        case 'pong':
          return ok({ msg: { type: m.type, requestId: 0, nonce: m.nonce, timeUs: m.timeUs } });
      }
    },
    encode(msg: ServerMsg, req?: SessionRequest): string | null {
      switch (msg.type) {
        case 'welcome':
          return legacyEncodeServer({ type: 'welcome', sessionId: msg.sessionId, serverTimeUs: msg.serverTimeUs, heartbeatMs: msg.heartbeatMs, instruments: msg.instruments });
        case 'error':
          return legacyEncodeServer({ type: 'error', code: msg.code, message: msg.message });
        case 'ping':
        case 'pong':
          return legacyEncodeServer({ type: msg.type, nonce: msg.nonce, timeUs: msg.timeUs });
        case 'subscribed':
        case 'unsubscribed':
          return legacyEncodeServer({ type: msg.type, channel: channelOf(req), symbols: symbolsOf(msg.streamIds) });
        default:
          // Orders and the rest of the enhanced protocol do not exist on the legacy endpoint.
          return null;
      }
    },
    marketData(frame: EncodedFrame, sub: StreamSubscription, write: (frame: WireFrame) => void): void {
      if (sub.book) {
        const book = frame.legacyBook;
        if (book !== null) write(book);
      }
      if (sub.trades) for (const t of frame.legacyTrades) write(t);
    },
  };
}
