export * from './codec-limits';
export * from './proto-codec';
export { encodeBookBatch, encodeBookSnapshot } from './book-frame-encoder';
export * from './legacy-json-types';
export { legacyEncodeBook, legacyEncodeClient, legacyEncodeServer, legacyEncodeTrades } from './legacy-json-encode';
export * from './legacy-json-decode';
export { unitScale, type UnitScale } from './unit-scale';
export { decodeJournalRecord, encodeJournalRecord } from './journal-record-codec';
export * from './frame-signing';
