import { wallClockUs } from '@tickmesh/shared';
import type { BackoffOptions } from './backoff';
import { silentLog, type LiveVenueConfig, type LiveVenueLog } from './live-venue-config';
import type { VenueCredentials } from './venue-credentials';

/** What every venue's order entry is built with; each venue adds its private socket's URL. */
export interface LiveOrdersOptions<Market> {
  credentials: VenueCredentials | undefined;
  nowUs?: () => number;
  /** REST base URL (the adapter's), e.g. https://api.kraken.com. */
  restUrl?: string;
  markets?: readonly Market[];
  clientIdPrefix?: string;
  backoff?: BackoffOptions;
  /** The private socket silent this long is dead (it gets heartbeats every second). Default 5000 ms. */
  silenceMs?: number;
  log?: LiveVenueLog;
}

/** The order entry's options from its venue's config: what every venue passes on alike, the private socket's watchdog `silenceMs` by default. */
export function liveOrdersOptions<Market>(config: LiveVenueConfig, markets: readonly Market[], silenceMs: number): LiveOrdersOptions<Market> {
  return {
    credentials: config.credentials,
    nowUs: config.nowUs ?? wallClockUs,
    restUrl: config.restUrl,
    markets,
    clientIdPrefix: config.clientIdPrefix,
    backoff: config.backoff,
    silenceMs: config.silenceMs ?? silenceMs,
    log: config.log ?? silentLog,
  };
}
