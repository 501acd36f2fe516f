export * from './replay-events';
export * from './replay-venue';
export * from './record-from-relay';
export * from './replay-args';
export * from './play-on-subscribe';
