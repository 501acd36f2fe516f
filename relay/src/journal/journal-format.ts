/**
 * Byte layout of a journal file; FORMAT.md is the prose version of this file and the two must
 * agree. Everything multi-byte is little-endian.
 *
 *   header  = "TMJ1" | u32 version (1) | u64 created (µs since the Unix epoch)      16 bytes
 *   record  = u32 payload length | payload | u32 crc32(payload) | 32-byte chain hash
 *   hash[0] = sha256(header)            hash[n] = sha256(hash[n-1] || u64 n || payload[n])
 */
import { createHash } from 'node:crypto';
import { crc32 } from '@tickmesh/shared';

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

// One 8-byte scratch for the seq: chainHash is synchronous, so sharing it is safe.
const seqScratch = Buffer.alloc(8);

/** hash[seq] = sha256(prev || u64 LE seq || payload). */
export function chainHash(prev: Uint8Array, seq: number, payload: Uint8Array): Buffer {
  writeU64(seqScratch, 0, seq);
  return createHash('sha256').update(prev).update(seqScratch).update(payload).digest();
}

/** The record's CRC-32 (zlib's): catches media damage before the more expensive chain check. */
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
