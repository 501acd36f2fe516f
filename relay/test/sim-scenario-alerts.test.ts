import { ErrorCode, type AlertMsg, type ServerMsg } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Relay } from '../src/server/relay-server';
import { defaultSimVenues } from '../src/venues/sim/index';
import { SCENARIO_ACCOUNTS, WASH_OWNER } from '../src/venues/sim/scenarios/index';
import { ProtoClient, startRelay, tokenOf, until } from './harness';

// `--sim-scenario` on a real relay: the scenario's traders trade through the OMS, live
// surveillance raises the alert, and an admin session subscribed over /ws gets it pushed, with
// the journal seq GET /api/admin/alerts lists it under. Traders may not subscribe.

let relay: Relay | undefined;
const clients: ProtoClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await relay?.stop();
  relay = undefined;
});

const isAlert = (code: string) => (m: ServerMsg): m is AlertMsg => m.type === 'alert' && m.code === code;

async function admin(r: Relay, sinceSeq = 0): Promise<ProtoClient> {
  const c = await ProtoClient.connect(r.url, {}, tokenOf(r.url, 'admin'));
  clients.push(c);
  c.send({ type: 'subscribeAlerts', requestId: 7, sinceSeq });
  await c.next((m) => m.type === 'subscribed' && m.requestId === 7);
  return c;
}

describe('sim scenarios on a live relay, alerts pushed to admin sessions', () => {
  it('the wash scenario: two linked accounts trade with each other, the admin session is told as the alert is journaled, REST lists the same record', async () => {
    const r = (relay = await startRelay(defaultSimVenues({ seed: 5, symbols: ['BTC-USD'] }), { simScenario: ['wash'], seed: 5 }));
    const live = await admin(r);
    const pushed = (await live.next(isAlert(ErrorCode.SURV_WASH_TRADE), 40_000)) as AlertMsg;
    expect(pushed.requestId).toBe(0);
    expect([SCENARIO_ACCOUNTS.washA, SCENARIO_ACCOUNTS.washB]).toContain(pushed.account);
    expect(pushed.symbol).toBe('BTC-USD');
    // Both sides of one venue trade, one owner: proven, and the message names the owner.
    expect(pushed.score).toBe(1);
    expect(pushed.message).toContain(WASH_OWNER);
    expect(pushed.evidence.map((e) => e.what)).toEqual(['fill', 'fill']);

    const res = await fetch(`${r.url}/api/admin/alerts?since=0`, { headers: { authorization: `Bearer ${tokenOf(r.url, 'admin')}` } });
    const { alerts } = (await res.json()) as { alerts: Array<{ seq: number; record: { code: string; account: string } }> };
    const listed = alerts.find((a) => a.seq === pushed.seq);
    expect(listed?.record).toMatchObject({ code: ErrorCode.SURV_WASH_TRADE, account: pushed.account });
    // The evidence cites journal records before the alert's own.
    for (const e of pushed.evidence) expect(e.seq).toBeLessThan(pushed.seq);

    // A session subscribing later gets the held alerts after its since_seq first: this one, then none before it.
    const late = await admin(r, pushed.seq - 1);
    const replayed = (await late.next(isAlert(ErrorCode.SURV_WASH_TRADE))) as AlertMsg;
    expect(replayed).toMatchObject({ seq: pushed.seq, requestId: 7 });
    expect(late.received.filter((m) => m.type === 'alert' && m.seq < pushed.seq)).toEqual([]);
  }, 60_000);

  it('the spoofing scenario: large orders flashed 6 bps behind the touch while trading the other side, SURV_SPOOFING pushed with the distance the OMS journaled', async () => {
    const r = (relay = await startRelay(defaultSimVenues({ seed: 3, symbols: ['BTC-USD'] }), { simScenario: ['spoofing'], seed: 3 }));
    const live = await admin(r);
    const pushed = (await live.next(isAlert(ErrorCode.SURV_SPOOFING), 50_000)) as AlertMsg;
    expect(pushed).toMatchObject({ account: SCENARIO_ACCOUNTS.spoofer, symbol: 'BTC-USD' });
    // The distance from the touch each order met, as the OMS journaled it on the order-request.
    expect(pushed.message).toMatch(/placed [\d.-]+ bps behind the best (bid|ask)/);
    const res = await fetch(`${r.url}/api/admin/alerts?since=0`, { headers: { authorization: `Bearer ${tokenOf(r.url, 'admin')}` } });
    const { alerts } = (await res.json()) as { alerts: Array<{ seq: number; record: { message: string }; detail?: { evidence?: Array<{ what: string; touchBps?: number | null }> } }> };
    const listed = alerts.find((a) => a.seq === pushed.seq)!;
    expect(listed.record.message).toMatch(/order \S+ \([\d.]+ bps from the touch\)/);
    const orders = (listed.detail?.evidence ?? []).filter((e) => e.what === 'order');
    expect(orders.length).toBeGreaterThanOrEqual(3);
    // The spoofer flashes 6 bps away; the default rule asks for 3.
    for (const e of orders) expect(e.touchBps).toBeGreaterThanOrEqual(3);
  }, 70_000);

  it('the crossed-book feed fault: a simulated venue publishes a bid above its ask, the admin session gets MD_ANOMALY_CROSSED_BOOK naming that venue', async () => {
    const r = (relay = await startRelay(defaultSimVenues({ seed: 2, symbols: ['BTC-USD'] }), { simScenario: ['crossed-book'], seed: 2 }));
    const live = await admin(r);
    const pushed = (await live.next(isAlert(ErrorCode.MD_ANOMALY_CROSSED_BOOK), 45_000)) as AlertMsg;
    expect(['sim-a', 'sim-b']).toContain(pushed.venue);
    expect(pushed).toMatchObject({ account: '', symbol: 'BTC-USD', score: 1 });
    expect(Number(pushed.figures.bid)).toBeGreaterThan(Number(pushed.figures.ask));
    // The fault is in what was published, never in the engine: once it ends the venue's book is the engine's again.
    const book = r.md.stream(r.md.streamIdsForSymbol('BTC-USD').find((id) => r.md.stream(id)!.instrument.venue === pushed.venue)!)!.book;
    await until(() => book.bestBid() < book.bestAsk(), 10_000, 'the crossed book undone');
  }, 60_000);

  it('a trader may not subscribe to alerts; a scenario without simulated venues is refused at start', async () => {
    const r = (relay = await startRelay(defaultSimVenues({ seed: 1, symbols: ['BTC-USD'] })));
    const trader = await ProtoClient.connect(r.url);
    clients.push(trader);
    trader.send({ type: 'subscribeAlerts', requestId: 3, sinceSeq: 0 });
    const refused = await trader.error(ErrorCode.AUTH_FORBIDDEN);
    expect(refused.requestId).toBe(3);
    await relay.stop();
    relay = undefined;
    await expect(startRelay([], { simScenario: ['spoofing'] })).rejects.toThrow(/simulated venues/);
  });
});
