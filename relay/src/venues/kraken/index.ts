export { openKrakenVenue, KrakenVenue, KRAKEN_REST_URL, KRAKEN_WS_URL, type KrakenVenueConfig } from './kraken-venue';
export { KrakenBookSync, type KrakenBookSyncHost, type KrakenResyncReason } from './kraken-book-sync';
export { KrakenOrders } from './kraken-orders';
export { krakenMarket, toKrakenSymbol, fromKrakenSymbol, toKrakenRestPair, canonicalAsset, type KrakenMarket } from './kraken-symbols';
export { KrakenFakeServer, type FakeKrakenPair, type FakeKrakenOptions } from './kraken-fake-server';
export * from './kraken-wire';
