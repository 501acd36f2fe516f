/**
 * Byte layout of a journal file; FORMAT.md is the prose version of this file and the two must
 * agree. Everything multi-byte is little-endian.
 *
 *   header  = "TMJ1" | u32 version (1) | u64 created (µs since the Unix epoch)      16 bytes
 *   record  = u32 payload length | payload | u32 crc32(payload) | 32-byte chain hash
 *   hash[0] = sha256(header)            hash[n] = sha256(hash[n-1] || u64 n || payload[n])
 */
import { createHash, hash as hashOnce } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const JOURNAL_MAGIC = 'TMJ1';
export const JOURNAL_VERSION = 1;
export const HEADER_BYTES = 16;
export const LENGTH_BYTES = 4;
export const CRC_BYTES = 4;
export const HASH_BYTES = 32;
/** Bytes a record adds around its payload. */
export const FRAME_OVERHEAD = LENGTH_BYTES + CRC_BYTES + HASH_BYTES;

export interface JournalHeader {
  version: number;
  /** Microseconds since the Unix epoch when the file was created. */
  createdUs: number;
}

/** The 16 header bytes of a new journal created at `createdUs`. */
export function encodeHeader(createdUs: number): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write(JOURNAL_MAGIC, 0, 'latin1');
  b.writeUInt32LE(JOURNAL_VERSION, 4);
  writeU64(b, 8, createdUs);
  return b;
}

/** Parses a header, or says why it is not one this build can read (the caller picks the code). */
export function decodeHeader(b: Uint8Array): JournalHeader | { error: string } {
  if (b.length < HEADER_BYTES) return { error: `file is ${b.length} bytes, shorter than the ${HEADER_BYTES}-byte header` };
  const buf = Buffer.from(b.buffer, b.byteOffset, HEADER_BYTES);
  if (buf.toString('latin1', 0, 4) !== JOURNAL_MAGIC) return { error: 'bad magic' };
  const version = buf.readUInt32LE(4);
  if (version !== JOURNAL_VERSION) return { error: `unsupported version ${version}` };
  return { version, createdUs: readU64(buf, 8) };
}

/** hash[0]: the chain starts from the header, so editing the header breaks record 1. */
export function genesisHash(header: Uint8Array): Buffer {
  return createHash('sha256').update(header).digest();
}

// prev || seq || payload gathered in one scratch so a record costs one one-shot hash call, not
// a Hash object and three updates (chainHash runs once per append and per record verified).
// chainHash is synchronous, so sharing the scratch is safe; payloads past it use a Hash object.
const SCRATCH_BYTES = 16 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
const seqScratch = Buffer.alloc(8);

/** hash[seq] = sha256(prev || u64 LE seq || payload). */
export function chainHash(prev: Uint8Array, seq: number, payload: Uint8Array): Buffer {
  const input = chainInput(prev, seq, payload);
  if (input === null) return createHash('sha256').update(prev).update(seqScratch).update(payload).digest();
  return hashOnce('sha256', input, 'buffer');
}

/** `chainHash` as lowercase hex, as JournalEntry.hash carries it. */
export function chainHashHex(prev: Uint8Array, seq: number, payload: Uint8Array): string {
  const input = chainInput(prev, seq, payload);
  if (input === null) return createHash('sha256').update(prev).update(seqScratch).update(payload).digest('hex');
  return hashOnce('sha256', input, 'hex');
}

/** prev || seq || payload in the scratch, or null (seq left in seqScratch) when it does not fit. */
function chainInput(prev: Uint8Array, seq: number, payload: Uint8Array): Buffer | null {
  const n = prev.length + 8 + payload.length;
  if (n > SCRATCH_BYTES) {
    writeU64(seqScratch, 0, seq);
    return null;
  }
  scratch.set(prev, 0);
  writeU64(scratch, prev.length, seq);
  scratch.set(payload, prev.length + 8);
  return scratch.subarray(0, n);
}

/**
 * The record's CRC-32 (zlib's): catches media damage before the more expensive chain check.
 * node:zlib's native one, the same function as shared's crc32 at half the cost per record.
 */
export function payloadCrc(payload: Uint8Array): number {
  return crc32(payload);
}

/** Writes a non-negative safe integer as u64 LE without a BigInt. */
export function writeU64(b: Buffer, at: number, n: number): void {
  b.writeUInt32LE(n >>> 0, at);
  b.writeUInt32LE(Math.floor(n / 4294967296) >>> 0, at + 4);
}

/** Reads a u64 LE written by `writeU64` (exact up to 2^53). */
export function readU64(b: Buffer, at: number): number {
  return b.readUInt32LE(at) + b.readUInt32LE(at + 4) * 4294967296;
}
