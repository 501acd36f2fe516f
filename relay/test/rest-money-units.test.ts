import { readFileSync } from 'node:fs';
import { Algo, OrderStatus, OrderType, Side, TimeInForce, type ExecutionReportMsg, type Instrument, type NewOrderMsg, type ServerMsg } from '@tickmesh/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Relay } from '../src/server/relay-server';
import { defaultSimVenues } from '../src/venues/sim/index';
import { ProtoClient, startRelay, tokenOf } from './harness';

/**
 * Every number of every REST answer about money has one documented unit: the walk below fails
 * on a numeric field nobody declared, and checks each money figure against its unit, with the
 * conversion done here independently (decimal strings, BigInt) rather than by the relay's code.
 */
type Unit = 'enum' | 'ticks' | 'lots' | 'ticks×lots' | 'e8' | 'µs' | 'ms' | 'id';

const UNITS: Record<'orders' | 'fills' | 'positions', Record<string, Unit>> = {
  orders: {
    side: 'enum', orderType: 'enum', timeInForce: 'enum', algo: 'enum', status: 'enum', price: 'ticks', qty: 'lots', displayQty: 'lots',
    filledQty: 'lots', durationMs: 'ms', cumNotional: 'ticks×lots', fees: 'e8', createdUs: 'µs', updatedUs: 'µs', cumNotionalE8: 'e8', feesE8: 'e8',
  },
  fills: { side: 'enum', price: 'ticks', qty: 'lots', fee: 'e8', tradeId: 'id', timeUs: 'µs', feeE8: 'e8', notionalE8: 'e8' },
  positions: {
    qty: 'lots', openCost: 'ticks×lots', realizedPnl: 'ticks×lots', unrealisedPnl: 'ticks×lots', fees: 'e8',
    openCostE8: 'e8', realizedPnlE8: 'e8', unrealisedPnlE8: 'e8', grossPnlE8: 'e8', feesE8: 'e8', netPnlE8: 'e8',
  },
};

/** A ticks × lots amount in 1e-8 quote, from the instrument's decimal strings. */
function e8Of(inst: Instrument, ticksLots: number): bigint {
  const parse = (d: string) => {
    const [int, frac = ''] = d.split('.');
    return { n: BigInt(int! + frac), places: frac.length };
  };
  const t = parse(inst.tickSize);
  const l = parse(inst.lotSize);
  const exp = 8 - t.places - l.places;
  expect(exp, 'tick and lot together carry at most 8 decimals').toBeGreaterThanOrEqual(0);
  return BigInt(ticksLots) * t.n * l.n * 10n ** BigInt(exp);
}

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

const isDone = (id: string) => (m: ServerMsg) =>
  m.type === 'executionReport' && m.clientOrderId === id && m.parentOrderId === '' && (m.status === OrderStatus.Filled || m.status === OrderStatus.Canceled || (m.status === OrderStatus.PartiallyFilled && m.leavesQty === 0));

function order(clientOrderId: string, side: Side, price: number, qty: number): NewOrderMsg {
  return { type: 'newOrder', requestId: 1, clientOrderId, symbol: 'BTC-USD', venue: '', side, orderType: OrderType.Limit, timeInForce: TimeInForce.IOC, price, qty, postOnly: false, algo: Algo.None, displayQty: 0, durationMs: 0 };
}

describe('REST money units', () => {
  it('every numeric field of /api/orders, /api/fills and /api/positions has a declared unit, and each money figure agrees with it', async () => {
    const r = (relay = await startRelay(defaultSimVenues({ seed: 9, updatesPerSecond: 200 }), { flushMs: 5 }));
    const c = await ProtoClient.connect(r.url);
    const ids = r.md.streamIdsForSymbol('BTC-USD');
    const touch = (side: Side) => ids.map((id) => (side === Side.Buy ? r.md.stream(id)!.book.bestAsk() : r.md.stream(id)!.book.bestBid()));
    // Buy 30 lots, sell 10 back: fills with taker fees, realised and unrealised P&L.
    c.send(order('buy', Side.Buy, Math.max(...touch(Side.Buy)) + 50, 30));
    const bought = (await c.next(isDone('buy'), 10_000)) as ExecutionReportMsg;
    expect(bought.filledQty).toBeGreaterThan(0);
    c.send(order('sell', Side.Sell, Math.min(...touch(Side.Sell)) - 50, 10));
    await c.next(isDone('sell'), 10_000);
    c.close();

    const inst = r.md.instruments().find((i) => i.symbol === 'BTC-USD')!;
    const get = async (path: string) => (await (await fetch(`${r.url}${path}`, { headers: { authorization: `Bearer ${tokenOf(r.url)}` } })).json()) as Record<string, Array<Record<string, unknown>>>;
    const answers = { orders: (await get('/api/orders')).orders!, fills: (await get('/api/fills')).fills!, positions: (await get('/api/positions')).positions! };
    expect(answers.fills.length).toBeGreaterThan(1);
    expect(answers.fills.some((f) => (f.fee as number) > 0)).toBe(true);

    let checked = 0;
    for (const [answer, rows] of Object.entries(answers) as Array<[keyof typeof UNITS, Array<Record<string, unknown>>]>) {
      for (const row of rows) {
        for (const [field, value] of Object.entries(row)) {
          if (typeof value !== 'number') continue;
          const unit = UNITS[answer][field];
          expect(unit, `${answer}.${field} has no declared unit`).toBeDefined();
          expect(Number.isSafeInteger(value), `${answer}.${field} = ${value} is an exact integer`).toBe(true);
          if (field.endsWith('E8')) expect(unit, `${answer}.${field}`).toBe('e8');
          // Every ticks × lots figure has its twin in 1e-8 quote; every 1e-8 one ending in E8 too.
          if (unit === 'ticks×lots') {
            expect(BigInt(row[`${field}E8`] as number), `${answer}.${field}E8`).toBe(e8Of(inst, value));
            checked++;
          }
          if (unit === 'e8' && !field.endsWith('E8')) {
            expect(row[`${field}E8`], `${answer}.${field}E8`).toBe(value);
            checked++;
          }
        }
        if (answer === 'fills') expect(BigInt(row.notionalE8 as number)).toBe(e8Of(inst, (row.price as number) * (row.qty as number)));
        if (answer === 'positions') {
          expect(row.grossPnlE8).toBe((row.realizedPnlE8 as number) + (row.unrealisedPnlE8 as number));
          expect(row.netPnlE8).toBe((row.grossPnlE8 as number) - (row.feesE8 as number));
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it("the proto documents the units the table above declares for the wire's own fields", () => {
    const proto = readFileSync(new URL('../../proto/orders.proto', import.meta.url), 'utf8');
    const comment = (field: string) => new RegExp(`\\b${field} = \\d+;\\s*//(.*)`).exec(proto)?.[1] ?? '';
    expect(comment('cum_notional')).toMatch(/ticks \* lots/);
    expect(comment('fee')).toMatch(/1e-8/);
  });
});
