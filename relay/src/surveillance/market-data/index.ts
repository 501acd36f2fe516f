export * from './md-anomaly';
export * from './md-anomaly-monitor';
export * from './divergence-detector';
export * from './price-spike-detector';
export * from './frozen-feed-detector';
export * from './crossed-book-detector';
