import { describe, expect, it } from 'vitest';
import { BAD_PRINT_BPS, isBadPrint } from './bad-print';

const book = (bid: number, ask: number) => ({ bestBid: () => bid, bestAsk: () => ask });

describe('a bad print: a trade far outside its own venue’s touch', () => {
  // 49,999.00 / 50,001.00 in cents; 1 % outside is above 50,501.01 or below 49,499.01.
  const b = book(4_999_900, 5_000_100);

  it('is bad more than 1 % above the ask or below the bid, on either side; at the touch or inside, it is a price', () => {
    expect(BAD_PRINT_BPS).toBe(100);
    expect(isBadPrint(b, 5_000_000)).toBe(false);
    expect(isBadPrint(b, 5_000_100)).toBe(false);
    expect(isBadPrint(b, 5_050_101)).toBe(false); // exactly 1 % above the ask: still a price
    expect(isBadPrint(b, 5_050_102)).toBe(true);
    expect(isBadPrint(b, 4_949_901)).toBe(false); // exactly 1 % below the bid
    expect(isBadPrint(b, 4_949_900)).toBe(true);
    expect(isBadPrint(b, 5_150_000)).toBe(true);
    expect(isBadPrint(b, 4_850_000)).toBe(true);
  });

  it('cannot be judged against a one-sided, empty or crossed book', () => {
    expect(isBadPrint(book(Number.NaN, 5_000_100), 9_000_000)).toBe(false);
    expect(isBadPrint(book(4_999_900, Number.NaN), 1)).toBe(false);
    expect(isBadPrint(book(Number.NaN, Number.NaN), 1)).toBe(false);
    expect(isBadPrint(book(5_000_200, 5_000_100), 9_000_000)).toBe(false);
  });

  it('takes its tolerance from the caller', () => {
    expect(isBadPrint(b, 5_010_000, 10)).toBe(true);
    expect(isBadPrint(b, 5_010_000, 100)).toBe(false);
  });
});
