import { StreamState } from '@tickmesh/shared';
import { Gauge, type Registry } from 'prom-client';
import { runningTotalCounter } from './running-total-counter';
import type { MdStreamHealth } from '../md/md-stream';
import type { VenueHealth } from '../venues/venue-adapter';

/** What the venue metrics read at scrape time: the market-data service's streams and venues. */
export interface VenueHealthSource {
  streams(): Iterable<{ venue: string; symbol: string; state: StreamState; health: MdStreamHealth }>;
  venues(): Iterable<{ id: string; health?(): VenueHealth }>;
}

const STATE_NAMES: ReadonlyArray<[StreamState, string]> = [
  [StreamState.Live, 'live'],
  [StreamState.Halted, 'halted'],
  [StreamState.Stale, 'stale'],
];

/**
 * An operator's view of every venue: is each book live, when did it last move, how often it
 * went stale or resynced, and is the venue's socket up or being rate limited. Everything is read
 * from plain numbers at scrape time (the feed path never touches prom-client).
 */
export function registerVenueMetrics(registry: Registry, source: () => VenueHealthSource | undefined): void {
  const registers = [registry];
  const streams = () => source()?.streams() ?? [];
  const venues = () => source()?.venues() ?? [];
  new Gauge({
    name: 'tickmesh_venue_stream_state',
    help: 'A stream is in this state now (1) or not (0): live, halted, stale (a stale or resyncing book is never shown as live)',
    labelNames: ['venue', 'symbol', 'state'],
    registers,
    collect() {
      this.reset();
      for (const s of streams())
        for (const [state, name] of STATE_NAMES) this.set({ venue: s.venue, symbol: s.symbol, state: name }, s.state === state ? 1 : 0);
    },
  });
  new Gauge({
    name: 'tickmesh_venue_stream_last_flush_age_seconds',
    help: 'Seconds since the stream last published a batch or a reset (a quiet book grows it too; read it with the state)',
    labelNames: ['venue', 'symbol'],
    registers,
    collect() {
      this.reset();
      const now = Date.now();
      for (const s of streams()) if (s.health.lastFlushAt > 0) this.set({ venue: s.venue, symbol: s.symbol }, (now - s.health.lastFlushAt) / 1000);
    },
  });
  runningTotalCounter('tickmesh_venue_stream_state_entered_total', 'Times a stream entered a state (stale episodes, halts, recoveries)', ['venue', 'symbol', 'state'], registers, function* () {
    for (const s of streams())
      for (const [state, name] of STATE_NAMES) yield [{ venue: s.venue, symbol: s.symbol, state: name }, s.health.entered[state] ?? 0];
  });
  runningTotalCounter('tickmesh_venue_stream_resets_total', 'Whole-book resets of a stream (resync from a venue snapshot; each starts a new epoch)', ['venue', 'symbol'], registers, function* () {
    for (const s of streams()) yield [{ venue: s.venue, symbol: s.symbol }, s.health.resets];
  });
  runningTotalCounter('tickmesh_venue_stream_updates_total', 'Level updates and trades the venue adapter wrote into a stream', ['venue', 'symbol'], registers, function* () {
    for (const s of streams()) yield [{ venue: s.venue, symbol: s.symbol }, s.health.updates];
  });

  const healthOf = function* () {
    for (const v of venues()) {
      const h = v.health?.();
      if (h) yield { venue: v.id, h };
    }
  };
  new Gauge({
    name: 'tickmesh_venue_connected',
    help: "The venue's market-data socket is open now (1) or not (0); venues without a socket (the simulator) are absent",
    labelNames: ['venue'],
    registers,
    collect() {
      this.reset();
      for (const { venue, h } of healthOf()) this.set({ venue }, h.connected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'tickmesh_venue_orders_connected',
    help: "The venue's private order socket is open now (1) or not (0); absent where the venue is market data only",
    labelNames: ['venue'],
    registers,
    collect() {
      this.reset();
      for (const { venue, h } of healthOf()) if (h.ordersConnected !== undefined) this.set({ venue }, h.ordersConnected ? 1 : 0);
    },
  });
  runningTotalCounter('tickmesh_venue_connects_total', 'Socket connects made to the venue (1 + reconnects, market data and orders)', ['venue'], registers, function* () {
    for (const { venue, h } of healthOf()) yield [{ venue }, h.connects];
  });
  runningTotalCounter('tickmesh_venue_rate_limited_total', 'Venue answers that told us to back off (HTTP 429/418 or the venue\'s own limit error)', ['venue'], registers, function* () {
    for (const { venue, h } of healthOf()) yield [{ venue }, h.rateLimited];
  });
  runningTotalCounter('tickmesh_venue_reconciliations_total', 'Order reconciliation passes with the venue (after each reconnect or restart)', ['venue'], registers, function* () {
    for (const { venue, h } of healthOf()) if (h.reconciliations !== undefined) yield [{ venue }, h.reconciliations];
  });
}
