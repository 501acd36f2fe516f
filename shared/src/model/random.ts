/**
 * Small deterministic PRNG for seeded tests, simulators and benches. Not cryptographic.
 * mulberry32 is chosen because it is 32-bit state, passes the usual smoke tests and runs on
 * `Math.imul` alone, so the same seed yields the same stream in every JS engine.
 */

/** Source of uniform floats in [0, 1). */
export type RandomSource = () => number;

/**
 * mulberry32 generator seeded with a 32-bit integer (non-integers are truncated).
 * Returns a function yielding uniform floats in [0, 1), 2^32 distinct values.
 */
export function mulberry32(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [min, max] (both inclusive) drawn from `rand`. */
export function randomInt(rand: RandomSource, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}
