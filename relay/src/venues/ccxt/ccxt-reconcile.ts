import { ErrorCode } from '@tickmesh/shared';
import type { CcxtOrders, CcxtTrackedOrder } from './ccxt-orders';
import type { CcxtOrder } from './ccxt-wire';
import { describeError } from './ccxt-wire';

/** Trades asked from this long before the oldest open order we sent (clock skew, slow acks). */
const SINCE_SLACK_MS = 60_000;
/**
 * An order we sent this recently that the venue lists nowhere is not closed yet: venues list
 * new orders late (replicated order stores); the next passes ask again.
 */
const NOT_FOUND_GRACE_MS = 10_000;

/**
 * One pass that brings our orders in line with the venue through ccxt's REST calls, as
 * NautilusTrader's execution reconciliation does; it is both the execution-report poll while
 * orders are open and the reconciliation after a restart (VenueAdapter.resume):
 *  1. fetchOpenOrders per market: each of ours there is accepted (its venue id learned by our
 *     client order id); one we never sent raises an operator alert (VENUE_UNKNOWN_ORDER);
 *  2. for ours not open any more: fetchClosedOrders (or fetchOrder) to learn how they ended;
 *  3. fetchMyTrades per market: each trade of one of our orders is booked once, by trade id
 *     (so a fill made while we were away is booked exactly once, and one both a pass and an
 *     earlier pass saw is not booked twice);
 *  4. the closes: canceled / expired / rejected as the venue says; an order the venue does not
 *     know at all is closed with VENUE_ORDER_NOT_FOUND.
 * `full` reads every market (at start and after resume); otherwise only those with open orders.
 */
export async function reconcileCcxt(entry: CcxtOrders, full: boolean): Promise<void> {
  const ex = entry.exchange;
  const venue = entry.options.venue;
  const live = [...entry.orders.values()].filter((t) => !t.terminal);
  const markets = entry.markets.filter((m) => full || live.some((t) => t.market === m));
  for (const m of markets) {
    const mine = live.filter((t) => t.market === m && !t.terminal);
    const byClientId = new Map(mine.map((t) => [entry.clientId(t.request.orderId), t]));
    const open = await ex.fetchOpenOrders(m.ccxtSymbol);
    const stillOpen = new Set<CcxtTrackedOrder>();
    for (const o of open) {
      const t = o.clientOrderId ? byClientId.get(o.clientOrderId) : undefined;
      if (t) {
        learn(t, o);
        entry.accept(t, entry.options.nowUs?.() ?? Date.now() * 1000);
        stillOpen.add(t);
        continue;
      }
      const id = entry.orderIdOf(o.clientOrderId);
      if (id !== undefined && entry.orders.has(id)) continue;
      const name = o.clientOrderId || o.id;
      if (entry.unknownOrders.includes(name) || (o.clientOrderId && entry.notYetHandedBack(o.clientOrderId))) continue;
      entry.unknownOrders.push(name);
      entry.log.error({ venue, symbol: m.instrument.symbol, clientOrderId: name, code: ErrorCode.VENUE_UNKNOWN_ORDER }, `${venue} has an open order Tickmesh did not send (operator alert)`);
    }
    // Orders acked or unanswered that are not open any more: how did they end?
    const gone = mine.filter((t) => !stillOpen.has(t) && !t.inFlight);
    const closed = new Map<CcxtTrackedOrder, CcxtOrder>();
    if (gone.length > 0) {
      if (ex.has.fetchClosedOrders || ex.has.fetchOrders) {
        const since = sinceOf(gone);
        const list = ex.has.fetchClosedOrders ? await ex.fetchClosedOrders(m.ccxtSymbol, since) : await ex.fetchOrders(m.ccxtSymbol, since);
        for (const o of list) {
          const t = o.clientOrderId ? byClientId.get(o.clientOrderId) : undefined;
          if (t && gone.includes(t)) closed.set(t, learn(t, o));
        }
      }
      for (const t of gone) {
        if (closed.has(t) || !t.venueOrderId || !ex.has.fetchOrder) continue;
        try {
          closed.set(t, await ex.fetchOrder(t.venueOrderId, m.ccxtSymbol));
        } catch (err) {
          if (!describeError(err).orderNotFound) throw err;
        }
      }
    }
    // Fills: every trade of ours since the oldest order, booked once by trade id.
    const known = mine.filter((t) => t.venueOrderId);
    if (known.length > 0) {
      const byVenueId = new Map(known.map((t) => [t.venueOrderId!, t]));
      const trades = await ex.fetchMyTrades(m.ccxtSymbol, sinceOf(known));
      for (const tr of [...trades].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))) {
        const t = tr.order !== undefined ? byVenueId.get(String(tr.order)) : undefined;
        if (t) entry.fill(t, tr);
      }
    }
    for (const t of gone) {
      if (t.terminal) continue; // filled in full above
      const o = closed.get(t);
      if (!o && t.sentMs > 0 && (entry.options.nowUs?.() ?? Date.now() * 1000) / 1000 - t.sentMs < NOT_FOUND_GRACE_MS) continue;
      if (!o) {
        entry.log.warn({ venue, orderId: t.request.orderId }, `${venue} does not know an order we sent; closed`);
        entry.end(t, 'canceled', ErrorCode.VENUE_ORDER_NOT_FOUND);
      } else if (o.status === 'canceled') entry.end(t, 'canceled', '');
      else if (o.status === 'expired') entry.end(t, 'expired', '');
      else if (o.status === 'rejected') entry.end(t, 'rejected', ErrorCode.VENUE_REJECTED, undefined, `${venue} rejected`);
      else if (o.status === 'closed') {
        // Filled at the venue, but its trades were not all listed yet: the next pass books them.
        entry.log.warn({ venue, orderId: t.request.orderId, filled: o.filled }, `${venue} shows an order filled whose trades are not all listed yet`);
      }
    }
  }
}

/** The venue's order id, learned by our client order id. */
function learn(t: CcxtTrackedOrder, o: CcxtOrder): CcxtOrder {
  if (o.id) t.venueOrderId = String(o.id);
  return o;
}

/** fetch…'s `since`: before the oldest of these orders we sent; undefined (the venue's recent ones) when one was handed back at a restart. */
function sinceOf(orders: readonly CcxtTrackedOrder[]): number | undefined {
  if (orders.some((t) => t.sentMs === 0)) return undefined;
  return Math.min(...orders.map((t) => t.sentMs)) - SINCE_SLACK_MS;
}
