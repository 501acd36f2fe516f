import type { Instrument } from './instrument';

/**
 * Test-only instrument fixture shared by the shared, relay and web suites. Not exported from
 * the package (as codec-fixtures.ts): tests import this file by path.
 */

/**
 * BTC-USD on sim-a with the sim venue's steps (tick "0.01", lot "0.0001"), stream 0, 1 to
 * 1,000,000 lots, no fees; override what the test is about.
 */
export function testInstrument(over: Partial<Instrument> = {}): Instrument {
  return {
    streamId: 0,
    symbol: 'BTC-USD',
    venue: 'sim-a',
    base: 'BTC',
    quote: 'USD',
    tickSize: '0.01',
    lotSize: '0.0001',
    minQty: 1,
    maxQty: 1_000_000,
    makerFeeBpsX100: 0,
    takerFeeBpsX100: 0,
    ...over,
  };
}
