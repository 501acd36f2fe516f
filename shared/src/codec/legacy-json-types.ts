import type { Instrument } from '../model/instrument';
import type { BookBatch, BookSnapshot, Trade } from '../model/market-data';

/**
 * Domain view of the legacy JSON protocol on /ws/json (see LEGACY-JSON.md for the wire
 * shapes). Market data decodes to the same domain types as protobuf (BookBatch, BookSnapshot,
 * Trade, in ticks and lots), so one contract suite checks both codecs.
 */

/** Legacy channels: `marketData` = trades, `book` = level updates and snapshots. */
export type LegacyChannel = 'marketData' | 'book';

export const LEGACY_CHANNELS: readonly LegacyChannel[] = ['marketData', 'book'];

/** Messages a legacy client sends. */
export type LegacyClientMsg =
  | { type: 'subscribe'; channel: LegacyChannel; symbols: string[] }
  | { type: 'unsubscribe'; channel: LegacyChannel; symbols: string[] }
  | { type: 'ping'; nonce: number; timeUs: number }
  | { type: 'pong'; nonce: number; timeUs: number };

/** Control messages the relay sends to a legacy client (market data has its own encoders). */
export type LegacyServerControlMsg =
  | { type: 'welcome'; sessionId: string; serverTimeUs: number; heartbeatMs: number; instruments: Instrument[] }
  | { type: 'subscribed'; channel: LegacyChannel; symbols: string[] }
  | { type: 'unsubscribed'; channel: LegacyChannel; symbols: string[] }
  | { type: 'ping'; nonce: number; timeUs: number }
  | { type: 'pong'; nonce: number; timeUs: number }
  | { type: 'error'; code: string; message: string };

/** Anything a legacy client receives, decoded to domain values. */
export type LegacyServerMsg =
  | LegacyServerControlMsg
  | { type: 'marketData'; symbol: string; venue: string; trade: Trade }
  | { type: 'book'; symbol: string; venue: string; batch: BookBatch }
  | { type: 'bookSnapshot'; symbol: string; venue: string; snapshot: BookSnapshot };

/** Finds the instrument of a (venue, symbol) stream; legacy floats need its tick and lot. */
export type InstrumentLookup = (venue: string, symbol: string) => Instrument | undefined;
