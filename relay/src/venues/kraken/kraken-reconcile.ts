import { ErrorCode } from '@tickmesh/shared';
import { toUnits } from '../live/exact-units';
import type { LiveVenueLog } from '../live/live-venue-config';
import { decimalE8, type KrakenOrderInfo, type KrakenTradeInfo } from './kraken-order-wire';
import type { KrakenOrders, KrakenTrackedOrder } from './kraken-orders';
import type { KrakenApiError } from './kraken-private-rest';

/** TradesHistory pages read at most per order (50 trades a page). */
const MAX_TRADE_PAGES = 20;

/**
 * Brings the adapter's orders in line with Kraken after every executions subscription, every
 * resume() and every call that got no answer, as NautilusTrader's execution reconciliation
 * does: each order we think open is read (QueryOrders by txid, else found by our cl_ord_id
 * among OpenOrders, then ClosedOrders); fills made while we were not listening are read from
 * TradesHistory and booked once (by trade id), an order closed meanwhile is closed here, one
 * the venue does not know is closed with VENUE_ORDER_NOT_FOUND. Then every open order at
 * the venue that we never sent raises an operator alert (VENUE_UNKNOWN_ORDER).
 */
export async function reconcileKraken(orders: KrakenOrders, log: LiveVenueLog): Promise<void> {
  const open = Object.entries((await orders.call<{ open?: Record<string, KrakenOrderInfo> }>('OpenOrders', {})).open ?? {});
  for (const t of [...orders.orders.values()]) {
    if (!t.terminal) await settleOrder(orders, t, open, log);
  }
  for (const [txid, o] of open) {
    const id = o.cl_ord_id ? orders.orderIdOf(o.cl_ord_id) : undefined;
    if (id !== undefined && orders.orders.has(id)) continue;
    orders.alertUnknown(o.cl_ord_id || txid, o.descr?.pair);
  }
}

/** Reads one order at the venue and applies what it shows: accepted, new fills, an amend, the close. */
export async function settleOrder(orders: KrakenOrders, t: KrakenTrackedOrder, open: [string, KrakenOrderInfo][] | undefined, log?: LiveVenueLog): Promise<void> {
  const found = await findOrder(orders, t, open);
  if (!found) {
    log?.warn({ venue: 'kraken', orderId: t.request.orderId }, 'kraken does not know an order we sent; closed');
    // Never acknowledged and not at the venue: the order never reached it (Submitted -> Rejected).
    orders.end(t, t.accepted ? 'canceled' : 'rejected', ErrorCode.VENUE_ORDER_NOT_FOUND, undefined, 'kraken EOrder:Unknown order');
    return;
  }
  const [txid, o] = found;
  orders.knowVenueId(t, txid);
  if (o.status === 'pending') return;
  orders.accept(t, Math.round(o.opentm * 1_000_000));
  const executed = toUnits(o.vol_exec, t.market.size) ?? 0;
  if (executed > t.filledQty) await bookTrades(orders, t, txid, o.opentm);
  if (t.amend?.lost) {
    const qty = toUnits(o.vol, t.market.size);
    const price = toUnits(o.descr.price, t.market.price);
    if (t.amend.qty === qty && t.amend.price === price) orders.settleAmend(t, price, qty);
    else orders.amendLost(t);
  }
  const reason = o.reason ? `kraken ${o.reason}` : undefined;
  if (o.status === 'canceled') orders.end(t, 'canceled', '', closeUs(o), reason);
  else if (o.status === 'expired') orders.end(t, 'expired', '', closeUs(o), reason);
  else if (o.status === 'closed' && t.filledQty < t.request.qty) log?.warn({ venue: 'kraken', orderId: t.request.orderId }, 'kraken shows the order closed but not every fill was found');
}

async function findOrder(orders: KrakenOrders, t: KrakenTrackedOrder, open: [string, KrakenOrderInfo][] | undefined): Promise<[string, KrakenOrderInfo] | undefined> {
  if (t.venueOrderId) {
    try {
      const res = await orders.call<Record<string, KrakenOrderInfo>>('QueryOrders', { txid: t.venueOrderId });
      const o = res[t.venueOrderId];
      return o ? [t.venueOrderId, o] : undefined;
    } catch (err) {
      if ((err as KrakenApiError).code === ErrorCode.VENUE_ORDER_NOT_FOUND) return undefined;
      throw err;
    }
  }
  const cid = orders.clientId(t.request.orderId);
  const mine = (list: [string, KrakenOrderInfo][]) => list.find(([, o]) => o.cl_ord_id === cid);
  const openNow = open ?? Object.entries((await orders.call<{ open?: Record<string, KrakenOrderInfo> }>('OpenOrders', { cl_ord_id: cid })).open ?? {});
  const hit = mine(openNow);
  if (hit) return hit;
  const closed = await orders.call<{ closed?: Record<string, KrakenOrderInfo> }>('ClosedOrders', { cl_ord_id: cid });
  return mine(Object.entries(closed.closed ?? {}));
}

/** The order's trades from TradesHistory (each fill apart: consolidate_taker false), booked oldest first. */
async function bookTrades(orders: KrakenOrders, t: KrakenTrackedOrder, txid: string, opentm: number): Promise<void> {
  const mine: KrakenTradeInfo[] = [];
  let ofs = 0;
  for (let page = 0; page < MAX_TRADE_PAGES; page++) {
    const res = await orders.call<{ trades?: Record<string, KrakenTradeInfo>; count?: number }>('TradesHistory', { start: Math.floor(opentm) - 1, consolidate_taker: false, ofs });
    const trades = Object.values(res.trades ?? {});
    mine.push(...trades.filter((x) => x.ordertxid === txid));
    ofs += trades.length;
    if (trades.length === 0 || ofs >= (res.count ?? 0)) break;
  }
  mine.sort((a, b) => a.trade_id - b.trade_id);
  for (const x of mine) {
    orders.fill(t, { tradeId: x.trade_id, price: x.price, qty: x.vol, maker: x.maker === true, fee: decimalE8(x.fee), timeUs: Math.round(x.time * 1_000_000) });
  }
}

function closeUs(o: KrakenOrderInfo): number | undefined {
  return o.closetm ? Math.round(o.closetm * 1_000_000) : undefined;
}
