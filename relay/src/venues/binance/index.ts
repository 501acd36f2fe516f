export { openBinanceVenue, BinanceVenue, BINANCE_REST_URL, BINANCE_WS_URL, BINANCE_WS_API_URL, BINANCE_TESTNET_REST_URL, BINANCE_TESTNET_WS_URL, BINANCE_TESTNET_WS_API_URL, type BinanceVenueConfig } from './binance-venue';
export { BinanceFakeServer, type FakeBinanceSymbol } from './binance-fake-server';
