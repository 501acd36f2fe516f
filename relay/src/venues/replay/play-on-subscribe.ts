import type { MarketDataService } from '../../md/market-data-service';
import type { ReplayVenue } from './replay-venue';

/** What the hook needs of the market-data service. */
type SubscribeTarget = Pick<MarketDataService, 'onSubscribe' | 'flush' | 'stream'>;

/**
 * `npm run replay` without --start-now: the venues (made with `waitForPlay`) start playing
 * when the first client subscribes to any of their streams, so that client sees the
 * recording from its first frame instead of wherever a clock started at process start has got to.
 *
 * On the first subscription to a replayed stream (the service calls its subscribe listeners
 * before taking the snapshot): play every venue (the first recorded snapshots are applied at
 * once) and flush (nobody is subscribed yet, so this only turns the pending book resets into
 * the new epoch); the client's snapshot then already holds the first recorded book.
 */
export function playOnFirstSubscribe(md: SubscribeTarget, venues: readonly ReplayVenue[]): void {
  const ids = new Set(venues.map((v) => v.id));
  let playing = false;
  md.onSubscribe((streamId) => {
    const venue = md.stream(streamId)?.instrument.venue;
    if (playing || venue === undefined || !ids.has(venue)) return;
    playing = true;
    for (const v of venues) v.play();
    md.flush();
  });
}
