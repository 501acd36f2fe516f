import {
  Contingency, ErrorCode, OrderType, TriggerSource, TriggerType, validateConditional, type Instrument, type OrderConditional, type Side,
} from './model';
import { parseDecimalInput, roundPrice } from './ticket-math';

/**
 * The ticket's order types and how each maps onto the relay's conditional orders
 * (shared/src/model/conditional.ts). The relay holds and triggers them; the ticket only
 * builds the request and runs the same validation first, so a bad one shows its code here
 * without a round trip.
 */
export type TicketKind = 'limit' | 'market' | 'stop' | 'stop-limit' | 'take-profit' | 'take-profit-limit' | 'trailing' | 'oco' | 'bracket';

/** What `data-testid="ticket-type"` offers, in order. */
export const TICKET_KINDS: readonly { kind: TicketKind; label: string }[] = [
  { kind: 'limit', label: 'Limit' },
  { kind: 'market', label: 'Market' },
  { kind: 'stop', label: 'Stop' },
  { kind: 'stop-limit', label: 'Stop limit' },
  { kind: 'take-profit', label: 'Take profit' },
  { kind: 'take-profit-limit', label: 'Take profit limit' },
  { kind: 'trailing', label: 'Trailing stop' },
  { kind: 'oco', label: 'OCO' },
  { kind: 'bracket', label: 'Bracket' },
];

/** The conditional inputs of the ticket, as typed. */
export interface ConditionalInputs {
  kind: TicketKind;
  /** Stop / take-profit level; OCO and bracket: the stop(-loss) level. */
  triggerText: string;
  triggerSource: TriggerSource;
  /** Trailing: the distance, in price or in bps per `trailUnit`. */
  trailText: string;
  trailUnit: 'price' | 'bps';
  /** Bracket: the take-profit limit. */
  takeProfitText: string;
  /** OCO / bracket: the stop leg's limit once fired; '' = market. */
  stopLimitText: string;
  /** Bracket: the entry goes at market (else a limit at the ticket's price). */
  entryMarket: boolean;
}

/** The order type the ticket sends for `kind` (what the trigger releases, or a bracket's entry). */
export function orderTypeOf(kind: TicketKind, entryMarket: boolean): OrderType {
  switch (kind) {
    case 'market':
    case 'stop':
    case 'take-profit':
    case 'trailing':
      return OrderType.Market;
    case 'bracket':
      return entryMarket ? OrderType.Market : OrderType.Limit;
    default:
      return OrderType.Limit;
  }
}

/** Labels of the ticket's price field for `kind` ('' = no price field). */
export function priceLabel(kind: TicketKind, entryMarket: boolean): string {
  if (orderTypeOf(kind, entryMarket) === OrderType.Market) return '';
  if (kind === 'oco') return 'Limit (take profit)';
  if (kind === 'bracket') return 'Entry price';
  if (kind === 'stop-limit' || kind === 'take-profit-limit') return 'Limit price';
  return 'Price';
}

/** Label of the trigger field ('' = none). */
export function triggerLabel(kind: TicketKind): string {
  if (kind === 'stop' || kind === 'stop-limit') return 'Stop price';
  if (kind === 'take-profit' || kind === 'take-profit-limit') return 'Trigger price';
  if (kind === 'oco' || kind === 'bracket') return 'Stop loss';
  return '';
}

type Built = { ok: true; conditional: OrderConditional | undefined } | { ok: false; code: string; message: string };

/**
 * The conditional part of the order the ticket sends, in ticks, checked by the relay's own
 * rules (validateConditional). `price`: the ticket's limit price in ticks (0 for market).
 */
export function buildConditional(inst: Pick<Instrument, 'tickSize'>, side: Side, price: number, i: ConditionalInputs): Built {
  if (i.kind === 'limit' || i.kind === 'market') return { ok: true, conditional: undefined };
  const ticks = (text: string) => roundPrice(inst, text)?.units ?? 0;
  const c: OrderConditional = {
    triggerType: i.kind === 'take-profit' || i.kind === 'take-profit-limit' ? TriggerType.TakeProfit : i.kind === 'trailing' ? TriggerType.TrailingStop : TriggerType.Stop,
    triggerSource: i.triggerSource,
    triggerPrice: i.kind === 'trailing' ? 0 : ticks(i.triggerText),
    trailOffset: 0,
    trailBps: 0,
    contingency: i.kind === 'oco' ? Contingency.OCO : i.kind === 'bracket' ? Contingency.Bracket : Contingency.None,
    takeProfitPrice: i.kind === 'bracket' ? ticks(i.takeProfitText) : 0,
    stopLimitPrice: i.kind === 'oco' || i.kind === 'bracket' ? ticks(i.stopLimitText) : 0,
  };
  if (i.kind === 'trailing') {
    if (i.trailUnit === 'bps') {
      const bps = parseDecimalInput(i.trailText);
      c.trailBps = bps === null ? 0 : Math.round(bps);
    } else {
      c.trailOffset = ticks(i.trailText);
    }
    if (c.trailBps === 0 && c.trailOffset === 0) return { ok: false, code: ErrorCode.OMS_TRAIL_INVALID, message: 'enter the trailing distance' };
  }
  const v = validateConditional({ side, orderType: orderTypeOf(i.kind, i.entryMarket), price, algo: 0, conditional: c });
  return v.ok ? { ok: true, conditional: c } : { ok: false, code: v.reason.code, message: v.reason.message };
}
