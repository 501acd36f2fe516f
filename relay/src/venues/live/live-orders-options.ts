import type { BackoffOptions } from './backoff';
import type { LiveVenueLog } from './live-venue-config';
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
