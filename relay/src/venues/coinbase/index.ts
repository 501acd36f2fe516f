export { openCoinbaseVenue, CoinbaseVenue, COINBASE_REST_URL, COINBASE_WS_URL, type CoinbaseVenueConfig } from './coinbase-venue';
export { CoinbaseBookSync, type BookSyncHost, type Verdict } from './coinbase-book-sync';
export { coinbaseMarket, toProductId, type CoinbaseMarket } from './coinbase-symbols';
export { CoinbaseOrders, type CoinbaseOrdersOptions } from './coinbase-orders';
export { CoinbaseFakeServer, type FakeCoinbaseOptions, type FakeCoinbaseProduct, type TrueBook } from './coinbase-fake-server';
export * from './coinbase-wire';
