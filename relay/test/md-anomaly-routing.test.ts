import { Algo, ErrorCode, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type NewOrderMsg, type ServerMsg } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Relay } from '../src/server/relay-server';
import { defaultSimVenues } from '../src/venues/sim/index';
import { ProtoClient, startRelay, tokenOf, until } from './harness';

// An open market-data anomaly marks its venue suspect for that symbol: on a relay with both
// simulated venues, sim-a's BTC-USD book is made to cross (a bid published 10 bps through its
// ask, as a lost delete would leave it). While it stays crossed, smart routing leaves sim-a out
// and /api/tickers says why; an order naming sim-a still goes there; once the book is whole
// again, sim-a is routed to again.

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

const isReport = (m: ServerMsg): m is ExecutionReportMsg => m.type === 'executionReport';

function order(clientOrderId: string, price: number, qty: number, venue = ''): NewOrderMsg {
  return {
    type: 'newOrder', requestId: 1, clientOrderId, symbol: 'BTC-USD', venue, side: Side.Buy, orderType: OrderType.Limit,
    timeInForce: TimeInForce.IOC, price, qty, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
  };
}

type TickerView = { venue: string; symbol: string; anomaly: { code: string; message: string; sinceUs: number } | null };
async function tickers(r: Relay): Promise<TickerView[]> {
  const res = await fetch(`${r.url}/api/tickers`, { headers: { authorization: `Bearer ${tokenOf(r.url, 'trader')}` } });
  return ((await res.json()) as { tickers: TickerView[] }).tickers;
}
const anomalyAt = async (r: Relay, venue: string, symbol = 'BTC-USD') => (await tickers(r)).find((t) => t.venue === venue && t.symbol === symbol)?.anomaly ?? null;

describe('a venue with an open market-data anomaly, on a live relay', () => {
  it('is left out of smart routing while its book is crossed, shown on its ticker, still reachable by name, and routed to again once whole', async () => {
    const [simA, simB] = defaultSimVenues({ seed: 11, updatesPerSecond: 200 });
    const r = (relay = await startRelay([simA, simB], { flushMs: 5 }));
    const books = () => r.md.streamIdsForSymbol('BTC-USD').map((id) => r.md.stream(id)!);
    await until(() => books().every((s) => s.book.bestAsk() > 0 && s.book.bestBid() > 0), 10_000, 'both BTC-USD books');
    const c = await ProtoClient.connect(r.url);
    let n = 0;

    /**
     * A buy IOC through both books' asks up to 50 ticks past the dearer touch, sized to take
     * everything shown there: an unrestricted router gives each venue a child. Returns the
     * venues of the children it got, or the parent's denial code.
     */
    async function smartBuy(venue = ''): Promise<{ venues: string[]; code: string }> {
      const limit = Math.max(...books().map((s) => s.book.bestAsk())) + 50;
      let qty = 0;
      for (const s of books()) {
        const asks = s.book.levels(Side.Sell, 50);
        asks.price.forEach((p, i) => (qty += p <= limit ? asks.size[i]! : 0));
      }
      const id = `buy-${++n}`;
      c.send(order(id, limit, Math.max(1, qty), venue));
      const done = (await c.next((m) => isReport(m) && m.clientOrderId === id && m.parentOrderId === '' && [OrderStatus.Filled, OrderStatus.Canceled, OrderStatus.Denied, OrderStatus.Rejected, OrderStatus.Expired].includes(m.status), 10_000)) as ExecutionReportMsg;
      const children = c.received.filter(isReport).filter((m) => m.parentOrderId === done.orderId);
      const direct = done.venue === '' ? [] : [done.venue];
      return { venues: [...new Set([...children.map((m) => m.venue), ...direct])].sort(), code: done.reasonCode };
    }

    // Whole books: both venues get a share.
    expect(await anomalyAt(r, 'sim-a')).toBeNull();
    expect((await smartBuy()).venues).toEqual(['sim-a', 'sim-b']);

    // sim-a's book crosses; the monitor's 250 ms checks see it for 1 s and open the episode.
    const a = books().find((s) => s.instrument.venue === 'sim-a')!;
    const ask = a.book.bestAsk();
    expect(simA.phantomLevel('BTC-USD', Side.Buy, ask + Math.round(ask * 0.001), 1_000)).toBe(true);
    await until(() => r.trading.anomalies.suspectOf('sim-a', 'BTC-USD') !== undefined, 5_000, 'sim-a suspect');
    const shown = await anomalyAt(r, 'sim-a');
    expect(shown?.code).toBe(ErrorCode.MD_ANOMALY_CROSSED_BOOK);
    expect(shown?.message).toMatch(/sim-a BTC-USD book crossed/);
    expect(await anomalyAt(r, 'sim-b')).toBeNull();
    expect(await anomalyAt(r, 'sim-a', 'ETH-USD')).toBeNull();

    expect((await smartBuy()).venues).toEqual(['sim-b']);
    // Named, it goes there: the trader chose the venue.
    expect((await smartBuy('sim-a')).venues).toEqual(['sim-a']);

    // The engine's book again: the episode closes at the next check and sim-a is routed to.
    simA.republishBook('BTC-USD');
    await until(() => r.trading.anomalies.suspectOf('sim-a', 'BTC-USD') === undefined, 5_000, 'sim-a trusted again');
    expect(await anomalyAt(r, 'sim-a')).toBeNull();
    expect((await smartBuy()).venues).toEqual(['sim-a', 'sim-b']);
    c.close();
  }, 40_000);
});
