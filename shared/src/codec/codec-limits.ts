/**
 * Resource limits applied while decoding (DESIGN.md house style 5: every limit is an option
 * with a safe default). Exceeding one yields `CODEC_INVALID_FIELD`, or
 * `CODEC_PAYLOAD_TOO_LARGE` for the frame size.
 */
export interface CodecLimits {
  /** Max characters of ids, symbols, venues, codes, accounts. Default 64. */
  maxIdLength: number;
  /** Max characters of free text (error message, reject reason, client name). Default 1024. */
  maxTextLength: number;
  /** Max characters of an access token. Default 4096. */
  maxTokenLength: number;
  /** Max entries of a stream-id or symbol list (subscribe, subscribed …). Default 1000. */
  maxListLength: number;
  /** Max level changes per side in one book frame. Default 10000. */
  maxLevels: number;
  /** Max trades in one book frame. Default 10000. */
  maxTrades: number;
  /** Max instruments in one welcome / instrument list. Default 10000. */
  maxInstruments: number;
  /** Max bytes of the market-data public key. Default 1024. */
  maxKeyBytes: number;
  /** Max size of one client frame (bytes of protobuf, characters of JSON). Default 65536. */
  maxClientFrameBytes: number;
  /** Max size of one server frame (a deep snapshot is large). Default 16 MiB. */
  maxServerFrameBytes: number;
}

export const DEFAULT_CODEC_LIMITS: Readonly<CodecLimits> = Object.freeze({
  maxIdLength: 64,
  maxTextLength: 1024,
  maxTokenLength: 4096,
  maxListLength: 1000,
  maxLevels: 10_000,
  maxTrades: 10_000,
  maxInstruments: 10_000,
  maxKeyBytes: 1024,
  maxClientFrameBytes: 65_536,
  maxServerFrameBytes: 16 * 1024 * 1024,
});

/** Defaults with some limits overridden; build once and pass the result to every decode. */
export function codecLimits(overrides: Partial<CodecLimits> = {}): Readonly<CodecLimits> {
  return Object.freeze({ ...DEFAULT_CODEC_LIMITS, ...overrides });
}
