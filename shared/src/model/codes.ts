/**
 * Stable error codes, grouped by the stage that produces them. Clients and tests match on
 * these, never on message text. Add codes; never rename or reuse one.
 */
export const ErrorCode = {
  // wire decoding / validation
  CODEC_MALFORMED: 'CODEC_MALFORMED',
  CODEC_UNKNOWN_MESSAGE: 'CODEC_UNKNOWN_MESSAGE',
  CODEC_INVALID_FIELD: 'CODEC_INVALID_FIELD',
  CODEC_PAYLOAD_TOO_LARGE: 'CODEC_PAYLOAD_TOO_LARGE',
  CODEC_WRONG_FRAME_TYPE: 'CODEC_WRONG_FRAME_TYPE',
  // session / connection limits
  SESSION_RATE_LIMITED: 'SESSION_RATE_LIMITED',
  SESSION_TOO_MANY_SUBSCRIPTIONS: 'SESSION_TOO_MANY_SUBSCRIPTIONS',
  SESSION_SLOW_CONSUMER: 'SESSION_SLOW_CONSUMER',
  SESSION_HEARTBEAT_TIMEOUT: 'SESSION_HEARTBEAT_TIMEOUT',
  SESSION_NOT_READY: 'SESSION_NOT_READY',
  SESSION_UNSUPPORTED_VERSION: 'SESSION_UNSUPPORTED_VERSION',
  SESSION_SHUTTING_DOWN: 'SESSION_SHUTTING_DOWN',
  // market data
  MD_UNKNOWN_SYMBOL: 'MD_UNKNOWN_SYMBOL',
  MD_UNKNOWN_STREAM: 'MD_UNKNOWN_STREAM',
  MD_NOT_SUBSCRIBED: 'MD_NOT_SUBSCRIBED',
  // the desk refuses a one-click trade on a book it shows as stale (its prices may not be the market's)
  MD_STALE_BOOK: 'MD_STALE_BOOK',
  // candle history (GET /api/candles): a timeframe the relay does not keep, from after to, a limit above the maximum
  MD_UNKNOWN_TIMEFRAME: 'MD_UNKNOWN_TIMEFRAME',
  MD_INVALID_RANGE: 'MD_INVALID_RANGE',
  MD_LIMIT_TOO_LARGE: 'MD_LIMIT_TOO_LARGE',
  // authentication
  AUTH_REQUIRED: 'AUTH_REQUIRED',
  AUTH_INVALID_TOKEN: 'AUTH_INVALID_TOKEN',
  AUTH_EXPIRED_TOKEN: 'AUTH_EXPIRED_TOKEN',
  AUTH_FORBIDDEN: 'AUTH_FORBIDDEN',
  AUTH_INVALID_API_KEY: 'AUTH_INVALID_API_KEY',
  AUTH_INVALID_LOGIN_CODE: 'AUTH_INVALID_LOGIN_CODE',
  AUTH_TOO_MANY_ATTEMPTS: 'AUTH_TOO_MANY_ATTEMPTS',
  AUTH_UNKNOWN_ACCOUNT: 'AUTH_UNKNOWN_ACCOUNT',
  // orders (OMS) and venue
  OMS_NOT_IMPLEMENTED: 'OMS_NOT_IMPLEMENTED',
  OMS_INTERNAL_ERROR: 'OMS_INTERNAL_ERROR',
  VENUE_UNKNOWN: 'VENUE_UNKNOWN',
  // smart order routing
  OMS_UNKNOWN_SYMBOL: 'OMS_UNKNOWN_SYMBOL',
  OMS_NO_LIQUIDITY: 'OMS_NO_LIQUIDITY',
  // smart routing: every venue quoting the symbol has an open market-data anomaly (name a venue to trade there anyway)
  OMS_VENUES_SUSPECT: 'OMS_VENUES_SUSPECT',
  OMS_FOK_UNFILLABLE: 'OMS_FOK_UNFILLABLE',
  // execution algos (TWAP, VWAP, iceberg)
  OMS_ALGO_INVALID_PARAMS: 'OMS_ALGO_INVALID_PARAMS',
  OMS_ALGO_CANCELED: 'OMS_ALGO_CANCELED',
  OMS_ALGO_HORIZON_ENDED: 'OMS_ALGO_HORIZON_ENDED',
  OMS_ALGO_CHILD_ENDED: 'OMS_ALGO_CHILD_ENDED',
  // order management (relay/src/oms)
  OMS_INVALID_TRANSITION: 'OMS_INVALID_TRANSITION',
  OMS_DUPLICATE_CLIENT_ORDER_ID: 'OMS_DUPLICATE_CLIENT_ORDER_ID',
  OMS_UNKNOWN_VENUE: 'OMS_UNKNOWN_VENUE',
  OMS_UNKNOWN_ORDER: 'OMS_UNKNOWN_ORDER',
  OMS_ORDER_NOT_OPEN: 'OMS_ORDER_NOT_OPEN',
  OMS_NOT_YOUR_ORDER: 'OMS_NOT_YOUR_ORDER',
  OMS_REQUEST_PENDING: 'OMS_REQUEST_PENDING',
  OMS_REPLACE_NOT_SUPPORTED: 'OMS_REPLACE_NOT_SUPPORTED',
  OMS_CHILD_EXCEEDS_PARENT: 'OMS_CHILD_EXCEEDS_PARENT',
  OMS_NO_ROUTE: 'OMS_NO_ROUTE',
  OMS_VENUE_SESSION_LOST: 'OMS_VENUE_SESSION_LOST',
  /** A restart stopped an algo parent (algos are not restarted: see relay/src/oms/oms-recovery.ts); its working children were canceled. */
  OMS_ALGO_INTERRUPTED: 'OMS_ALGO_INTERRUPTED',
  // conditional orders (shared/src/model/conditional.ts; held and triggered in relay/src/oms/conditional)
  OMS_CONDITIONAL_INVALID: 'OMS_CONDITIONAL_INVALID',
  /** A stop, take-profit or stop leg without its trigger price, or a bracket without its take-profit. */
  OMS_TRIGGER_PRICE_REQUIRED: 'OMS_TRIGGER_PRICE_REQUIRED',
  /** Trigger and limit prices on the wrong side of each other or of the entry (a leg would fire at once). */
  OMS_TRIGGER_PRICE_INVALID: 'OMS_TRIGGER_PRICE_INVALID',
  /** A trailing stop needs exactly one of a price offset and bps (and no fixed trigger price). */
  OMS_TRAIL_INVALID: 'OMS_TRAIL_INVALID',
  // pre-trade risk (shared rules in shared/src/risk, relay engine in relay/src/risk; see relay/src/risk/README.md)
  RISK_INVALID_PRICE: 'RISK_INVALID_PRICE',
  RISK_INVALID_QTY: 'RISK_INVALID_QTY',
  RISK_MAX_ORDER_QTY: 'RISK_MAX_ORDER_QTY',
  RISK_TRADING_HALTED: 'RISK_TRADING_HALTED',
  RISK_REDUCE_ONLY: 'RISK_REDUCE_ONLY',
  RISK_NO_REFERENCE_PRICE: 'RISK_NO_REFERENCE_PRICE',
  RISK_PRICE_COLLAR: 'RISK_PRICE_COLLAR',
  RISK_MAX_NOTIONAL: 'RISK_MAX_NOTIONAL',
  RISK_POSITION_LIMIT: 'RISK_POSITION_LIMIT',
  RISK_CREDIT_LIMIT: 'RISK_CREDIT_LIMIT',
  RISK_MAX_OPEN_ORDERS: 'RISK_MAX_OPEN_ORDERS',
  RISK_SELF_TRADE: 'RISK_SELF_TRADE',
  RISK_THROTTLED: 'RISK_THROTTLED',
  RISK_MODIFY_THROTTLED: 'RISK_MODIFY_THROTTLED',
  RISK_DUPLICATE_ORDER: 'RISK_DUPLICATE_ORDER',
  RISK_KILL_SWITCH: 'RISK_KILL_SWITCH',
  RISK_UNKNOWN_INSTRUMENT: 'RISK_UNKNOWN_INSTRUMENT',
  RISK_CIRCUIT_BREAKER: 'RISK_CIRCUIT_BREAKER',
  // risk alerts (compliance monitoring; emitted as events, never returned by a check)
  RISK_ALERT_REPEATED_DENIALS: 'RISK_ALERT_REPEATED_DENIALS',
  RISK_ALERT_CIRCUIT_BREAKER: 'RISK_ALERT_CIRCUIT_BREAKER',
  RISK_ALERT_KILL_SWITCH: 'RISK_ALERT_KILL_SWITCH',
  // market-abuse surveillance alerts (relay/src/surveillance; see its README.md)
  SURV_SPOOFING: 'SURV_SPOOFING',
  SURV_LAYERING: 'SURV_LAYERING',
  SURV_WASH_TRADE: 'SURV_WASH_TRADE',
  SURV_QUOTE_STUFFING: 'SURV_QUOTE_STUFFING',
  SURV_MOMENTUM_IGNITION: 'SURV_MOMENTUM_IGNITION',
  /** SubscribeAlerts on a relay without an alert desk (an edge of a cluster: subscribe on the OMS node). */
  SURV_ALERTS_UNAVAILABLE: 'SURV_ALERTS_UNAVAILABLE',
  // market-data anomalies (relay/src/surveillance/market-data; see relay/src/surveillance/README.md)
  MD_ANOMALY_DIVERGENCE: 'MD_ANOMALY_DIVERGENCE',
  MD_ANOMALY_PRICE_SPIKE: 'MD_ANOMALY_PRICE_SPIKE',
  MD_ANOMALY_FROZEN_FEED: 'MD_ANOMALY_FROZEN_FEED',
  MD_ANOMALY_CROSSED_BOOK: 'MD_ANOMALY_CROSSED_BOOK',
  MD_ANOMALY_LOCKED_BOOK: 'MD_ANOMALY_LOCKED_BOOK',
  // PeerJS signalling on /peerjs (relay/src/server/signalling; see its README.md)
  SIGNAL_MALFORMED: 'SIGNAL_MALFORMED',
  SIGNAL_MESSAGE_TOO_LARGE: 'SIGNAL_MESSAGE_TOO_LARGE',
  SIGNAL_RATE_LIMITED: 'SIGNAL_RATE_LIMITED',
  SIGNAL_INVALID_KEY: 'SIGNAL_INVALID_KEY',
  SIGNAL_INVALID_ID: 'SIGNAL_INVALID_ID',
  SIGNAL_ID_HIJACK: 'SIGNAL_ID_HIJACK',
  SIGNAL_ID_RECLAIMED: 'SIGNAL_ID_RECLAIMED',
  SIGNAL_TOO_MANY_PEERS: 'SIGNAL_TOO_MANY_PEERS',
  SIGNAL_TOO_MANY_ACCOUNT_PEERS: 'SIGNAL_TOO_MANY_ACCOUNT_PEERS',
  SIGNAL_TOO_MANY_CONNECTIONS: 'SIGNAL_TOO_MANY_CONNECTIONS',
  SIGNAL_HEARTBEAT_TIMEOUT: 'SIGNAL_HEARTBEAT_TIMEOUT',
  SIGNAL_DISCOVERY_DISABLED: 'SIGNAL_DISCOVERY_DISABLED',
  SIGNAL_SHUTTING_DOWN: 'SIGNAL_SHUTTING_DOWN',
  // market-data mesh (shared/src/mesh): misbehaviour, neighbour quality, lifecycle
  MESH_BAD_SIGNATURE: 'MESH_BAD_SIGNATURE',
  MESH_MALFORMED: 'MESH_MALFORMED',
  MESH_OVERSIZED: 'MESH_OVERSIZED',
  MESH_FLOOD: 'MESH_FLOOD',
  MESH_REPLAY: 'MESH_REPLAY',
  MESH_PROTOCOL: 'MESH_PROTOCOL',
  MESH_STALLED: 'MESH_STALLED',
  MESH_POOR_DELIVERY: 'MESH_POOR_DELIVERY',
  MESH_SLOW: 'MESH_SLOW',
  MESH_SLOW_CONSUMER: 'MESH_SLOW_CONSUMER',
  MESH_TOO_MANY_PEERS: 'MESH_TOO_MANY_PEERS',
  MESH_PEER_CLOSED: 'MESH_PEER_CLOSED',
  MESH_LEAVING: 'MESH_LEAVING',
  MESH_EVICTED: 'MESH_EVICTED',
  MESH_RESYNC: 'MESH_RESYNC',
  // The PeerJS id in a relay-link MeshHello is not registered in signalling by this account (or none was bound yet).
  MESH_PEER_NOT_REGISTERED: 'MESH_PEER_NOT_REGISTERED',
  // An edge of a cluster reaches no mesh hub (the md node's coordinator) right now: the session stays on direct delivery.
  MESH_NO_HUB: 'MESH_NO_HUB',
  // market-data recordings (shared/src/codec/RECORDING-FORMAT.md): a file that cannot be read to its end
  RECORDING_BAD_MAGIC: 'RECORDING_BAD_MAGIC',
  RECORDING_UNSUPPORTED_VERSION: 'RECORDING_UNSUPPORTED_VERSION',
  RECORDING_TRUNCATED: 'RECORDING_TRUNCATED',
  RECORDING_CORRUPT: 'RECORDING_CORRUPT',
  // the browser recorder (web/src/workers/recording): the origin's storage quota is exhausted; recording stops, nothing committed is lost
  RECORDING_QUOTA_EXCEEDED: 'RECORDING_QUOTA_EXCEEDED',
  // IndexedDB refused a write for another reason (see the message); recording stops
  RECORDING_STORE_FAILED: 'RECORDING_STORE_FAILED',
  // IndexedDB cannot be opened here (private mode, blocked): nothing is recorded
  RECORDING_UNAVAILABLE: 'RECORDING_UNAVAILABLE',
  // IndexedDB fell behind: frames were shed (counted) until it caught up
  RECORDING_SHEDDING: 'RECORDING_SHEDDING',
  // replay: no recording with that id / the request names no stream of it / the window holds no frame
  REPLAY_UNKNOWN_RECORDING: 'REPLAY_UNKNOWN_RECORDING',
  REPLAY_NO_STREAMS: 'REPLAY_NO_STREAMS',
  REPLAY_EMPTY_RANGE: 'REPLAY_EMPTY_RANGE',
  // an action that needs replay mode (paper orders, replay controls) while none is open
  REPLAY_NOT_ACTIVE: 'REPLAY_NOT_ACTIVE',
  // paper trading (web/src/workers/paper): the replayed book holds nothing to trade against
  PAPER_NO_BOOK: 'PAPER_NO_BOOK',
  // paper trading: an OCO or bracket (paper stops, take-profits and trailing stops run; multi-leg orders need the relay)
  PAPER_CONDITIONAL_UNSUPPORTED: 'PAPER_CONDITIONAL_UNSUPPORTED',
  // another relay process holds the data directory (its relay.pid): one relay per journal
  RELAY_DATA_DIR_IN_USE: 'RELAY_DATA_DIR_IN_USE',
  // a replayed venue (relay/src/venues/replay) takes no orders
  VENUE_REPLAY_READ_ONLY: 'VENUE_REPLAY_READ_ONLY',
  // real exchanges (relay/src/venues/<venue>): orders need the venue's API key, which is not configured
  VENUE_NO_CREDENTIALS: 'VENUE_NO_CREDENTIALS',
  // --ccxt-config is unreadable, not JSON, not {"<exchange>": {…}}, or carries keys (keys go in the environment or a 0600 key file)
  VENUE_CCXT_CONFIG_INVALID: 'VENUE_CCXT_CONFIG_INVALID',
  // the venue has no such order type / time in force / post-only: refused on our side, never sent
  VENUE_UNSUPPORTED_ORDER_TYPE: 'VENUE_UNSUPPORTED_ORDER_TYPE',
  VENUE_UNSUPPORTED_TIME_IN_FORCE: 'VENUE_UNSUPPORTED_TIME_IN_FORCE',
  VENUE_UNSUPPORTED_REPLACE: 'VENUE_UNSUPPORTED_REPLACE',
  // below the venue's minimum notional (price × quantity), refused before sending
  VENUE_MIN_NOTIONAL: 'VENUE_MIN_NOTIONAL',
  // the venue answered 429 (request rate) or 418 (IP banned after 429s): we back off, never hammer
  VENUE_RATE_LIMITED: 'VENUE_RATE_LIMITED',
  VENUE_IP_BANNED: 'VENUE_IP_BANNED',
  // the venue refused the order; its own code follows in the reason ("VENUE_REJECTED: -2010 …")
  VENUE_REJECTED: 'VENUE_REJECTED',
  // the venue could not be reached or answered something we cannot read
  VENUE_UNREACHABLE: 'VENUE_UNREACHABLE',
  VENUE_BAD_RESPONSE: 'VENUE_BAD_RESPONSE',
  // at start: the venue does not list the symbol, or its tick/lot sizes do not fit integer ticks and lots
  VENUE_UNLISTED_SYMBOL: 'VENUE_UNLISTED_SYMBOL',
  VENUE_INSTRUMENT_UNREPRESENTABLE: 'VENUE_INSTRUMENT_UNREPRESENTABLE',
  // a key file in the data directory readable by others (mode must be 0600), or unreadable
  VENUE_KEY_FILE_MODE: 'VENUE_KEY_FILE_MODE',
  VENUE_KEY_FILE_INVALID: 'VENUE_KEY_FILE_INVALID',
  // reconciliation: the venue reports an order the OMS never sent (operator alert)
  VENUE_UNKNOWN_ORDER: 'VENUE_UNKNOWN_ORDER',
  // reconciliation: an order open in the OMS that the venue does not know; closed with this reason
  VENUE_ORDER_NOT_FOUND: 'VENUE_ORDER_NOT_FOUND',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
