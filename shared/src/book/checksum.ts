/**
 * Book checksum: the value carried in `BookSnapshot.checksum` and `BookBatch.checksum`
 * (proto `uint32 checksum`). Clients, the relay and any other implementation must compute
 * exactly this, so the algorithm is the contract and is written out here:
 *
 * 1. Take the top `CHECKSUM_DEPTH` = 25 levels of each side, best first (bids highest
 *    first, asks lowest first). Prices are integer ticks, sizes integer lots.
 * 2. Build a byte string by interleaving the sides level by level:
 *    bid[0], ask[0], bid[1], ask[1], …, bid[24], ask[24]. A level contributes its price then
 *    its size. A missing level (that side has fewer levels) contributes nothing: it is
 *    skipped, not zero-padded.
 * 3. Each number is written as 8 bytes, little-endian, two's complement 64-bit integer
 *    (price 5 -> 05 00 00 00 00 00 00 00; -1 would be FF×8). Each level is thus 16 bytes.
 * 4. checksum = CRC-32/ISO-HDLC of that byte string: the zlib/PNG/Ethernet CRC, reflected
 *    polynomial 0xEDB88320, initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF, returned as an
 *    unsigned 32-bit integer. An empty book hashes the empty string: 0.
 *
 * Check values: crc32 of ASCII "123456789" is 0xCBF43926; a book with one bid 100 × 5 and
 * one ask 101 × 7 has checksum 0x86A98B01 (see checksum.test.ts).
 *
 * Why these choices: CRC32 is in every language's standard library (zlib.crc32, Python's
 * binascii.crc32, Go's hash/crc32), so a client in any language can check a book without a
 * custom hash; fixed-width integers avoid the decimal-formatting ambiguity of venues that
 * checksum price strings; 25 levels covers what a ladder shows while keeping a check ~1 µs.
 */
import { Side } from '../model/side';
import type { L2Book } from './l2-book';

/** Levels per side covered by the checksum. Part of the wire contract: never change it. */
export const CHECKSUM_DEPTH = 25;

/**
 * Slicing-by-4 tables: T0 is the classic byte table; Tk advances a byte through k more zero
 * bytes. Folding a whole 32-bit word with four independent look-ups (instead of four
 * dependent ones) roughly halves the cost of a checksum, which runs once per batch.
 */
const [T0, T1, T2, T3] = /* @__PURE__ */ makeCrcTables();

function makeCrcTables(): [Int32Array, Int32Array, Int32Array, Int32Array] {
  const t = [new Int32Array(256), new Int32Array(256), new Int32Array(256), new Int32Array(256)] as const;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[0][n] = c;
  }
  for (let k = 1; k < 4; k++) {
    for (let n = 0; n < 256; n++) t[k][n] = (t[k - 1][n]! >>> 8) ^ t[0][t[k - 1][n]! & 0xff]!;
  }
  return [t[0], t[1], t[2], t[3]];
}

/**
 * Feeds one integer as 8 little-endian two's complement bytes into a running CRC state
 * (pre-inverted, as `crc32Update` keeps it). Splitting into 32-bit halves avoids a
 * DataView and any allocation: `n >>> 0` is n mod 2^32 and `floor(n / 2^32) | 0` is the
 * high word for every safe integer, negative ones included.
 */
export function crc32UpdateInt64(crc: number, n: number): number {
  crc ^= n >>> 0;
  crc = T3[crc & 0xff]! ^ T2[(crc >>> 8) & 0xff]! ^ T1[(crc >>> 16) & 0xff]! ^ T0[crc >>> 24]!;
  crc ^= Math.floor(n / 4294967296) | 0;
  return T3[crc & 0xff]! ^ T2[(crc >>> 8) & 0xff]! ^ T1[(crc >>> 16) & 0xff]! ^ T0[crc >>> 24]!;
}

/** Feeds bytes into a running CRC state; start from `~0` (-1) and finish with `crc32Final`. */
export function crc32Update(crc: number, bytes: ArrayLike<number>): number {
  for (let i = 0; i < bytes.length; i++) crc = T0[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

/** Final XOR of a running CRC state, as an unsigned 32-bit integer. */
export function crc32Final(crc: number): number {
  return (crc ^ -1) >>> 0;
}

/** CRC-32/ISO-HDLC (zlib's crc32) of a byte string, unsigned. */
export function crc32(bytes: ArrayLike<number>): number {
  return crc32Final(crc32Update(-1, bytes));
}

/** The book checksum defined at the top of this file, computed through the L2Book API. */
export function bookChecksum(book: L2Book): number {
  const nb = Math.min(CHECKSUM_DEPTH, book.depth(Side.Buy));
  const na = Math.min(CHECKSUM_DEPTH, book.depth(Side.Sell));
  const n = nb > na ? nb : na;
  let crc = -1;
  for (let i = 0; i < n; i++) {
    if (i < nb) {
      crc = crc32UpdateInt64(crc, book.priceAt(Side.Buy, i));
      crc = crc32UpdateInt64(crc, book.sizeAt(Side.Buy, i));
    }
    if (i < na) {
      crc = crc32UpdateInt64(crc, book.priceAt(Side.Sell, i));
      crc = crc32UpdateInt64(crc, book.sizeAt(Side.Sell, i));
    }
  }
  return crc32Final(crc);
}
