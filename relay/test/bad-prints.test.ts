import { Algo, Contingency, OrderStatus, OrderType, Side, TimeInForce, TriggerSource, TriggerType, type ExecutionReportMsg, type NewOrderMsg, type ServerMsg } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Relay } from '../src/server/relay-server';
import { defaultSimVenues } from '../src/venues/sim/index';
import { ProtoClient, startRelay, until } from './harness';

// Bad prints on a live relay: sim-a publishes BTC-USD trades 300 bps either side of its book
// (what a venue's erroneous print looks like: no book behind it). They are published as the
// venue sent them, but they halt nothing and fire nothing: two of them 6% apart would trip the
// symbol's 5% circuit breaker, and the one below would fire a trader's stop-loss.

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

const isReport = (m: ServerMsg): m is ExecutionReportMsg => m.type === 'executionReport';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stopLoss(clientOrderId: string, triggerPrice: number, qty: number): NewOrderMsg {
  return {
    type: 'newOrder', requestId: 1, clientOrderId, symbol: 'BTC-USD', venue: 'sim-a', side: Side.Sell, orderType: OrderType.Market,
    timeInForce: TimeInForce.IOC, price: 0, qty, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0,
    conditional: { triggerType: TriggerType.Stop, triggerSource: TriggerSource.Last, triggerPrice, trailOffset: 0, trailBps: 0, contingency: Contingency.None, takeProfitPrice: 0, stopLimitPrice: 0 },
  };
}

describe('bad prints on a live relay', () => {
  it('are published, but trip no circuit breaker and fire no stop-loss', async () => {
    const [simA, simB] = defaultSimVenues({ seed: 17, updatesPerSecond: 200 });
    const r = (relay = await startRelay([simA, simB], { flushMs: 5 }));
    const a = () => r.md.stream(r.md.streamIdsForSymbol('BTC-USD').find((id) => r.md.stream(id)!.instrument.venue === 'sim-a')!)!;
    await until(() => a().book.bestBid() > 0 && a().book.bestAsk() > 0, 10_000, "sim-a's BTC-USD book");
    const published: number[] = [];
    r.md.onTrade((symbol, price, _s, _t, venue, bad) => void (symbol === 'BTC-USD' && venue === 'sim-a' && bad && published.push(price)));

    // A stop-loss 2% under the market: only a price that low fires it.
    const c = await ProtoClient.connect(r.url);
    const mid = Math.round((a().book.bestBid() + a().book.bestAsk()) / 2);
    c.send(stopLoss('sl', Math.round(mid * 0.98), 1));
    await c.next((m) => isReport(m) && m.clientOrderId === 'sl' && m.status === OrderStatus.PendingTrigger, 5_000);

    let tradeId = 2 ** 41;
    for (const bps of [300, -300]) {
      expect(simA.badPrint('BTC-USD', ++tradeId, Math.round(mid * (1 + bps / 10_000)), 10, bps > 0 ? Side.Buy : Side.Sell)).toBe(true);
      await sleep(50);
    }
    await until(() => published.length === 2, 5_000, 'both bad prints published');
    await sleep(200);
    expect(r.trading.risk.isHalted('BTC-USD')).toBe(false);
    expect(r.trading.oms.order(c.received.filter(isReport).find((m) => m.clientOrderId === 'sl')!.orderId)?.status).toBe(OrderStatus.PendingTrigger);

    c.close();
  }, 30_000);
});
