import { Side } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { startRelay, tokenOf, until } from '../../relay/test/harness';
import { ScriptedVenue, testInstrument } from '../../relay/test/scripted-venue';
import type { Relay } from '../../relay/src/server/relay-server';
import { MeshFleet } from './fleet';
import { fetchEgress } from './relay-api';

let relay: Relay | undefined;
let fleet: MeshFleet | undefined;
afterEach(async () => {
  fleet?.close();
  fleet = undefined;
  await relay?.stop();
  relay = undefined;
});

describe('mesh-load: headless werift peers on a real relay', () => {
  it('three peers (three accounts) join over PeerJS + data channel 99, take every batch from the mesh and keep their books in sync', async () => {
    const venue = new ScriptedVenue('test', [testInstrument('BTC-USD')]);
    relay = await startRelay([venue], { flushMs: 3_600_000 });
    const r = relay;
    const btc = r.md.streamIdsForSymbol('BTC-USD')[0]!;
    fleet = await MeshFleet.start({
      url: r.url, tokens: [tokenOf(r.url, 'trader'), tokenOf(r.url, 'viewer'), tokenOf(r.url, 'admin')], peers: 3, symbol: 'BTC-USD', joinConcurrency: 1,
    });
    const f = fleet;
    expect(f.peers.length).toBe(3);
    await until(() => f.totals().fed.direct === 0 && f.totals().fed.mesh >= 1 && f.peers.every((p) => p.book(btc)?.live), 15_000, 'peers joined, one fed by a peer');

    const seq0 = f.peers[0]!.book(btc)!.seq;
    expect(f.peers.every((p) => p.book(btc)!.seq === seq0)).toBe(true);
    const direct0 = (await fetchEgress(r.url)).directBytes;
    let price = 100;
    const tick = async () => {
      venue.level('BTC-USD', Side.Buy, price, 10 + (price % 7));
      price++;
      r.md.flush();
      await r.mesh.idle();
    };
    for (let i = 0; i < 40; i++) {
      await tick();
      await new Promise((res) => setTimeout(res, 10));
    }
    // One batch per tick (every tick changes a level): all 40 reach every book, checksums verified by BookStream.
    await until(() => f.peers.every((p) => p.book(btc)?.seq === seq0 + 40 && p.book(btc)?.live), 10_000, 'every book at the last seq');
    const t = f.totals();
    expect(t.framesFromPeers).toBeGreaterThan(0);
    expect(t.rejected).toBe(0);
    expect(t.resyncs).toBe(0);
    expect(f.hopMs.length).toBeGreaterThan(0);
    // Joined streams get no direct batches: the relay's direct egress did not grow.
    expect((await fetchEgress(r.url)).directBytes).toBe(direct0);
  });
});
