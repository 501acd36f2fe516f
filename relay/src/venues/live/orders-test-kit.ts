import { ErrorCode, OrderType, Side, TimeInForce, type StreamState } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { InstrumentFeed, ResumedOrder, VenueAdapter, VenueExecution, VenueHealth, VenueOrderRequest } from '../venue-adapter';
import type { LiveVenueConfig, LiveVenueLog } from './live-venue-config';

/**
 * What the order tests of every real venue share (imported by tests only): polling for a
 * condition, a log kept as text (to find codes, and to prove no secret is in it), the
 * reports of one order, and the rig that runs a venue adapter on its fake and stops both
 * after every test.
 */

/** Polls until `check` holds; the failure names what was awaited. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A feed for tests about orders: the books are not looked at. */
export const noFeed: InstrumentFeed = { level() {}, trade() {}, clear() {}, state(_s: StreamState) {} };

/** A log keeping every line as "level {fields} message". */
export function textLog(): { log: LiveVenueLog; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push(`${level} ${JSON.stringify(obj)} ${msg}`);
  return { log: { info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

/** The reports of order `id`, of one kind if given. */
export function reportsOf(reports: readonly VenueExecution[], id: string, kind?: VenueExecution['kind']): VenueExecution[] {
  return reports.filter((r) => r.orderId === id && (!kind || r.kind === kind));
}

/** Order requests for tests: a GTC limit buy "o-1" of account "a" at `base`'s symbol, price and qty, with `over` on top. */
export function orderRequests(base: Pick<VenueOrderRequest, 'symbol' | 'price' | 'qty'>): (over?: Partial<VenueOrderRequest>) => VenueOrderRequest {
  return (over = {}) => ({ orderId: 'o-1', account: 'a', side: Side.Buy, type: OrderType.Limit, timeInForce: TimeInForce.GTC, postOnly: false, ...base, ...over });
}

/** An adapter's config on a fake: the fake's URLs, a 2 s watchdog and quick reconnects (a test waits for them). */
export function onFake(fake: { restUrl: string; wsUrl: string }, symbols: readonly string[]): LiveVenueConfig {
  return { symbols, restUrl: fake.restUrl, wsUrl: fake.wsUrl, silenceMs: 2000, backoff: { baseMs: 20, maxMs: 200 } };
}

/** A venue adapter with order entry, as its order tests drive it. */
export interface VenueUnderTest extends VenueAdapter {
  resume(orders: readonly ResumedOrder[]): void;
  readonly orderEntry: { readonly reconciliations: number };
}

/** One test's fake and adapter, the adapter started and its reports and log kept. */
export interface OrdersSetup<Fake, Venue> {
  fake: Fake;
  venue: Venue;
  reports: VenueExecution[];
  logs: string[];
}

/**
 * Runs a venue adapter on its fake for one test at a time: the adapter is stopped after each
 * test, then the fake (in that order, so the adapter's sockets close before the server's).
 * Call at the top of a test file: it registers the afterEach.
 */
export class OrdersRig<Fake extends { stop(): Promise<void> }, Venue extends VenueUnderTest> {
  fake: Fake | undefined;
  venue: Venue | undefined;

  constructor() {
    afterEach(async () => {
      await this.venue?.stop();
      this.venue = undefined;
      await this.fake?.stop();
      this.fake = undefined;
    });
  }

  /**
   * `fake` with the adapter `open` makes on it (given a text log), started; with `reconciled`,
   * resolves after the first reconciliation (order entry up and in line with the venue).
   */
  async start(fake: Fake, open: (fake: Fake, log: LiveVenueLog) => Promise<Venue>, reconciled: boolean): Promise<OrdersSetup<Fake, Venue>> {
    this.fake = fake;
    const { log, lines } = textLog();
    const venue = (this.venue = await open(fake, log));
    const reports = this.listen(venue);
    await venue.start(() => noFeed);
    if (reconciled) await until(() => venue.orderEntry.reconciliations >= 1, 'first reconciliation');
    return { fake, venue, reports, logs: lines };
  }

  /**
   * A new process on the same venue account and journal: the adapter `open` makes (the old one
   * stopped by the test) resumes `orders` and starts; the fake is kept. Returns its reports.
   */
  async restart(open: (fake: Fake) => Promise<Venue>, orders: readonly ResumedOrder[]): Promise<{ venue: Venue; reports: VenueExecution[] }> {
    const venue = (this.venue = await open(this.fake!));
    const reports = this.listen(venue);
    venue.resume(orders);
    await venue.start(() => noFeed);
    return { venue, reports };
  }

  private listen(venue: Venue): VenueExecution[] {
    const reports: VenueExecution[] = [];
    venue.onExecution((r) => reports.push(r));
    return reports;
  }
}

/** What the shared health tests drive on a venue's fake, with its adapter started by `started`. */
export interface HealthContract<Fake> {
  /** The fake and the adapter on it: with keys (order socket, reconciliations) or market data only (null). */
  started(secret?: null): Promise<OrdersSetup<Fake, VenueUnderTest & { health(): VenueHealth }>>;
  /** What the venue calls its private order socket, for the test names. */
  orderSocket: string;
  dropMarketSockets(fake: Fake): void;
  dropOrderSocket(fake: Fake): void;
  /** The next REST call answers HTTP 429. */
  rateLimitNextRest(fake: Fake): void;
  order(over?: Partial<VenueOrderRequest>): VenueOrderRequest;
}

/**
 * VenueAdapter.health of a venue with a market-data socket and a private order socket, counted
 * where things happen: the same tests for every such venue (Coinbase, Kraken), so a new one
 * gets them by describing its fake.
 */
export function describeVenueHealth<Fake>(name: string, c: HealthContract<Fake>): void {
  describe(`${name} adapter health (VenueAdapter.health), counted where things happen`, () => {
    it('market data only: connected, connects after a dropped socket; no order-socket figures', async () => {
      const { fake, venue } = await c.started(null);
      await until(() => venue.health().connected, 'connected');
      expect(venue.health()).toEqual({ connected: true, connects: 1, rateLimited: 0, ordersConnected: undefined, reconciliations: undefined });
      c.dropMarketSockets(fake);
      await until(() => venue.health().connects === 2 && venue.health().connected, 'reconnected');
    });

    it(`with keys: the ${c.orderSocket} is shown and counted, reconciliations grow, a 429 is counted`, async () => {
      const { fake, venue, reports } = await c.started();
      await until(() => venue.health().connected && venue.health().ordersConnected === true, 'both sockets up');
      let h = venue.health();
      expect(h.connects).toBe(2);
      expect(h.reconciliations).toBeGreaterThanOrEqual(1);
      const before = h.reconciliations!;
      c.dropOrderSocket(fake);
      await until(() => venue.health().reconciliations! > before, 'a reconciliation after the drop');
      h = venue.health();
      expect([h.ordersConnected, h.connects]).toEqual([true, 3]);
      expect(h.rateLimited).toBe(0);
      c.rateLimitNextRest(fake);
      venue.submit(c.order({ orderId: 'limited' }));
      await until(() => reportsOf(reports, 'limited').length === 1, 'the order answered');
      expect(reportsOf(reports, 'limited')[0]!.reasonCode).toBe(ErrorCode.VENUE_RATE_LIMITED);
      expect(venue.health().rateLimited).toBe(1);
    });
  });
}
