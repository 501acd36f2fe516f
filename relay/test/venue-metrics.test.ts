import { Side, StreamState } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Relay } from '../src/server/relay-server';
import type { VenueHealth } from '../src/venues/venue-adapter';
import { metricSample as sample, startRelay } from './harness';
import { ScriptedVenue, testInstrument } from './scripted-venue';

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

const scrape = async (r: Relay) => (await fetch(`${r.url}/metrics`)).text();

/** A scripted venue that also reports socket health, as the networked adapters do. */
class NetworkedVenue extends ScriptedVenue {
  status: VenueHealth = { connected: true, connects: 1, rateLimited: 0 };
  health(): VenueHealth {
    return this.status;
  }
}

describe('venue health metrics', () => {
  it('show each stream state, its stale episodes, resets, updates and last flush age', async () => {
    const venue = new ScriptedVenue('test', [testInstrument('BTC-USD'), testInstrument('ETH-USD')]);
    relay = await startRelay([venue]);
    const btc = { venue: 'test', symbol: 'BTC-USD' };
    const eth = { venue: 'test', symbol: 'ETH-USD' };

    let text = await scrape(relay);
    expect(sample(text, 'tickmesh_venue_stream_state', { ...btc, state: 'live' })).toBe(1);
    expect(sample(text, 'tickmesh_venue_stream_state', { ...btc, state: 'stale' })).toBe(0);
    expect(sample(text, 'tickmesh_venue_stream_resets_total', btc)).toBe(0);
    // Nothing flushed yet: no age to report.
    expect(sample(text, 'tickmesh_venue_stream_last_flush_age_seconds', btc)).toBeUndefined();

    venue.level('BTC-USD', Side.Buy, 100, 5);
    venue.level('BTC-USD', Side.Sell, 101, 3);
    venue.trade('BTC-USD', 1, 101, 1, Side.Buy);
    venue.state('BTC-USD', StreamState.Stale);
    venue.feed('BTC-USD').clear();
    relay.md.flush();
    text = await scrape(relay);
    expect(sample(text, 'tickmesh_venue_stream_state', { ...btc, state: 'stale' })).toBe(1);
    expect(sample(text, 'tickmesh_venue_stream_state', { ...btc, state: 'live' })).toBe(0);
    expect(sample(text, 'tickmesh_venue_stream_state', { ...eth, state: 'live' })).toBe(1);
    expect(sample(text, 'tickmesh_venue_stream_state_entered_total', { ...btc, state: 'stale' })).toBe(1);
    expect(sample(text, 'tickmesh_venue_stream_resets_total', btc)).toBe(1);
    expect(sample(text, 'tickmesh_venue_stream_updates_total', btc)).toBe(3);
    expect(sample(text, 'tickmesh_venue_stream_updates_total', eth)).toBe(0);
    const age = sample(text, 'tickmesh_venue_stream_last_flush_age_seconds', btc)!;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60);

    // Recovered, then stale again: a second episode, and the counters only grow.
    venue.state('BTC-USD', StreamState.Live);
    venue.state('BTC-USD', StreamState.Stale);
    venue.state('BTC-USD', StreamState.Live);
    relay.md.flush();
    text = await scrape(relay);
    expect(sample(text, 'tickmesh_venue_stream_state_entered_total', { ...btc, state: 'stale' })).toBe(2);
    expect(sample(text, 'tickmesh_venue_stream_state_entered_total', { ...btc, state: 'live' })).toBe(2);
    expect(sample(text, 'tickmesh_venue_stream_state', { ...btc, state: 'live' })).toBe(1);
    // The simulator-like venue has no socket: no connection series for it.
    expect(text).not.toMatch(/tickmesh_venue_connected\{venue="test"\}/);
  });

  it("show a networked venue's socket: connected, connects, rate limits, order socket and reconciliations", async () => {
    const venue = new NetworkedVenue('net', [testInstrument('BTC-USD', 'net')]);
    relay = await startRelay([venue]);
    let text = await scrape(relay);
    expect(sample(text, 'tickmesh_venue_connected', { venue: 'net' })).toBe(1);
    expect(sample(text, 'tickmesh_venue_connects_total', { venue: 'net' })).toBe(1);
    expect(sample(text, 'tickmesh_venue_rate_limited_total', { venue: 'net' })).toBe(0);
    // Market data only: no order-socket series.
    expect(sample(text, 'tickmesh_venue_orders_connected', { venue: 'net' })).toBeUndefined();

    venue.status = { connected: false, connects: 3, rateLimited: 2, ordersConnected: false, reconciliations: 4 };
    text = await scrape(relay);
    expect(sample(text, 'tickmesh_venue_connected', { venue: 'net' })).toBe(0);
    expect(sample(text, 'tickmesh_venue_connects_total', { venue: 'net' })).toBe(3);
    expect(sample(text, 'tickmesh_venue_rate_limited_total', { venue: 'net' })).toBe(2);
    expect(sample(text, 'tickmesh_venue_orders_connected', { venue: 'net' })).toBe(0);
    expect(sample(text, 'tickmesh_venue_reconciliations_total', { venue: 'net' })).toBe(4);
  });
});
