import { describe, expect, it } from 'vitest';
import { OrderStatus } from './model';
import { formatMoneyE8, formatMs, formatPnl, formatPrice, formatQty, formatTimeUs, groupThousands, isOpenStatus, statusName } from './format';

const btc = { tickSize: '0.01', lotSize: '0.0001' };
const sol = { tickSize: '0.001', lotSize: '0.01' };

describe('format', () => {
  it('groups the integer part only', () => {
    expect(groupThousands('50012.34')).toBe('50,012.34');
    expect(groupThousands('-1234567')).toBe('-1,234,567');
    expect(groupThousands('999.0001')).toBe('999.0001');
  });

  it('formats ticks and lots exactly with the instrument decimals', () => {
    expect(formatPrice(btc, 5_001_234)).toBe('50,012.34');
    expect(formatPrice(sol, 150_005)).toBe('150.005');
    expect(formatPrice(btc, 1)).toBe('0.01');
    expect(formatQty(btc, 12_500)).toBe('1.2500');
    expect(formatQty(sol, 3)).toBe('0.03');
  });

  it('rounds average (fractional) prices to the tick decimals', () => {
    expect(formatPrice(btc, 5_001_234.6)).toBe('50,012.35');
    expect(formatPrice(btc, Number.NaN)).toBe('–');
  });

  it('signs P&L and never shows -0.00', () => {
    expect(formatPnl(1234.5)).toBe('+1,234.50');
    expect(formatPnl(-12)).toBe('-12.00');
    expect(formatPnl(-0.001)).toBe('0.00');
  });

  it('names statuses in capitals for the blotter', () => {
    expect(statusName(OrderStatus.Filled)).toBe('FILLED');
    expect(statusName(OrderStatus.PartiallyFilled)).toBe('PARTIALLY FILLED');
    expect(statusName(OrderStatus.Denied)).toBe('DENIED');
    expect(isOpenStatus(OrderStatus.Accepted)).toBe(true);
    expect(isOpenStatus(OrderStatus.Filled)).toBe(false);
  });

  it('formats times and durations', () => {
    const d = new Date(2026, 0, 2, 3, 4, 5, 67);
    expect(formatTimeUs(d.getTime() * 1000)).toBe('03:04:05.067');
    expect(formatMs(850.4)).toBe('850 ms');
    expect(formatMs(2100)).toBe('3 s');
  });
});

describe('formatMoneyE8', () => {
  it('prints fees exactly, trimming zeros past two decimals', () => {
    expect(formatMoneyE8(2_313_000_000)).toBe('23.13');
    expect(formatMoneyE8(12_345)).toBe('0.00012345');
    expect(formatMoneyE8(-50)).toBe('-0.0000005');
    expect(formatMoneyE8(123_456_700_000_000)).toBe('1,234,567.00');
    expect(formatMoneyE8(0)).toBe('0.00');
  });
});
