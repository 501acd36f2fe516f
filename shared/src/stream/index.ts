export * from './sequence-tracker';
export * from './trade-ring';
export * from './book-stream';
