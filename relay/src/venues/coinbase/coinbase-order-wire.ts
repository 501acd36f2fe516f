/** Coinbase Advanced Trade order shapes (REST /api/v3/brokerage/orders…, WebSocket `user`), as documented. */

/** POST /api/v3/brokerage/orders answer: success_response, or error_response with the venue's error. */
export interface CreateOrderResponse {
  success: boolean;
  failure_reason?: string;
  order_id?: string;
  success_response?: { order_id: string; product_id: string; side: string; client_order_id: string };
  error_response?: { error?: string; message?: string; error_details?: string; preview_failure_reason?: string; new_order_failure_reason?: string };
}

/** POST /api/v3/brokerage/orders/batch_cancel answer. */
export interface BatchCancelResponse {
  results: { success: boolean; failure_reason?: string; order_id: string }[];
}

/** Order statuses Coinbase reports (REST `status`, user channel `status`). */
export type CoinbaseOrderStatus = 'PENDING' | 'OPEN' | 'FILLED' | 'CANCELLED' | 'EXPIRED' | 'FAILED' | 'CANCEL_QUEUED' | 'QUEUED' | 'UNKNOWN_ORDER_STATUS';

/** One order of GET /api/v3/brokerage/orders/historical/{order_id} ({order}) or …/batch ({orders}). */
export interface HistoricalOrder {
  order_id: string;
  client_order_id: string;
  product_id: string;
  side: 'BUY' | 'SELL';
  status: CoinbaseOrderStatus;
  filled_size: string;
  average_filled_price?: string;
  total_fees?: string;
  reject_reason?: string;
  reject_message?: string;
  order_configuration?: Record<string, unknown>;
  created_time?: string;
}

/** One fill of GET /api/v3/brokerage/orders/historical/fills; commission is in the quote currency. */
export interface CoinbaseFill {
  entry_id: string;
  trade_id: string;
  order_id: string;
  trade_time: string;
  trade_type: string;
  price: string;
  size: string;
  commission: string;
  product_id: string;
  sequence_timestamp?: string;
  liquidity_indicator: 'MAKER' | 'TAKER' | 'UNKNOWN_LIQUIDITY_INDICATOR';
  size_in_quote: boolean;
  user_id?: string;
  side: 'BUY' | 'SELL';
}

/** One order of a `user` channel event: cumulative totals, not per fill. */
export interface UserOrder {
  order_id: string;
  client_order_id: string;
  cumulative_quantity: string;
  leaves_quantity: string;
  avg_price: string;
  total_fees: string;
  status: CoinbaseOrderStatus;
  product_id: string;
  order_side: 'BUY' | 'SELL';
  order_type?: string;
  creation_time?: string;
  reject_reason?: string;
  cancel_reason?: string;
}

/** A `user` channel message (events of type snapshot | update). */
export interface UserMessage {
  channel: 'user';
  sequence_num: number;
  timestamp: string;
  events: { type: 'snapshot' | 'update'; orders: UserOrder[] }[];
}
