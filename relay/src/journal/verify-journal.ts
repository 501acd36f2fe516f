import { open } from 'node:fs/promises';
import { JournalError } from './journal-error';
import { resolveJournalOptions, type JournalOptions } from './journal-options';
import { decodeJournalRecord } from '@tickmesh/shared';
import { scanJournal } from './journal-scanner';

/** Outcome of `verifyJournal`. */
export type VerifyResult =
  | {
      ok: true;
      records: number;
      /** Chain hash (hex) of the last record, or the genesis hash of an empty journal. */
      headHash: string;
      /** Torn tail bytes after the last record, which the next `Journal.open` truncates; usually 0. */
      tornBytes: number;
    }
  | {
      ok: false;
      /** JOURNAL_CORRUPT | JOURNAL_CHAIN_BROKEN | JOURNAL_BAD_HEADER. */
      code: string;
      /** 1-based seq of the damaged record; 0 for the header. */
      record: number;
      /** Byte offset where the damaged record (or header) starts. */
      offset: number;
      message: string;
    };

/**
 * Checks a journal read-only: header, every CRC, the whole hash chain, and that every payload
 * decodes. Damage is returned as a value, never thrown; I/O errors (missing file, permissions)
 * still throw. Options: only the size limits matter (defaults 1 MiB).
 */
export async function verifyJournal(path: string, options?: JournalOptions): Promise<VerifyResult> {
  const opts = resolveJournalOptions(options);
  const handle = await open(path, 'r');
  try {
    const scan = await scanJournal(handle, opts, (_seq, payload) => void decodeJournalRecord(payload));
    return { ok: true, records: scan.records, headHash: scan.headHash.toString('hex'), tornBytes: scan.fileBytes - scan.validBytes };
  } catch (e) {
    if (!(e instanceof JournalError)) throw e;
    return { ok: false, code: e.code, record: e.record ?? 0, offset: e.offset ?? 0, message: e.message };
  } finally {
    await handle.close();
  }
}
