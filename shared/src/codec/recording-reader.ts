/**
 * Reads recording files (RECORDING-FORMAT.md). Never throws on file contents: damage is a
 * value with a stable RECORDING_* code, the byte offset of the first unreadable record, and
 * every frame read intact before it, so a cut or damaged file still yields what it holds.
 */
import { crc32 } from '../book/checksum';
import { DEFAULT_CODEC_LIMITS } from './codec-limits';
import { checkText, checkUint } from './field-checks';
import { instrumentFromProto } from './proto-server-map';
import { pb, type tickmesh } from './proto-types';
import {
  RECORDING_MAGIC,
  RECORDING_MAX_RECORD_BYTES,
  RECORDING_VERSION,
  type RecordedFrame,
  type RecordingErrorCode,
  type RecordingHeader,
  type RecordingReadResult,
} from './recording-types';

/** Options of readRecording. */
export interface ReadRecordingOptions {
  /** Largest record payload accepted; a longer declared length is RECORDING_CORRUPT. Default RECORDING_MAX_RECORD_BYTES. */
  maxRecordBytes?: number;
}

type RecordScan = { kind: 'record'; payload: Uint8Array; next: number } | { kind: 'end' } | { kind: 'damage'; code: RecordingErrorCode; message: string };

const MAGIC_PREFIX = 5; // "TMREC"
const DIGIT_0 = 0x30;

/** Parses a whole file held in memory. */
export function readRecording(bytes: Uint8Array, options: ReadRecordingOptions = {}): RecordingReadResult {
  const max = options.maxRecordBytes ?? RECORDING_MAX_RECORD_BYTES;
  const magic = checkMagic(bytes);
  if (magic !== undefined) return damage(magic.code, magic.message, 0, 0, undefined);

  let pos = RECORDING_MAGIC.length;
  const first = scanRecord(bytes, pos, max);
  if (first.kind === 'end') return damage('RECORDING_TRUNCATED', 'file ends before the header record', pos, 0, undefined);
  if (first.kind === 'damage') return damage(first.code, `header record: ${first.message}`, pos, 0, undefined);
  let header: RecordingHeader;
  try {
    header = headerFromProto(pb.RecordingHeader.decode(first.payload));
  } catch (e) {
    return damage('RECORDING_CORRUPT', `header record: ${(e as Error).message}`, pos, 0, undefined);
  }
  if (header.version !== RECORDING_VERSION) {
    return damage('RECORDING_UNSUPPORTED_VERSION', `header says version ${header.version}, the magic ${RECORDING_VERSION}`, pos, 0, undefined);
  }
  pos = first.next;

  const frames: RecordedFrame[] = [];
  for (;;) {
    const r = scanRecord(bytes, pos, max);
    if (r.kind === 'end') return { ok: true, value: { header, frames } };
    if (r.kind === 'damage') return damage(r.code, `frame ${frames.length + 1}: ${r.message}`, pos, frames.length, { header, frames });
    try {
      const m = pb.RecordedFrame.decode(r.payload);
      frames.push({
        streamId: checkUint(m.streamId, 'streamId'),
        receiveTimeUs: checkUint(m.receiveTimeUs, 'receiveTimeUs'),
        frame: m.frame,
      });
    } catch (e) {
      return damage('RECORDING_CORRUPT', `frame ${frames.length + 1}: ${(e as Error).message}`, pos, frames.length, { header, frames });
    }
    pos = r.next;
  }
}

function checkMagic(bytes: Uint8Array): { code: RecordingErrorCode; message: string } | undefined {
  const n = Math.min(bytes.length, RECORDING_MAGIC.length);
  for (let i = 0; i < n; i++) {
    if (i === MAGIC_PREFIX) {
      const b = bytes[i]!;
      if (b < DIGIT_0 + 1 || b > DIGIT_0 + 9) return { code: 'RECORDING_BAD_MAGIC', message: 'not a Tickmesh recording' };
      continue;
    }
    if (bytes[i] !== RECORDING_MAGIC[i]) return { code: 'RECORDING_BAD_MAGIC', message: 'not a Tickmesh recording' };
  }
  if (bytes.length < RECORDING_MAGIC.length) return { code: 'RECORDING_TRUNCATED', message: 'file ends inside the magic' };
  const version = bytes[MAGIC_PREFIX]! - DIGIT_0;
  if (version !== RECORDING_VERSION) return { code: 'RECORDING_UNSUPPORTED_VERSION', message: `format version ${version}; this build reads ${RECORDING_VERSION}` };
  return undefined;
}

/** One record at `pos`: varint length, payload, CRC-32 (4 bytes LE) of the payload. */
function scanRecord(bytes: Uint8Array, pos: number, max: number): RecordScan {
  if (pos === bytes.length) return { kind: 'end' };
  let len = 0;
  let mul = 1;
  let p = pos;
  for (let i = 0; ; i++) {
    if (p >= bytes.length) return { kind: 'damage', code: 'RECORDING_TRUNCATED', message: 'file ends inside a record length' };
    if (i === 5) return { kind: 'damage', code: 'RECORDING_CORRUPT', message: 'record length varint too long' };
    const b = bytes[p++]!;
    len += (b & 0x7f) * mul;
    mul *= 128;
    if (b < 0x80) break;
  }
  if (len > max) return { kind: 'damage', code: 'RECORDING_CORRUPT', message: `record length ${len} over ${max}` };
  if (p + len + 4 > bytes.length) return { kind: 'damage', code: 'RECORDING_TRUNCATED', message: `file ends inside a record of ${len} bytes` };
  const payload = bytes.subarray(p, p + len);
  const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(p + len, true);
  const actual = crc32(payload);
  if (stored !== actual) return { kind: 'damage', code: 'RECORDING_CORRUPT', message: `CRC-32 mismatch (stored ${stored}, computed ${actual})` };
  return { kind: 'record', payload, next: p + len + 4 };
}

function headerFromProto(m: tickmesh.v1.RecordingHeader): RecordingHeader {
  const limits = DEFAULT_CODEC_LIMITS;
  const list = m.instruments ?? [];
  if (list.length > limits.maxInstruments) throw new Error(`${list.length} instruments`);
  return {
    version: checkUint(m.version, 'version'),
    createdBy: checkText(m.createdBy, 'createdBy', limits.maxTextLength),
    createdTimeUs: checkUint(m.createdTimeUs, 'createdTimeUs'),
    instruments: list.map((p) => instrumentFromProto(p, limits)),
  };
}

function damage(
  code: RecordingErrorCode,
  message: string,
  offset: number,
  intactFrames: number,
  partial: { header: RecordingHeader; frames: RecordedFrame[] } | undefined,
): RecordingReadResult {
  return { ok: false, reason: { code, message, offset, intactFrames }, partial };
}
