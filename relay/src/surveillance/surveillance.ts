import type { JournalRecord } from '@tickmesh/shared';
import { MomentumIgnitionDetector, type MomentumIgnitionOptions } from './momentum-ignition-detector';
import { QuoteStuffingDetector, type QuoteStuffingOptions } from './quote-stuffing-detector';
import { SpoofingDetector, type SpoofingOptions } from './spoofing-detector';
import type { SurveillanceAlert } from './surveillance-alert';
import { tradingEventOf, type TradingEvent } from './trading-event';
import { WashTradeDetector, type WashTradeOptions } from './wash-trade-detector';

export interface SurveillanceOptions {
  wash?: WashTradeOptions;
  stuffing?: QuoteStuffingOptions;
  spoofing?: SpoofingOptions;
  momentum?: MomentumIgnitionOptions;
}

/** Fills already seen, remembered this long: a parent's roll-up repeats its child's venue trade. */
const SEEN_FILLS = 100_000;

/**
 * Market-abuse surveillance over the journal's records, in journal order: each record in,
 * the alerts it completes out. The same code reads a journal file after the fact
 * (`npm run journal -- surveil FILE`) and can follow the OMS live.
 */
export class Surveillance {
  private readonly wash: WashTradeDetector;
  private readonly stuffing: QuoteStuffingDetector;
  private readonly spoofing: SpoofingDetector;
  private readonly momentum: MomentumIgnitionDetector;
  private readonly seenFills = new Set<string>();
  /** Events read and alerts raised so far. */
  events = 0;
  alerts = 0;

  constructor(options: SurveillanceOptions = {}) {
    this.wash = new WashTradeDetector(options.wash);
    this.stuffing = new QuoteStuffingDetector(options.stuffing);
    this.spoofing = new SpoofingDetector(options.spoofing);
    this.momentum = new MomentumIgnitionDetector(options.momentum);
  }

  observe(seq: number, record: JournalRecord): SurveillanceAlert[] {
    const e = tradingEventOf(seq, record);
    if (e === undefined || this.repeated(e)) return [];
    this.events++;
    const out = [...this.stuffing.onEvent(e), ...this.spoofing.onEvent(e), ...(e.kind === 'fill' ? [...this.wash.onFill(e), ...this.momentum.onFill(e)] : [])];
    this.alerts += out.length;
    return out;
  }

  private repeated(e: TradingEvent): boolean {
    if (e.kind !== 'fill') return false;
    const key = `${e.account}\u0000${e.venue}\u0000${e.tradeId}\u0000${e.side}`;
    if (this.seenFills.has(key)) return true;
    this.seenFills.add(key);
    if (this.seenFills.size > SEEN_FILLS) this.seenFills.delete(this.seenFills.values().next().value!);
    return false;
  }
}
