import { ErrorCode } from '@tickmesh/shared';
import type { SurveillanceAlert } from './surveillance-alert';
import type { TradingEvent } from './trading-event';

/** Options of QuoteStuffingDetector. */
export interface QuoteStuffingOptions {
  /** Window the rates are counted over. Default 1,000 ms. */
  windowMs?: number;
  /** Orders + cancels of one account in one symbol within the window that can be stuffing. Default 200. */
  maxMessages?: number;
  /** ... when at most one trade per this many orders came of them (order-to-trade ratio). Default 50. */
  minOrderToTrade?: number;
}

interface Tape {
  /** Times (µs) and evidence of orders and cancels within the window, oldest first. */
  messages: Array<{ timeUs: number; seq: number; orderId: string; what: string }>;
  fills: number[];
  quietUntilUs: number;
}

/**
 * Quote stuffing: floods of orders and cancels that trade next to nothing, which slow every
 * other participant's view of the book. Fires when one account sends at least `maxMessages`
 * orders and cancels in one symbol within `windowMs` and its order-to-trade ratio in that
 * window is at least `minOrderToTrade`. Quiet for a window after an alert (one per burst).
 */
export class QuoteStuffingDetector {
  private readonly windowUs: number;
  private readonly maxMessages: number;
  private readonly minOrderToTrade: number;
  private readonly tapes = new Map<string, Tape>();

  constructor(options: QuoteStuffingOptions = {}) {
    this.windowUs = (options.windowMs ?? 1000) * 1000;
    this.maxMessages = options.maxMessages ?? 200;
    this.minOrderToTrade = options.minOrderToTrade ?? 50;
  }

  onEvent(e: TradingEvent): SurveillanceAlert[] {
    const key = `${e.account}\u0000${e.symbol}`;
    let t = this.tapes.get(key);
    if (t === undefined) this.tapes.set(key, (t = { messages: [], fills: [], quietUntilUs: -Infinity }));
    const from = e.timeUs - this.windowUs;
    if (e.kind === 'fill') {
      t.fills.push(e.timeUs);
      while (t.fills.length > 0 && t.fills[0]! < from) t.fills.shift();
      return [];
    }
    t.messages.push({ timeUs: e.timeUs, seq: e.seq, orderId: e.orderId, what: e.kind });
    let drop = 0;
    while (drop < t.messages.length && t.messages[drop]!.timeUs < from) drop++;
    if (drop > 0) t.messages.splice(0, drop);
    while (t.fills.length > 0 && t.fills[0]! < from) t.fills.shift();
    if (t.messages.length < this.maxMessages || e.timeUs < t.quietUntilUs) return [];
    const orders = t.messages.filter((m) => m.what === 'order').length;
    const ratio = orders / Math.max(1, t.fills.length);
    if (ratio < this.minOrderToTrade) return [];
    t.quietUntilUs = e.timeUs + this.windowUs;
    const windowMs = this.windowUs / 1000;
    return [{
      code: ErrorCode.SURV_QUOTE_STUFFING,
      account: e.account,
      symbol: e.symbol,
      timeUs: e.timeUs,
      score: Math.min(1, t.messages.length / (2 * this.maxMessages)),
      message: `${t.messages.length} orders and cancels in ${windowMs} ms (${orders} orders, ${t.fills.length} fills: order-to-trade ${t.fills.length === 0 ? `${orders}:0` : ratio.toFixed(0)})`,
      // The first and last messages of the burst bound it; the journal holds the rest between them.
      evidence: [t.messages[0]!, t.messages[t.messages.length - 1]!].map(({ seq, orderId, what }) => ({ seq, orderId, what })),
    }];
  }
}
