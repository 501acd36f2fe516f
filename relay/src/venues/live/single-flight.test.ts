import { describe, expect, it } from 'vitest';
import { SingleFlight } from './single-flight';

describe('SingleFlight', () => {
  it('runs one pass at a time; requests while one runs give exactly one more pass after it', async () => {
    let passes = 0;
    let inFlight = 0;
    let release: (() => void) | undefined;
    const flight = new SingleFlight(async () => {
      inFlight++;
      expect(inFlight).toBe(1);
      passes++;
      await new Promise<void>((r) => (release = r));
      inFlight--;
    });
    expect(flight.busy).toBe(false);
    const first = flight.run();
    expect(flight.busy).toBe(true);
    expect(await flight.run()).toBe(false);
    expect(await flight.run()).toBe(false);
    release!();
    await new Promise((r) => setImmediate(r));
    expect(passes).toBe(2);
    release!();
    expect(await first).toBe(true);
    expect(passes).toBe(2);
    expect(flight.busy).toBe(false);
  });

  it('a failing pass rejects the call that ran it, and the next call runs again', async () => {
    let fail = true;
    const flight = new SingleFlight(async () => {
      if (fail) throw new Error('venue down');
    });
    await expect(flight.run()).rejects.toThrow('venue down');
    fail = false;
    expect(await flight.run()).toBe(true);
  });
});
