import { describe, expect, it } from 'vitest';
import { mulberry32, randomInt } from '../model/random';
import { Side } from '../model/side';
import { bookChecksum, CHECKSUM_DEPTH, crc32, crc32Final, crc32UpdateInt64 } from './checksum';
import { FastBook } from './fast-book';
import { ReferenceBook } from './reference-book';

/** Known answers pin the wire contract written at the top of checksum.ts. */
describe('bookChecksum', () => {
  it('uses CRC-32/ISO-HDLC', () => {
    expect(crc32([...'123456789'].map((c) => c.charCodeAt(0)))).toBe(0xcbf43926);
    expect(crc32([])).toBe(0);
  });

  it('writes integers as 8-byte little-endian two\'s complement', () => {
    // Cross-checked against zlib.crc32 over the same bytes.
    expect(crc32Final(crc32UpdateInt64(crc32UpdateInt64(-1, -1), -123456789012345))).toBe(0x95e471fd);
    const bytes = [0x05, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 0, 0];
    expect(crc32Final(crc32UpdateInt64(crc32UpdateInt64(-1, 5), 2 ** 32))).toBe(crc32(bytes));
  });

  it('folds integers word-wise exactly as byte-wise CRC over their little-endian bytes', () => {
    const rand = mulberry32(5);
    const le = (n: number) => {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigInt64(0, BigInt(n), true);
      return [...bytes];
    };
    for (let k = 0; k < 500; k++) {
      const n = Math.floor((rand() - 0.5) * 2 * Number.MAX_SAFE_INTEGER * (rand() < 0.5 ? 1 : rand() * 1e-9));
      const m = randomInt(rand, 0, 1_000_000);
      expect(crc32Final(crc32UpdateInt64(crc32UpdateInt64(-1, n), m))).toBe(crc32([...le(n), ...le(m)]));
    }
  });

  it('matches the documented check value for a one-level book', () => {
    const book = new FastBook();
    book.apply(Side.Buy, 100, 5);
    book.apply(Side.Sell, 101, 7);
    expect(book.checksum()).toBe(0x86a98b01);
    expect(bookChecksum(book)).toBe(0x86a98b01);
  });

  it('interleaves bid and ask levels and skips missing ones', () => {
    const book = new ReferenceBook();
    book.apply(Side.Buy, 100, 1);
    book.apply(Side.Buy, 99, 2);
    book.apply(Side.Sell, 101, 3);
    const le = (n: number) => Array.from({ length: 8 }, (_, i) => Math.floor(n / 256 ** i) % 256);
    const expected = crc32([...le(100), ...le(1), ...le(101), ...le(3), ...le(99), ...le(2)]);
    expect(bookChecksum(book)).toBe(expected);
  });

  it('covers exactly CHECKSUM_DEPTH levels', () => {
    expect(CHECKSUM_DEPTH).toBe(25);
  });
});
