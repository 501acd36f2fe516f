export { Journal, type JournalStats, type RecoveryInfo } from './journal';
export { JournalError, JournalErrorCode, isJournalError, journalError, type JournalErrorLocation } from './journal-error';
export { DEFAULT_JOURNAL_OPTIONS, type JournalOptions } from './journal-options';
export { verifyJournal, type VerifyResult } from './verify-journal';
