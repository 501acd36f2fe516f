export { openCcxtVenue, CcxtVenue, CcxtPassword, type CcxtVenueConfig } from './ccxt-venue';
export { ccxtExchangeOf, ccxtSymbolsFor, readCcxtConfig, VENUE_CCXT_CONFIG_INVALID } from './ccxt-options';
export { CcxtBinanceFront } from './ccxt-fake-server';
