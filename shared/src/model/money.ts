import { decimalPlaces, scaledInteger } from './decimal';
import type { Instrument } from './instrument';
import type { Position } from './order';
import { unrealisedPnl } from './position';

/**
 * The one money unit of every surface a person or a program reads money from (REST, the
 * terminal): integers of 1e-8 of the instrument's quote currency, the unit fees and risk
 * notionals already use. Fields in this unit end in `E8` (`feesE8`, `netPnlE8`).
 *
 * Inside the OMS, price × qty sums (`cumNotional`, `openCost`, `realizedPnl`) stay in ticks ×
 * lots, exact integers of the instrument; `moneyE8` converts them.
 */
export const MONEY_DECIMALS = 8;

/** One tick × one lot in 1e-8 quote as mul / div (div = 1 unless tick and lot carry > 8 decimals). */
function scale(inst: Pick<Instrument, 'tickSize' | 'lotSize'>): { mul: number; div: number } {
  const tp = decimalPlaces(inst.tickSize);
  const lp = decimalPlaces(inst.lotSize);
  const unit = scaledInteger(inst.tickSize, tp) * scaledInteger(inst.lotSize, lp);
  const exp = MONEY_DECIMALS - tp - lp;
  return exp >= 0 ? { mul: unit * 10 ** exp, div: 1 } : { mul: unit, div: 10 ** -exp };
}

/**
 * A ticks × lots amount (signed) in 1e-8 quote: exact when the tick and lot sizes carry at most
 * 8 decimals together (every listed instrument), else rounded half away from zero.
 * E.g. BTC-USD (tick 0.01, lot 0.0001): 1 tick × 1 lot = 0.000001 USD = 100.
 */
export function moneyE8(inst: Pick<Instrument, 'tickSize' | 'lotSize'>, ticksLots: number): number {
  const { mul, div } = scale(inst);
  const n = ticksLots * mul;
  if (div === 1 && Number.isSafeInteger(n)) return n;
  const big = BigInt(Math.round(ticksLots)) * BigInt(mul);
  const d = BigInt(div);
  const neg = big < 0n;
  const abs = neg ? -big : big;
  const q = (abs + d / 2n) / d;
  return Number(neg ? -q : q);
}

/** A 1e-8 quote amount as a decimal string: 4626000000 -> "46.26000000". */
export function formatMoneyE8(e8: number): string {
  const neg = e8 < 0;
  const digits = Math.abs(Math.round(e8)).toString().padStart(MONEY_DECIMALS + 1, '0');
  const out = `${digits.slice(0, -MONEY_DECIMALS)}.${digits.slice(-MONEY_DECIMALS)}`;
  return neg ? `-${out}` : out;
}

/** A position's P&L, every figure in 1e-8 quote. */
export interface PositionPnl {
  realizedPnlE8: number;
  /** 0 when flat or when no mark price is known. */
  unrealisedPnlE8: number;
  /** Realised + unrealised, before fees. */
  grossPnlE8: number;
  /** Fees paid (negative = rebates received). */
  feesE8: number;
  /** What the trader made: gross − fees. */
  netPnlE8: number;
}

/**
 * P&L of `p` at `markPrice` (ticks; NaN = unknown, unrealised counts 0) net of fees. Fees are
 * already 1e-8 quote; realised and unrealised are converted from ticks × lots.
 */
export function positionPnl(inst: Pick<Instrument, 'tickSize' | 'lotSize'>, p: Pick<Position, 'qty' | 'openCost' | 'realizedPnl' | 'fees'>, markPrice: number): PositionPnl {
  const realizedPnlE8 = moneyE8(inst, p.realizedPnl);
  const unrealisedPnlE8 = Number.isFinite(markPrice) ? moneyE8(inst, unrealisedPnl(p, markPrice)) : 0;
  const grossPnlE8 = realizedPnlE8 + unrealisedPnlE8;
  return { realizedPnlE8, unrealisedPnlE8, grossPnlE8, feesE8: p.fees, netPnlE8: grossPnlE8 - p.fees };
}
