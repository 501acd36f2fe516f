import type { RelayOptions } from '../server/options';
import type { VenueAdapter } from './venue-adapter';
import type { LiveVenueConfig, LiveVenueLog } from './live/live-venue-config';
import { VenueStartError } from './live/live-venue-config';
import { clientIdPrefixFor } from './live/client-id-prefix';
import { loadVenueCredentials } from './live/venue-credentials';
import {
  BINANCE_REST_URL, BINANCE_TESTNET_REST_URL, BINANCE_TESTNET_WS_API_URL, BINANCE_TESTNET_WS_URL, BINANCE_WS_API_URL, BINANCE_WS_URL, openBinanceVenue,
} from './binance/index';
import { COINBASE_REST_URL, COINBASE_WS_URL, openCoinbaseVenue } from './coinbase/index';
import { KRAKEN_REST_URL, KRAKEN_WS_URL, openKrakenVenue } from './kraken/index';
import { CcxtPassword, ccxtExchangeOf, ccxtSymbolsFor, openCcxtVenue, readCcxtConfig } from './ccxt/index';
import { defaultSimVenues } from './sim/index';

/**
 * The venues `--venues` names, opened: the simulator needs nothing; a real venue reads its
 * instrument metadata (refusing at start, with a code, a symbol it does not list or cannot
 * represent) and its keys (environment, else `<data-dir>/<venue>-keys.json` mode 0600;
 * without keys it serves market data only). Throws VenueStartError.
 */
export async function openVenues(options: RelayOptions, env: Record<string, string | undefined>, log: LiveVenueLog): Promise<VenueAdapter[]> {
  const venues: VenueAdapter[] = [];
  const credentials = async (venue: string) => {
    const r = await loadVenueCredentials(venue, env, options.dataDir);
    if (!r.ok) throw new VenueStartError(r.code, r.message);
    if (!r.value) log.info({ venue }, `${venue}: no API keys, market data only (orders refused with VENUE_NO_CREDENTIALS)`);
    return r.value;
  };
  const real = options.venues.some((v) => v !== 'sim');
  const clientIdPrefix = real ? await clientIdPrefixFor(options.dataDir) : undefined;
  /** What every real venue is opened with: its symbols, endpoints, keys, our client-id prefix and the log. */
  const live = async (venue: string, symbols: string[], restUrl: string, wsUrl: string): Promise<LiveVenueConfig> => ({
    symbols, restUrl, wsUrl, credentials: await credentials(venue), clientIdPrefix, log,
  });
  let ccxtOverrides: Record<string, Record<string, unknown>> | undefined;
  for (const id of options.venues) {
    if (id === 'sim') {
      venues.push(...defaultSimVenues({ seed: options.seed, symbols: options.symbols, updatesPerSecond: options.simRate }));
    } else if (id === 'binance') {
      const testnet = options.binanceTestnet;
      const restUrl = options.binanceRestUrl || (testnet ? BINANCE_TESTNET_REST_URL : BINANCE_REST_URL);
      const wsUrl = options.binanceWsUrl || (testnet ? BINANCE_TESTNET_WS_URL : BINANCE_WS_URL);
      const wsApiUrl = options.binanceWsApiUrl || (testnet ? BINANCE_TESTNET_WS_API_URL : BINANCE_WS_API_URL);
      venues.push(await openBinanceVenue({ ...(await live(id, options.binanceSymbols, restUrl, wsUrl)), wsApiUrl }));
    } else if (id === 'coinbase') {
      const config = await live(id, options.coinbaseSymbols, options.coinbaseRestUrl || COINBASE_REST_URL, options.coinbaseWsUrl || COINBASE_WS_URL);
      venues.push(await openCoinbaseVenue({ ...config, userWsUrl: options.coinbaseUserWsUrl || undefined }));
    } else if (id === 'kraken') {
      const config = await live(id, options.krakenSymbols, options.krakenRestUrl || KRAKEN_REST_URL, options.krakenWsUrl || KRAKEN_WS_URL);
      venues.push(await openKrakenVenue({ ...config, authWsUrl: options.krakenAuthWsUrl || undefined }));
    } else if (ccxtExchangeOf(id)) {
      // Any ccxt.pro exchange: keys as every venue's (CCXT_<EXCHANGE>_API_KEY/_SECRET, else <data-dir>/ccxt_<exchange>-keys.json), plus an optional passphrase.
      const exchange = ccxtExchangeOf(id)!;
      ccxtOverrides ??= await readCcxtConfig(options.ccxtConfig);
      const symbols = ccxtSymbolsFor(exchange, options.ccxtSymbols);
      if (symbols.length === 0) throw new VenueStartError('VENUE_UNLISTED_SYMBOL', `${id}: no symbols (--ccxt-symbols ${exchange}:BASE-QUOTE or a plain BASE-QUOTE)`);
      const password = env[`CCXT_${exchange.toUpperCase()}_API_PASSWORD`];
      venues.push(await openCcxtVenue({
        exchange, symbols, credentials: await credentials(`ccxt_${exchange}`), password: password ? new CcxtPassword(password) : undefined,
        ccxt: ccxtOverrides[exchange], sandbox: options.ccxtSandbox, pollMs: options.ccxtPollMs, silenceMs: options.ccxtSilenceMs, clientIdPrefix, log,
      }));
    } else {
      throw new VenueStartError('VENUE_UNKNOWN', `venue ${id} is not available in this build`);
    }
  }
  return venues;
}
