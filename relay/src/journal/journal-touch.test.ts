import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FastBook, Side, decodeJournalRecord, encodeJournalRecord, type JournalRecord } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { testInstrument } from '../../../shared/src/model/instrument-fixtures';
import { MemoryJournal, intent, makeOms } from '../oms/oms-test-kit';
import { SmartOrderRouter } from '../oms/sor/smart-order-router';
import { SimVenue } from '../venues/sim/sim-venue';
import { Journal } from './journal';

// The touch an order met is journaled on its order-request (proto JournalOrderRequest.touch,
// field 5) for surveillance; journals written before it still read, without one.

type OrderRequest = Extract<JournalRecord, { kind: 'order-request' }>;
const request = (over: Partial<OrderRequest> = {}): OrderRequest => ({ kind: 'order-request', timeUs: 1_700_000_000_000_000, orderId: 'o-1', parentOrderId: '', intent: intent({ price: 4_990_000, qty: 5 }), ...over });

/**
 * An order-request as a build before the touch wrote it (JournalRecord{time_us, order_request{order_id "o-1", account "alice",
 * order{client_order_id "c1", symbol "BTC-USD", venue "sim-a", side BUY, type LIMIT, time_in_force GTC, price 4990000, qty 5}}}),
 * encoded by protobufjs from the proto/ files of the commit before the touch (f7d9d79).
 */
const OLD_ORDER_REQUEST = '088080f9c0c1c48203122f0a036f2d311a05616c69636522210a02633112074254432d5553441a0573696d2d6120012801300138e090e1044005';

describe('the touch on the order-request record', () => {
  it('is written and read back through a journal file, beside a record without one', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tickmesh-touch-')), 'journal.tmj');
    const { journal } = await Journal.open(file);
    const withTouch = request({ touch: { bid: 4_999_900, ask: 5_000_100 } });
    const oneSided = request({ orderId: 'o-2', touch: { bid: 0, ask: 5_000_100 } });
    const without = request({ orderId: 'o-3' });
    for (const r of [withTouch, oneSided, without]) await journal.append(r);
    await journal.close();
    const back = (await Journal.read(file)).map((e) => e.record);
    expect(back).toEqual([withTouch, oneSided, without]);
    expect('touch' in back[2]!).toBe(false);
  });

  it('an order-request written before the touch was recorded decodes without one', () => {
    const old = decodeJournalRecord(Buffer.from(OLD_ORDER_REQUEST, 'hex')) as OrderRequest;
    expect(old).toMatchObject({ kind: 'order-request', orderId: 'o-1', intent: { account: 'alice', price: 4_990_000, qty: 5, side: Side.Buy } });
    expect(old.touch).toBeUndefined();
    // And a record without a touch is still written exactly as before.
    expect(Buffer.from(encodeJournalRecord(request())).toString('hex')).toBe(OLD_ORDER_REQUEST);
  });
});

describe('the OMS journals the touch the order met', () => {
  function setup() {
    const venues = ['sim-a', 'sim-b'].map((id) => new SimVenue({ id, seed: 3 }));
    const books = new Map([
      ['sim-a', book([[4_999_900, 3]], [[5_000_200, 3]])],
      ['sim-b', book([[4_999_800, 3]], [[5_000_100, 3]])],
    ]);
    const router = new SmartOrderRouter({ quotes: (symbol) => (symbol !== 'BTC-USD' ? [] : [...books].map(([venue, b]) => ({ venue, instrument: testInstrument({ venue }), book: b }))) });
    const journal = new MemoryJournal();
    const oms = makeOms(venues, { router, journal });
    const requests = () => journal.entries.flatMap((e) => (e.record.kind === 'order-request' ? [e.record] : []));
    return { oms, requests };
  }

  it('an order for a venue: that venue’s best bid and ask; a smart-routed one: the best of each side across venues', async () => {
    const { oms, requests } = setup();
    await oms.newOrder(intent({ clientOrderId: 'direct', venue: 'sim-a', price: 4_990_000 }));
    await oms.newOrder(intent({ clientOrderId: 'routed', venue: '', price: 4_990_000 }));
    const byClient = (id: string) => requests().find((r) => r.parentOrderId === '' && r.intent.clientOrderId === id)!;
    expect(byClient('direct').touch).toEqual({ bid: 4_999_900, ask: 5_000_200 });
    expect(byClient('routed').touch).toEqual({ bid: 4_999_900, ask: 5_000_100 });
    // A routed order's children are the OMS's, not the trader's: no touch of their own.
    for (const child of requests().filter((r) => r.parentOrderId !== '')) expect(child.touch).toBeUndefined();
  });
});

function book(bids: [number, number][], asks: [number, number][]): FastBook {
  const b = new FastBook();
  for (const [p, q] of bids) b.apply(Side.Buy, p, q);
  for (const [p, q] of asks) b.apply(Side.Sell, p, q);
  return b;
}
