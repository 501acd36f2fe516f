import { ok, Side, type OrderIntent } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { MdStream } from '../../../md/md-stream';
import { parseCli, usage } from '../../../server/cli';
import type { OrderEntry } from '../../../session/order-requests';
import { SimVenue } from '../sim-venue';
import { SIM_SCENARIO_NAMES, simScenarioOwnerOf, WASH_OWNER, SCENARIO_ACCOUNTS } from './scenario-names';
import { SimScenario } from './sim-scenario';
import { mdBooks } from './relay-scenario';

const START = 1_800_000_000_000;

/** A sim venue started on streams of the relay's kind, its order flow stepped by the test (no timers). */
async function market(seed: number, clock: { ms: number }) {
  const venue = new SimVenue({ id: 'sim-a', seed, symbols: ['BTC-USD'], nowUs: () => clock.ms * 1000, historyMinutes: 0 });
  const stream = new MdStream(1, { ...venue.instruments()[0]!, streamId: 1 }, 1, 10);
  await venue.start(() => stream);
  venue.market('BTC-USD')!.generator.stop();
  const md = { streamIdsForSymbol: () => [1], stream: () => stream };
  return { venue, stream, md };
}

/** Records what the scenario's traders send; never executes (no reports). */
function recorder(): OrderEntry & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    newOrder: async (i: OrderIntent) => (sent.push(`${i.account} ${i.side} ${i.price} ${i.qty} ${i.timeInForce}`), ok(undefined)),
    cancel: async (account: string, id: string) => (sent.push(`${account} cancel ${id.split('-').pop()}`), ok(undefined)),
    replace: async () => ok(undefined),
    cancelAll: async () => 0,
  };
}

async function run(seed: number, names: readonly ('spoofing' | 'layering' | 'quote-stuffing' | 'benign')[]) {
  const clock = { ms: START };
  const { venue, md } = await market(seed, clock);
  const orders = recorder();
  const s = new SimScenario(names, { orders, onReport: () => () => {}, book: mdBooks(md), venues: [venue] }, { seed });
  for (let t = 0; t < 60_000; t += 10) {
    clock.ms += 10;
    venue.step(2);
    s.step(clock.ms);
  }
  s.stop();
  return { sent: orders.sent, episodes: s.episodes };
}

describe('sim scenarios', () => {
  it('are deterministic for a seed (orders, prices, sizes and episodes) and differ across seeds', async () => {
    const a = await run(7, ['spoofing', 'layering', 'quote-stuffing', 'benign']);
    const b = await run(7, ['spoofing', 'layering', 'quote-stuffing', 'benign']);
    const c = await run(8, ['spoofing', 'layering', 'quote-stuffing', 'benign']);
    expect(a.sent.length).toBeGreaterThan(300);
    expect(b.sent).toEqual(a.sent);
    expect(b.episodes).toEqual(a.episodes);
    expect(c.sent).not.toEqual(a.sent);
    expect(new Set(a.episodes.map((e) => e.code))).toEqual(new Set(['SURV_SPOOFING', 'SURV_LAYERING', 'SURV_QUOTE_STUFFING']));
    // Benign traders inject nothing: they are the negatives.
    expect(a.episodes.every((e) => e.scenario !== 'benign')).toBe(true);
  });

  it('feed faults change what is published, never the engine: frozen, crossed, divergent, a bad print', async () => {
    const clock = { ms: START };
    const { venue, stream } = await market(3, clock);
    const engine = venue.market('BTC-USD')!.engine;
    venue.step(50);
    expect(venue.freezeFeed('BTC-USD', true)).toBe(true);
    const updates = stream.health.updates;
    venue.step(200);
    expect(stream.health.updates).toBe(updates);
    const resets = stream.health.resets;
    venue.freezeFeed('BTC-USD', false);
    expect(stream.health.resets).toBe(resets + 1);
    expect([stream.book.bestBid(), stream.book.bestAsk()]).toEqual([engine.bestBid(), engine.bestAsk()]);

    venue.phantomLevel('BTC-USD', Side.Buy, engine.bestAsk() + 30, 5);
    expect(stream.book.bestBid()).toBeGreaterThan(stream.book.bestAsk());
    venue.republishBook('BTC-USD');
    expect([stream.book.bestBid(), stream.book.bestAsk()]).toEqual([engine.bestBid(), engine.bestAsk()]);

    venue.offsetFeed('BTC-USD', 100_000);
    expect(stream.book.bestBid()).toBe(engine.bestBid() + 100_000);
    venue.step(100);
    expect([stream.book.bestBid(), stream.book.bestAsk()]).toEqual([engine.bestBid() + 100_000, engine.bestAsk() + 100_000]);
    venue.offsetFeed('BTC-USD', 0);
    expect(stream.book.bestBid()).toBe(engine.bestBid());

    stream.takeBatch(0);
    venue.badPrint('BTC-USD', 2 ** 40, 5_200_000, 3, Side.Buy);
    expect(stream.takeBatch(0).trades.map((t) => [t.tradeId, t.price])).toEqual([[2 ** 40, 5_200_000]]);
  });

  it('--sim-scenario (SIM_SCENARIO) takes known names only and is listed in --help; the wash accounts share an owner', () => {
    expect(parseCli(['--sim-scenario', 'spoofing,wash,frozen-feed'], {})).toMatchObject({ kind: 'run', options: { simScenario: ['spoofing', 'wash', 'frozen-feed'] } });
    expect(parseCli([], { SIM_SCENARIO: 'crossed-book' })).toMatchObject({ kind: 'run', options: { simScenario: ['crossed-book'] } });
    expect(parseCli([], {})).toMatchObject({ kind: 'run', options: { simScenario: [] } });
    expect(parseCli(['--sim-scenario', 'spoofing,pump-and-dump'], {}).kind).toBe('error');
    expect(parseCli(['--sim-scenario', 'wash', '--venues', 'binance'], {})).toMatchObject({ kind: 'error', code: 'RELAY_SIM_SCENARIO_NEEDS_SIM' });
    expect(parseCli(['--sim-scenario', 'wash', '--venues', 'sim,binance'], {}).kind).toBe('run');
    const help = usage();
    expect(help).toContain('--sim-scenario');
    expect(help).toContain('SIM_SCENARIO');
    for (const name of SIM_SCENARIO_NAMES) expect(help).toContain(name);
    expect(simScenarioOwnerOf(SCENARIO_ACCOUNTS.washA)).toBe(WASH_OWNER);
    expect(simScenarioOwnerOf(SCENARIO_ACCOUNTS.washB)).toBe(WASH_OWNER);
    expect(simScenarioOwnerOf('demo')).toBe('demo');
  });
});

