export * from './risk-code';
export * from './trading-state';
export * from './exact-math';
export * from './notional';
export * from './price-band';
export * from './risk-limits';
export * from './pre-trade-context';
export * from './pre-trade-check';
