import type { Instrument, L2Book, OrderIntent, OrderTouch, OrderType, Result, TimeInForce } from '@tickmesh/shared';

/**
 * One venue's live view of a symbol, as the relay's market-data service holds it
 * (`md.stream(id).book` and `.instrument`). The router reads the book synchronously and keeps
 * no reference to it after `route` returns.
 */
export interface VenueQuote {
  venue: string;
  instrument: Instrument;
  book: L2Book;
}

/**
 * Where the router gets its quotes: every venue listing `symbol`, in a stable order (that
 * order breaks ties between equally priced venues). Empty when no venue lists the symbol.
 */
export interface QuoteSource {
  quotes(symbol: string): VenueQuote[];
}

/**
 * One child order the router wants sent. The port only needs `venue`, `price`, `qty`;
 * `orderType` and `timeInForce` are extra so the OMS need not re-derive which child takes
 * liquidity (IOC/FOK, always a limit: market parents become protected limits) and which one
 * rests (the parent's GTC/Day).
 */
export interface RouteChild {
  venue: string;
  /** Limit price in ticks: the parent's limit (market parents: the protected limit). */
  price: number;
  qty: number;
  orderType: OrderType;
  timeInForce: TimeInForce;
}

/**
 * The OMS's routing port (structurally identical to `OmsRouter` in ../oms-ports.ts).
 * Children only: for a non-resting order the quantity left unrouted is
 * `intent.qty - sum(children.qty)` and the OMS reports it canceled.
 */
export interface OmsRouter {
  route(intent: OrderIntent): Result<Array<{ venue: string; price: number; qty: number }>>;
  touch?(symbol: string, venue: string): OrderTouch | undefined;
}
