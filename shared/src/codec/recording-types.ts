/**
 * Market-data recording files: domain types and constants (format: RECORDING-FORMAT.md,
 * messages: proto/recording.proto). Written by RecordingWriter, read by readRecording.
 */
import type { Instrument } from '../model/instrument';
import type { Reason } from '../model/result';

/** Format version this build writes and reads; the digit in the magic. */
export const RECORDING_VERSION = 1;

/** The first 7 bytes of a version-1 file: ASCII "TMREC1\n". */
export const RECORDING_MAGIC: Uint8Array = /* @__PURE__ */ new Uint8Array([0x54, 0x4d, 0x52, 0x45, 0x43, 0x31, 0x0a]);

/** Largest record payload a reader accepts (a longer length is damage, not data). 16 MiB + 64 KiB. */
export const RECORDING_MAX_RECORD_BYTES = 16 * 1024 * 1024 + 65_536;

/** What describes a whole recording; its first record. */
export interface RecordingHeader {
  /** Format version (RECORDING_VERSION). */
  version: number;
  /** Free text naming the writer, e.g. "tickmesh-web 1.0" or "recordFromRelay". */
  createdBy: string;
  /** µs since the Unix epoch. */
  createdTimeUs: number;
  /** Instruments as the recorded relay listed them (its stream ids, venues and symbols). */
  instruments: Instrument[];
}

/** One received WebSocket frame. */
export interface RecordedFrame {
  /** Stream of a book frame (its BookSnapshot/BookBatch stream_id); 0 for any other frame. */
  streamId: number;
  /** When the recorder received the frame, µs since the Unix epoch. Non-decreasing in a file. */
  receiveTimeUs: number;
  /** The exact `ServerMessage` bytes as received. */
  frame: Uint8Array;
}

/** A recording read back. */
export interface Recording {
  header: RecordingHeader;
  frames: RecordedFrame[];
}

export type RecordingErrorCode =
  | 'RECORDING_BAD_MAGIC'
  | 'RECORDING_UNSUPPORTED_VERSION'
  | 'RECORDING_TRUNCATED'
  | 'RECORDING_CORRUPT';

/** Where and why a file stops being readable. */
export interface RecordingDamage extends Reason<RecordingErrorCode> {
  /** Frames read intact before the damage (all returned in `partial`). */
  intactFrames: number;
  /** Byte offset of the first record that could not be read (0 for the magic). */
  offset: number;
}

/**
 * readRecording's outcome. On damage, `partial` still holds the header and every intact
 * frame before the damage (undefined when the magic or the header itself is unreadable).
 */
export type RecordingReadResult =
  | { ok: true; value: Recording }
  | { ok: false; reason: RecordingDamage; partial: Recording | undefined };
