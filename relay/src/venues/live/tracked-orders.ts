import type { ResumedOrder, VenueExecution, VenueOrderRequest } from '../venue-adapter';
import { toUnits, type UnitStep } from './exact-units';
import type { LiveVenueLog } from './live-venue-config';

/** What booking a fill needs of a venue's market: its tick and lot steps. */
export interface UnitMarket {
  price: UnitStep;
  size: UnitStep;
}

/** What every venue's order entry tracks of an order it sent; a venue adds its own fields (venue order id, amend in flight …). */
export interface TrackedOrder<Market extends UnitMarket = UnitMarket> {
  request: VenueOrderRequest;
  market: Market;
  /** Lots booked so far. */
  filledQty: number;
  /** Venue trade ids booked: the socket and reconciliation both see a fill, and it must be booked once. */
  tradeIds: Set<number>;
  accepted: boolean;
  terminal: boolean;
}

/** A new order's tracking, or, with `resumed`, an order open in the journal at a restart with what it had booked. */
export function trackOrder<Market extends UnitMarket>(request: VenueOrderRequest, market: Market, resumed?: ResumedOrder): TrackedOrder<Market> {
  return { request, market, filledQty: resumed?.filledQty ?? 0, tradeIds: new Set(resumed?.tradeIds), accepted: resumed?.accepted ?? false, terminal: false };
}

/** One fill as the venue reported it: price and quantity still the venue's decimal strings. */
export interface VenueFill {
  tradeId: number;
  price: string;
  /** Base quantity; undefined when the venue gave it in quote units (never booked: it cannot be counted in lots exactly). */
  qty: string | undefined;
  maker: boolean;
  /** Quote units × 1e-8 (VenueExecution.fee). */
  fee: number;
  timeUs: number;
}

/** The order entry a fill is booked into. */
export interface FillLedger<Order extends TrackedOrder> {
  readonly venue: string;
  readonly log: LiveVenueLog;
  /** Reports the order accepted, once (a fill is the venue's acknowledgement too). */
  accept(t: Order, timeUs: number): void;
  emit(report: VenueExecution): void;
}

/**
 * Books one fill once, by its trade id, and reports it; false when that trade id was booked
 * already, or the fill is off the tick/lot grid (logged: never rounded onto it). The order
 * is done when it has filled its quantity.
 */
export function bookFill<Order extends TrackedOrder>(t: Order, f: VenueFill, ledger: FillLedger<Order>): boolean {
  if (t.tradeIds.has(f.tradeId)) return false;
  const price = toUnits(f.price, t.market.price);
  const qty = f.qty === undefined ? undefined : toUnits(f.qty, t.market.size);
  if (price === undefined || qty === undefined || !Number.isSafeInteger(f.tradeId)) {
    ledger.log.error({ venue: ledger.venue, tradeId: f.tradeId, price: f.price, qty: f.qty }, `${ledger.venue} fill off the tick/lot grid; not booked`);
    return false;
  }
  ledger.accept(t, f.timeUs);
  t.tradeIds.add(f.tradeId);
  t.filledQty += qty;
  ledger.emit({
    orderId: t.request.orderId,
    kind: 'fill',
    price,
    qty,
    leavesQty: Math.max(0, t.request.qty - t.filledQty),
    tradeId: f.tradeId,
    liquidityMaker: f.maker,
    fee: f.fee,
    reasonCode: '',
    timeUs: f.timeUs,
  });
  if (t.filledQty >= t.request.qty) t.terminal = true;
  return true;
}
