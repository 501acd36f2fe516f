export * from './surveillance';
export * from './surveillance-alert';
export * from './trading-event';
export * from './wash-trade-detector';
export * from './quote-stuffing-detector';
export * from './spoofing-detector';
export * from './momentum-ignition-detector';
export * from './market-data/index';
