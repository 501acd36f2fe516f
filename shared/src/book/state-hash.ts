import { Side } from '../model/side';
import type { L2Book } from './l2-book';

/**
 * Whole-book hash for determinism checks (DESIGN.md house style 9): every level of both
 * sides, so two books hash equal exactly when their contents are equal (up to collisions),
 * whatever sequence of updates built them. Not a wire contract (that is `bookChecksum`); it
 * may change between versions, so never persist or compare it across builds.
 *
 * Two 32-bit lanes with different multipliers and a cyrb53-style final avalanche give a
 * 64-bit result: a 32-bit hash would collide by chance over long replays (birthday bound
 * ~77 k states), 64 bits will not. Input words: per side (bids then asks) its depth, then
 * each level best first as price and size, each split into low and high 32-bit words.
 * Returns 16 lowercase hex chars.
 */
export function bookStateHash(book: L2Book): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (const side of SIDES) {
    const n = book.depth(side);
    h1 = Math.imul(h1 ^ n, 2654435761);
    h2 = Math.imul(h2 ^ n, 1597334677);
    for (let i = 0; i < n; i++) {
      const p = book.priceAt(side, i);
      const s = book.sizeAt(side, i);
      h1 = Math.imul(h1 ^ (p >>> 0), 2654435761);
      h2 = Math.imul(h2 ^ (p >>> 0), 1597334677);
      h1 = Math.imul(h1 ^ (Math.floor(p / 4294967296) | 0), 2654435761);
      h2 = Math.imul(h2 ^ (Math.floor(p / 4294967296) | 0), 1597334677);
      h1 = Math.imul(h1 ^ (s >>> 0), 2654435761);
      h2 = Math.imul(h2 ^ (s >>> 0), 1597334677);
      h1 = Math.imul(h1 ^ (Math.floor(s / 4294967296) | 0), 2654435761);
      h2 = Math.imul(h2 ^ (Math.floor(s / 4294967296) | 0), 1597334677);
    }
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return hex8(h2) + hex8(h1);
}

const SIDES: readonly Side[] = [Side.Buy, Side.Sell];

function hex8(h: number): string {
  return (h >>> 0).toString(16).padStart(8, '0');
}
