export * from './l2-book';
export * from './fast-book';
export * from './reference-book';
export * from './checksum';
export * from './state-hash';
