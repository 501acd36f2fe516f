import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@tickmesh/shared';
import { FrameChunkBuilder, FrameChunkReader } from './frame-chunk';

function readAll(data: ArrayBuffer, startUs: number): Array<[number, number[]]> {
  const r = new FrameChunkReader(new Uint8Array(data), startUs);
  const out: Array<[number, number[]]> = [];
  while (r.next()) out.push([r.timeUs, [...r.frame]]);
  return out;
}

describe('frame chunks', () => {
  it('give back every frame with its receive time, across buffer growth and reuse', () => {
    const rnd = mulberry32(7);
    const b = new FrameChunkBuilder(16);
    for (let round = 0; round < 3; round++) {
      const frames: Array<[number, number[]]> = [];
      let t = 1_764_000_000_000_000 + round * 1e6;
      for (let i = 0; i < 500; i++) {
        t += Math.floor(rnd() * 3000);
        const f = Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256));
        frames.push([t, f]);
        b.append(t, new Uint8Array(f));
      }
      expect(b.count).toBe(500);
      expect(b.startUs).toBe(frames[0]![0]);
      expect(b.endUs).toBe(t);
      const start = b.startUs;
      expect(readAll(b.take(), start)).toEqual(frames);
      expect(b.count).toBe(0);
      expect(b.byteLength).toBe(0);
    }
  });

  it('refuses a chunk cut inside a frame instead of inventing data', () => {
    const b = new FrameChunkBuilder();
    b.append(10, new Uint8Array([1, 2, 3, 4]));
    const bytes = new Uint8Array(b.take());
    const r = new FrameChunkReader(bytes.subarray(0, bytes.length - 1), 10);
    expect(() => r.next()).toThrow(RangeError);
    const r2 = new FrameChunkReader(new Uint8Array([0x80]), 10);
    expect(() => r2.next()).toThrow(RangeError);
  });
});
