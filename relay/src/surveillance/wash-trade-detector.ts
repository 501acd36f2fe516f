import { ErrorCode, Side } from '@tickmesh/shared';
import type { SurveillanceAlert } from './surveillance-alert';
import type { TradingEvent } from './trading-event';

type Fill = Extract<TradingEvent, { kind: 'fill' }>;

/** Options of WashTradeDetector. */
export interface WashTradeOptions {
  /** Beneficial owner of an account (linked accounts share one); default: each account its own owner. */
  ownerOf?: (account: string) => string;
  /** Opposite fills of one owner at one price within this window are a likely wash. Default 1,000 ms. */
  windowMs?: number;
  /** Venue trades remembered to pair both sides of one trade. Default 100,000. */
  maxTrades?: number;
}

/**
 * Wash trades: one owner on both sides.
 * - Proven (score 1): both sides of one venue trade (same venue and trade id) belong to one
 *   owner — the owner traded with itself.
 * - Likely (score 0.6): one owner bought and sold the same symbol at the same price within
 *   `windowMs` in different trades: no change of ownership, printed volume.
 */
export class WashTradeDetector {
  private readonly ownerOf: (account: string) => string;
  private readonly windowUs: number;
  private readonly maxTrades: number;
  private readonly trades = new Map<string, Fill>();
  /** Recent fills per owner and symbol, oldest first, within the window. */
  private readonly recent = new Map<string, Fill[]>();

  constructor(options: WashTradeOptions = {}) {
    this.ownerOf = options.ownerOf ?? ((a) => a);
    this.windowUs = (options.windowMs ?? 1000) * 1000;
    this.maxTrades = options.maxTrades ?? 100_000;
  }

  onFill(f: Fill): SurveillanceAlert[] {
    const owner = this.ownerOf(f.account);
    const key = `${f.venue}\u0000${f.tradeId}`;
    const other = this.trades.get(key);
    if (other !== undefined && other.side !== f.side && this.ownerOf(other.account) === owner) {
      this.trades.delete(key);
      const bucket = this.recent.get(`${owner}\u0000${f.symbol}`);
      if (bucket?.includes(other)) bucket.splice(bucket.indexOf(other), 1);
      return [this.alert(f, other, 1, `both sides of ${f.venue} trade ${f.tradeId} belong to ${owner === f.account ? f.account : `owner ${owner}`}`)];
    }
    if (other === undefined) {
      this.trades.set(key, f);
      if (this.trades.size > this.maxTrades) this.trades.delete(this.trades.keys().next().value!);
    }

    const bucketKey = `${owner}\u0000${f.symbol}`;
    const bucket = (this.recent.get(bucketKey) ?? []).filter((x) => f.timeUs - x.timeUs <= this.windowUs);
    const match = bucket.find((x) => x.side !== f.side && x.price === f.price && !(x.venue === f.venue && x.tradeId === f.tradeId));
    if (match !== undefined) {
      // Each fill pairs once: the matched one leaves the window's bucket.
      bucket.splice(bucket.indexOf(match), 1);
      this.recent.set(bucketKey, bucket);
      const verb = f.side === Side.Buy ? 'bought back' : 'sold back';
      return [this.alert(f, match, 0.6, `${owner === f.account ? f.account : `owner ${owner}`} ${verb} at the same price within ${Math.round((f.timeUs - match.timeUs) / 1000)} ms`)];
    }
    bucket.push(f);
    this.recent.set(bucketKey, bucket);
    return [];
  }

  private alert(f: Fill, other: Fill, score: number, message: string): SurveillanceAlert {
    return {
      code: ErrorCode.SURV_WASH_TRADE,
      account: f.account,
      symbol: f.symbol,
      timeUs: f.timeUs,
      score,
      message,
      evidence: [other, f].map((x) => ({ seq: x.seq, orderId: x.orderId, what: 'fill' })),
    };
  }
}
