export * from './conditional-port';
export * from './trigger-feed';
export * from './start-conditional';
