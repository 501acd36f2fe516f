import { describe, expect, it } from 'vitest';
import { Side } from './side';
import { testInstrument } from './instrument-fixtures';
import { formatMoneyE8, moneyE8, positionPnl } from './money';
import { applyFill, flatPosition } from './position';

const btc = testInstrument();

describe('money in 1e-8 quote', () => {
  it('converts ticks × lots exactly: 1 BTC at 50,000.00 is 50,000 USD', () => {
    expect(moneyE8(btc, 5_000_000 * 10_000)).toBe(5_000_000_000_000);
    expect(moneyE8(btc, -1)).toBe(-100);
    expect(moneyE8(testInstrument({ tickSize: '0.5', lotSize: '0.001' }), 3)).toBe(150_000);
  });

  it('rounds half away from zero when tick and lot carry more than 8 decimals', () => {
    const tiny = testInstrument({ tickSize: '0.00001', lotSize: '0.00001' });
    expect(moneyE8(tiny, 50)).toBe(1);
    expect(moneyE8(tiny, -50)).toBe(-1);
    expect(moneyE8(tiny, 49)).toBe(0);
  });

  it('formats exactly', () => {
    expect(formatMoneyE8(4_626_000_000)).toBe('46.26000000');
    expect(formatMoneyE8(-1)).toBe('-0.00000001');
  });
});

describe('P&L net of fees', () => {
  it('a trade that made 11.21 gross but paid 46.26 in fees lost 35.05', () => {
    const p = flatPosition('alice', 'BTC-USD');
    // Buy 1 BTC at 50,000.00, sell it at 50,011.21; fees 23.13 each side.
    applyFill(p, { side: Side.Buy, qty: 10_000, price: 5_000_000, fee: 2_313_000_000 });
    applyFill(p, { side: Side.Sell, qty: 10_000, price: 5_001_121, fee: 2_313_000_000 });
    const pnl = positionPnl(btc, p, 5_002_000);
    expect(pnl).toEqual({ realizedPnlE8: 1_121_000_000, unrealisedPnlE8: 0, grossPnlE8: 1_121_000_000, feesE8: 4_626_000_000, netPnlE8: -3_505_000_000 });
  });

  it('adds the open quantity at the mark; an unknown mark counts nothing unrealised', () => {
    const p = flatPosition('alice', 'BTC-USD');
    applyFill(p, { side: Side.Buy, qty: 5_000, price: 5_000_000, fee: 100 });
    expect(positionPnl(btc, p, 5_000_100)).toMatchObject({ unrealisedPnlE8: 50_000_000, grossPnlE8: 50_000_000, netPnlE8: 49_999_900 });
    expect(positionPnl(btc, p, Number.NaN)).toMatchObject({ unrealisedPnlE8: 0, netPnlE8: -100 });
  });
});
