import { decimalPlaces, scaledInteger } from './decimal';

/**
 * Exact integer fees for one instrument.
 *
 * Unit: quote currency × 1e-8 (VenueExecution.fee; the simulator's and paper trading's fills), positive = paid, negative = rebate.
 * With tickSize = tN·10^-tp and lotSize = lN·10^-lp, one fill's notional in quote is
 * priceTicks·tN·lots·lN·10^-(tp+lp), and a rate of feeBpsX100 is feeBpsX100·10^-6 of it, so
 *
 *   fee = priceTicks · lots · tN · lN · feeBpsX100 · 10^(2 - tp - lp)
 *
 * computed in BigInt (no overflow, no float error) and rounded half away from zero to a whole
 * 1e-8 unit. E.g. BTC-USD (0.01 / 0.0001), 1 BTC at 50 000 at 5 bp (500): 25 USD = 2 500 000 000.
 */
export class FeeCalculator {
  private readonly mul: bigint;
  private readonly div: bigint;

  constructor(tickSize: string, lotSize: string) {
    const tp = decimalPlaces(tickSize);
    const lp = decimalPlaces(lotSize);
    const unit = BigInt(scaledInteger(tickSize, tp)) * BigInt(scaledInteger(lotSize, lp));
    const exp = 2 - tp - lp;
    this.mul = exp >= 0 ? unit * 10n ** BigInt(exp) : unit;
    this.div = exp >= 0 ? 1n : 10n ** BigInt(-exp);
  }

  /** Fee of a fill of `lots` at `priceTicks` charged at `feeBpsX100` (hundredths of a bp). */
  fee(priceTicks: number, lots: number, feeBpsX100: number): number {
    if (feeBpsX100 === 0) return 0;
    const num = BigInt(priceTicks) * BigInt(lots) * BigInt(feeBpsX100) * this.mul;
    const neg = num < 0n;
    const abs = neg ? -num : num;
    const q = (abs * 2n + this.div) / (this.div * 2n);
    return Number(neg ? -q : q);
  }
}
