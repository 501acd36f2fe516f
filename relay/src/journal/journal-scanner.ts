/**
 * Reads a journal file front to back, checking the header, every record's CRC and the hash
 * chain. The one reader behind `Journal.open`, `Journal.read`, `verifyJournal` and the CLI, so
 * they can never disagree about what counts as damage.
 *
 * Reads in chunks rather than the whole file, so verifying a large journal costs a bounded
 * buffer (1 MiB, or one record if larger), not the file's size.
 */
import type { FileHandle } from 'node:fs/promises';
import { JournalError, JournalErrorCode } from './journal-error';
import {
  CRC_BYTES, FRAME_OVERHEAD, HASH_BYTES, HEADER_BYTES, LENGTH_BYTES, chainHash, decodeHeader, genesisHash,
  payloadCrc, type JournalHeader,
} from './journal-format';

/** What a scan found: the verified prefix and what lies after it. */
export interface ScanResult {
  header: JournalHeader;
  /** Verified records (the last seq). */
  records: number;
  /** Chain hash of the last verified record, or the genesis hash when there is none. */
  headHash: Buffer;
  /** Bytes of the verified prefix: header plus whole records. */
  validBytes: number;
  /** File size when the scan started; `fileBytes - validBytes` is the torn tail. */
  fileBytes: number;
}

/**
 * Called for every verified record, in order. `payload` is only valid during the call. Anything
 * it throws that is not a JournalError is reported as JOURNAL_CORRUPT at that record.
 */
export type OnRecord = (seq: number, payload: Uint8Array, hash: Buffer, offset: number) => void;

export interface ScanLimits {
  maxBatchBytes: number;
  maxRecordBytes: number;
}

const CHUNK_BYTES = 1 << 20;

export async function scanJournal(handle: FileHandle, limits: ScanLimits, onRecord?: OnRecord): Promise<ScanResult> {
  const fileBytes = (await handle.stat()).size;
  const win = new FileWindow(handle, fileBytes);

  if (!(await win.ensure(0, HEADER_BYTES))) {
    throw new JournalError(JournalErrorCode.JOURNAL_BAD_HEADER, `file is ${fileBytes} bytes, shorter than the header`, { record: 0, offset: 0 });
  }
  const headerBytes = Buffer.from(win.view(0, HEADER_BYTES));
  const header = decodeHeader(headerBytes);
  if ('error' in header) throw new JournalError(JournalErrorCode.JOURNAL_BAD_HEADER, header.error, { record: 0, offset: 0 });

  // A crash can tear at most the last write, and one write is one batch (or one oversized
  // record). A "torn" tail longer than that is really a damaged length field pointing past EOF,
  // and truncating it would silently drop acknowledged records.
  const maxTornBytes = Math.max(limits.maxBatchBytes, limits.maxRecordBytes + FRAME_OVERHEAD);

  let prev = genesisHash(headerBytes);
  let offset = HEADER_BYTES;
  let seq = 0;
  while (offset < fileBytes) {
    const remaining = fileBytes - offset;
    const at = { record: seq + 1, offset };
    if (!(await win.ensure(offset, LENGTH_BYTES))) break; // torn inside the length prefix
    const len = win.u32(offset);
    if (len === 0 || len > limits.maxRecordBytes) {
      // Some filesystems (XFS, ext4 data=writeback) can extend the size before the data lands,
      // leaving zeros after a crash; those bytes were never acknowledged either.
      if (remaining <= maxTornBytes && (await win.allZero(offset, remaining))) break;
      throw new JournalError(JournalErrorCode.JOURNAL_CORRUPT, `record length ${len} outside 1..${limits.maxRecordBytes}`, at);
    }
    if (remaining < len + FRAME_OVERHEAD) {
      if (remaining > maxTornBytes) {
        throw new JournalError(JournalErrorCode.JOURNAL_CORRUPT, `record length ${len} runs past the end of the file`, at);
      }
      break; // torn tail
    }
    if (!(await win.ensure(offset, len + FRAME_OVERHEAD))) break; // file shrank while we read
    const payload = win.view(offset + LENGTH_BYTES, len);
    const crcAt = offset + LENGTH_BYTES + len;
    if (win.u32(crcAt) !== payloadCrc(payload)) {
      throw new JournalError(JournalErrorCode.JOURNAL_CORRUPT, 'payload CRC mismatch', at);
    }
    const hash = chainHash(prev, seq + 1, payload);
    if (!hash.equals(win.view(crcAt + CRC_BYTES, HASH_BYTES))) {
      throw new JournalError(JournalErrorCode.JOURNAL_CHAIN_BROKEN, 'chain hash mismatch', at);
    }
    seq++;
    if (onRecord) {
      try {
        onRecord(seq, payload, hash, offset);
      } catch (e) {
        if (e instanceof JournalError) throw e;
        throw new JournalError(JournalErrorCode.JOURNAL_CORRUPT, `payload does not decode: ${(e as Error).message}`, { ...at, cause: e });
      }
    }
    prev = hash;
    offset += len + FRAME_OVERHEAD;
  }
  return { header, records: seq, headHash: prev, validBytes: offset, fileBytes };
}

/** A sliding read buffer over the file: one positional read per chunk. */
class FileWindow {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private start = 0;
  private end = 0; // file offset just past the buffered bytes

  constructor(private readonly handle: FileHandle, private readonly size: number) {}

  /** Makes [off, off + n) addressable; false when the file ends first. */
  async ensure(off: number, n: number): Promise<boolean> {
    if (off + n > this.size) return false;
    if (off >= this.start && off + n <= this.end) return true;
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    const want = Math.min(this.buf.length, this.size - off);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.handle.read(this.buf, got, want - got, off + got);
      if (bytesRead === 0) break; // file shrank under us; the caller sees a short window
      got += bytesRead;
    }
    this.start = off;
    this.end = off + got;
    return off + n <= this.end;
  }

  view(off: number, n: number): Buffer {
    return this.buf.subarray(off - this.start, off - this.start + n);
  }

  u32(off: number): number {
    return this.buf.readUInt32LE(off - this.start);
  }

  async allZero(off: number, n: number): Promise<boolean> {
    for (let pos = off; pos < off + n; ) {
      const step = Math.min(CHUNK_BYTES, off + n - pos);
      if (!(await this.ensure(pos, step))) return false;
      const v = this.view(pos, step);
      for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
      pos += step;
    }
    return true;
  }
}
