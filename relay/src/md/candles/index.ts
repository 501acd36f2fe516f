export * from './candle';
export * from './candle-ring';
export * from './candle-rollup';
export * from './candle-store';
