export { openCoinbaseVenue, CoinbaseVenue, COINBASE_REST_URL, COINBASE_WS_URL, COINBASE_USER_WS_URL, type CoinbaseVenueConfig } from './coinbase-venue';
export { CoinbaseBookSync, type BookSyncHost, type Verdict } from './coinbase-book-sync';
export { coinbaseMarket, toProductId, type CoinbaseMarket } from './coinbase-symbols';
export { CoinbaseOrders, orderConfiguration, tradeIdNumber, decimalToE8, type CoinbaseOrdersOptions, type CoinbaseTrackedOrder, type VenueOrderState } from './coinbase-orders';
export { CoinbaseSigner } from './coinbase-auth';
export { reconcileCoinbase } from './coinbase-reconcile';
export * from './coinbase-order-wire';
export { CoinbaseFakeServer, type FakeCoinbaseOptions, type FakeCoinbaseProduct, type TrueBook } from './coinbase-fake-server';
export * from './coinbase-wire';
