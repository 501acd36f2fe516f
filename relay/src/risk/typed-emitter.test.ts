import { describe, expect, it } from 'vitest';
import { TypedEmitter } from './typed-emitter';

class Emitter extends TypedEmitter<{ a: number; b: string }> {
  fire<K extends 'a' | 'b'>(name: K, e: { a: number; b: string }[K]): void {
    this.emit(name, e);
  }
}

describe('TypedEmitter', () => {
  it('delivers in registration order; on() returns an unsubscribe', () => {
    const e = new Emitter();
    const got: string[] = [];
    const off = e.on('a', (n) => got.push(`1:${n}`));
    e.on('a', (n) => got.push(`2:${n}`));
    e.on('b', (s) => got.push(`b:${s}`));
    e.fire('a', 1);
    off();
    e.fire('a', 2);
    e.fire('b', 'x');
    expect(got).toEqual(['1:1', '2:1', '2:2', 'b:x']);
    expect(e.listenerCount('a')).toBe(1);
  });

  it('runs every listener even when one throws, then rethrows the first error', () => {
    const e = new Emitter();
    const got: number[] = [];
    e.on('a', () => {
      throw new Error('first');
    });
    e.on('a', (n) => got.push(n));
    e.on('a', () => {
      throw new Error('second');
    });
    expect(() => e.fire('a', 7)).toThrow('first');
    expect(got).toEqual([7]);
  });

  it('a listener removing itself does not skip its neighbour', () => {
    const e = new Emitter();
    const got: string[] = [];
    const off = e.on('a', () => {
      got.push('self');
      off();
    });
    e.on('a', () => got.push('next'));
    e.fire('a', 1);
    e.fire('a', 1);
    expect(got).toEqual(['self', 'next', 'next']);
  });
});
