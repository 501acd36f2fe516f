/**
 * Stable codes of journal failures. Damage codes (`CORRUPT`, `CHAIN_BROKEN`, `BAD_HEADER`) mean
 * the file is not what this relay wrote: the relay must refuse to start. Add codes; never rename.
 */
export const JournalErrorCode = {
  /** A record's CRC does not match, its length is impossible, or its payload does not decode. */
  JOURNAL_CORRUPT: 'JOURNAL_CORRUPT',
  /** A record's chain hash does not match sha256(previous hash || seq || payload). */
  JOURNAL_CHAIN_BROKEN: 'JOURNAL_CHAIN_BROKEN',
  /** Missing or short header, wrong magic, or a format version this build cannot read. */
  JOURNAL_BAD_HEADER: 'JOURNAL_BAD_HEADER',
  /** `append` after `close()`. */
  JOURNAL_CLOSED: 'JOURNAL_CLOSED',
  /** A record whose encoded payload exceeds `maxRecordBytes`. */
  JOURNAL_RECORD_TOO_LARGE: 'JOURNAL_RECORD_TOO_LARGE',
  /**
   * A write or fdatasync failed. After a failed fsync the kernel may have dropped the dirty
   * pages, so nothing written since the last good sync can be trusted: the journal refuses every
   * later append and the relay must restart (open() re-verifies and drops any torn tail).
   */
  JOURNAL_IO_FAILED: 'JOURNAL_IO_FAILED',
} as const;
export type JournalErrorCode = (typeof JournalErrorCode)[keyof typeof JournalErrorCode];

/** Where in the file a damage error was found. */
export interface JournalErrorLocation {
  /** 1-based seq of the offending record (0 for the header). */
  record?: number;
  /** Byte offset of the start of the offending record (0 for the header). */
  offset?: number;
  cause?: unknown;
}

/** The journal's one error type: a stable `code` plus, for damage, where it was found. */
export class JournalError extends Error {
  override readonly name = 'JournalError';
  readonly code: JournalErrorCode;
  readonly record: number | undefined;
  readonly offset: number | undefined;

  constructor(code: JournalErrorCode, message: string, where: JournalErrorLocation = {}) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.code = code;
    this.record = where.record;
    this.offset = where.offset;
  }
}

/** The layer's error factory (DESIGN.md house style 3). */
export function journalError(code: JournalErrorCode, message: string, where?: JournalErrorLocation): JournalError {
  return new JournalError(code, message, where);
}

/** Narrowing guard for catch blocks. */
export function isJournalError(e: unknown): e is JournalError {
  return e instanceof JournalError;
}
