import { describe, expect, it } from 'vitest';
import { MAX_SIDE_DESKS } from '../workers/terminal-api';
import { hasPin, parsePins, pinKey, withoutPin, withPin } from './side-desk-pins';

const btcA = { symbol: 'BTC-USD', venue: 'sim-a' };
const btcB = { symbol: 'BTC-USD', venue: 'sim-b' };
const eth = { symbol: 'ETH-USD', venue: 'sim-a' };

describe('side desk pins', () => {
  it('adds at the end once per venue and symbol, and removes', () => {
    const one = withPin([], btcA);
    expect(one).toEqual([btcA]);
    expect(withPin(one, { ...btcA })).toBe(one);
    const two = withPin(one, btcB);
    expect(two).toEqual([btcA, btcB]);
    expect(hasPin(two, btcB)).toBe(true);
    expect(hasPin(two, eth)).toBe(false);
    expect(withoutPin(two, btcA)).toEqual([btcB]);
    expect(withoutPin(two, eth)).toBe(two);
    expect(pinKey(btcA)).not.toBe(pinKey(btcB));
  });

  it(`holds at most ${MAX_SIDE_DESKS}, and never a consolidated ('' venue) or empty pin`, () => {
    let pins: ReturnType<typeof withPin> = [];
    for (let i = 0; i < MAX_SIDE_DESKS + 2; i++) pins = withPin(pins, { symbol: `S${i}`, venue: 'v' });
    expect(pins).toHaveLength(MAX_SIDE_DESKS);
    expect(pins[MAX_SIDE_DESKS - 1]!.symbol).toBe(`S${MAX_SIDE_DESKS - 1}`);
    expect(withPin([], { symbol: 'BTC-USD', venue: '' })).toEqual([]);
    expect(withPin([], { symbol: '', venue: 'sim-a' })).toEqual([]);
  });

  it('reads a saved layout back, and anything broken as the valid pins it holds', () => {
    expect(parsePins(JSON.stringify([btcA, eth]))).toEqual([btcA, eth]);
    expect(parsePins(null)).toEqual([]);
    expect(parsePins('{not json')).toEqual([]);
    expect(parsePins('{"symbol":"BTC-USD"}')).toEqual([]);
    expect(parsePins(JSON.stringify([btcA, { ...btcA }, null, 3, { symbol: 1, venue: 'x' }, { symbol: 'X', venue: '' }, eth, { symbol: 'A', venue: 'v', extra: true }]))).toEqual([btcA, eth, { symbol: 'A', venue: 'v' }]);
    const many = Array.from({ length: 9 }, (_, i) => ({ symbol: `S${i}`, venue: 'v' }));
    expect(parsePins(JSON.stringify(many))).toHaveLength(MAX_SIDE_DESKS);
  });
});
