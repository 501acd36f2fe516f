import { ErrorCode } from '@tickmesh/shared';
import { toUnits } from '../live/exact-units';
import type { LiveVenueLog } from '../live/live-venue-config';
import type { BinanceOrders } from './binance-orders';
import type { BinanceMarket } from './binance-symbols';
import type { BinanceApiError, BinanceWsApi } from './binance-ws-api';
import type { MyTrade, OrderInfo } from './binance-wire';

/** Binance: "Order does not exist." */
const UNKNOWN_ORDER = -2013;

/**
 * Brings the adapter's orders in line with Binance after a (re)connect, as NautilusTrader's
 * execution reconciliation does: for every order we think is open, its status and its trades
 * at the venue — a fill that happened while we were away is booked once (trade ids already
 * booked are skipped), an order the venue has closed is closed here, an order the venue does
 * not know is canceled with VENUE_ORDER_NOT_FOUND; then the venue's open orders, where one we
 * never sent raises an operator alert (VENUE_UNKNOWN_ORDER). Runs after the user data
 * subscription, so nothing that happens during it is missed (the trade-id dedup absorbs overlaps).
 */
export async function reconcileBinance(
  api: BinanceWsApi,
  orders: BinanceOrders,
  markets: readonly BinanceMarket[],
  log: LiveVenueLog,
  nowMs: () => number,
): Promise<void> {
  for (const t of [...orders.orders.values()]) {
    if (t.terminal) continue;
    const symbol = t.market.exchangeSymbol;
    let info: OrderInfo;
    try {
      info = await api.signed<OrderInfo>('order.status', { symbol, origClientOrderId: orders.clientId(t.request.orderId) }, nowMs());
    } catch (err) {
      if ((err as BinanceApiError).venueCode === UNKNOWN_ORDER) {
        log.warn({ venue: 'binance', orderId: t.request.orderId }, 'binance does not know an order we sent; closed');
        orders.end(t, 'canceled', ErrorCode.VENUE_ORDER_NOT_FOUND, undefined, 'binance -2013 Order does not exist.');
        continue;
      }
      throw err;
    }
    orders.accept(t, nowMs() * 1000);
    const executed = toUnits(info.executedQty, t.market.size) ?? 0;
    if (executed > t.filledQty) {
      const trades = await api.signed<MyTrade[]>('myTrades', { symbol, orderId: info.orderId }, nowMs());
      for (const tr of [...trades].sort((a, b) => a.id - b.id)) {
        orders.fill(t, tr.id, tr.price, tr.qty, tr.isMaker, tr.commission, tr.commissionAsset, tr.time * 1000);
      }
    }
    if (info.status === 'CANCELED') orders.end(t, 'canceled', '');
    else if (info.status === 'EXPIRED' || info.status === 'EXPIRED_IN_MATCH') orders.end(t, 'expired', '');
    else if (info.status === 'REJECTED') orders.end(t, 'rejected', ErrorCode.VENUE_REJECTED);
  }
  for (const m of markets) {
    const open = await api.signed<OrderInfo[]>('openOrders.status', { symbol: m.exchangeSymbol }, nowMs());
    for (const o of open) {
      const id = orders.orderIdOf(o.clientOrderId);
      if (id !== undefined && orders.orders.has(id)) continue;
      if (orders.unknownOrders.includes(o.clientOrderId) || orders.notYetHandedBack(o.clientOrderId)) continue;
      orders.unknownOrders.push(o.clientOrderId);
      log.error({ venue: 'binance', symbol: m.exchangeSymbol, clientOrderId: o.clientOrderId, code: ErrorCode.VENUE_UNKNOWN_ORDER }, 'binance has an open order Tickmesh did not send (operator alert)');
    }
  }
}
