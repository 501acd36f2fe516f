import { ErrorCode } from '@tickmesh/shared';
import type { LiveVenueLog } from '../live/live-venue-config';
import { VenueHttpError } from '../live/venue-http';
import type { HistoricalOrder } from './coinbase-order-wire';
import type { CoinbaseOrders } from './coinbase-orders';

const HISTORICAL = '/api/v3/brokerage/orders/historical';

/**
 * Brings the adapter's orders in line with Coinbase after a (re)connect of the user channel,
 * as NautilusTrader's execution reconciliation does: each order we think open is read
 * (by Coinbase's order id, else found by our client order id among the account's orders);
 * fills made while we were away are booked once (by trade id), an order closed meanwhile is
 * closed here, one the venue does not know is canceled with VENUE_ORDER_NOT_FOUND. Then every
 * open order at the venue that we never sent raises an operator alert (VENUE_UNKNOWN_ORDER).
 */
export async function reconcileCoinbase(orders: CoinbaseOrders, log: LiveVenueLog): Promise<void> {
  const open = await list(orders, 'order_status=OPEN');
  let all: HistoricalOrder[] | undefined;
  for (const t of [...orders.orders.values()]) {
    if (t.terminal) continue;
    let o: HistoricalOrder | undefined;
    if (t.venueOrderId) {
      try {
        o = (await orders.rest<{ order: HistoricalOrder }>('GET', `${HISTORICAL}/${encodeURIComponent(t.venueOrderId)}`)).order;
      } catch (err) {
        if (!(err instanceof VenueHttpError && err.status === 404)) throw err;
      }
    } else {
      const cid = orders.clientId(t.request.orderId);
      o = open.find((x) => x.client_order_id === cid);
      if (!o) {
        all ??= await list(orders, '');
        o = all.find((x) => x.client_order_id === cid);
      }
    }
    if (!o) {
      log.warn({ venue: 'coinbase', orderId: t.request.orderId }, 'coinbase does not know an order we sent; closed');
      orders.end(t, 'canceled', ErrorCode.VENUE_ORDER_NOT_FOUND, undefined, 'coinbase NOT_FOUND order not found');
      continue;
    }
    await orders.apply(t, { orderId: o.order_id, status: o.status, filled: o.filled_size, reason: o.reject_reason ?? '' });
  }
  for (const o of open) {
    const id = orders.orderIdOf(o.client_order_id);
    if (id !== undefined && orders.orders.has(id)) continue;
    orders.alertUnknown(o.client_order_id, o.product_id);
  }
}

/** GET …/orders/historical/batch, every page. */
async function list(orders: CoinbaseOrders, filter: string): Promise<HistoricalOrder[]> {
  const out: HistoricalOrder[] = [];
  let cursor = '';
  for (let page = 0; page < 20; page++) {
    const q = [filter, 'limit=250', cursor ? `cursor=${encodeURIComponent(cursor)}` : ''].filter(Boolean).join('&');
    const res = await orders.rest<{ orders?: HistoricalOrder[]; has_next?: boolean; cursor?: string }>('GET', `${HISTORICAL}/batch`, undefined, q);
    out.push(...(res.orders ?? []));
    if (!res.has_next || !res.cursor) break;
    cursor = res.cursor;
  }
  return out;
}
