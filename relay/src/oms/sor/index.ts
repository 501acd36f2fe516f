export * from './router-port';
export * from './fee-adjusted-price';
export * from './smart-order-router';
