/**
 * Every knob of the relay, with its safe default (DESIGN.md house style 5: every resource
 * limit is an option). The CLI (cli.ts) fills these from flags and environment variables.
 */
/** What one relay process does in a cluster (relay/src/cluster/README.md). */
export type RelayRole = 'all' | 'md' | 'oms' | 'edge';

export interface RelayOptions {
  /**
   * `all`: everything in this process, no NATS (today's single relay). `md`: venues and books,
   * publishing each encoded batch to NATS. `oms`: venues, books, OMS, risk and journal, publishing
   * market data as md does and answering the edges' orders and REST calls. `edge`: /ws, /api and
   * the PWA, fed from md and the OMS through NATS. Default 'all'.
   */
  role: RelayRole;
  /**
   * How long an OMS node's lease outlives its last renewal: a standby takes over this long
   * after the active died (at once after a graceful stop). Default 3000 ms.
   */
  omsLeaseMs: number;
  /**
   * With `--role oms`: publish this node's market data to NATS as an md node does (the embedded
   * simulator lives in the OMS node, so its books come from there). False when an md node
   * publishes the same venues: two publishers of one stream would interleave two seq spaces.
   * Default true.
   */
  omsPublishesMd: boolean;
  /** NATS auth token (prefer the NATS_TOKEN environment variable: flags show in `ps`). Default none. */
  natsToken: string;
  /** NATS .creds file (user JWT + nkey seed). Default none. */
  natsCreds: string;
  /** CA file for tls:// NATS servers signed by a private CA. Default none (the system's CAs). */
  natsCa: string;
  /** Client certificate and key for NATS servers that verify clients. Default none. */
  natsCert: string;
  natsKey: string;
  /** NATS servers of the cluster (nats://host:4222; several for failover). Needed by every role but all. Default none. */
  natsUrls: string[];
  /** TCP port; 0 picks a free one. Default 8080. */
  port: number;
  /** Bind address. Default 127.0.0.1 (loopback only, unless configured otherwise). */
  host: string;
  /** PEM certificate (leaf first, then intermediates): with tlsKey the relay serves HTTPS and WSS on `port`. Default '' (plain HTTP). */
  tlsCert: string;
  /** PEM private key of tlsCert, unencrypted. Both files are re-read on SIGHUP and when they change. Default ''. */
  tlsKey: string;
  /** A reverse proxy is in front: honour its X-Forwarded-For (client address) and X-Forwarded-Proto (https). Default false (headers ignored). */
  trustProxy: boolean;
  /** Symbols each simulated venue lists. Default BTC-USD, ETH-USD, SOL-USD. */
  symbols: string[];
  /** Seed of the simulated order flow; the same seed replays the same market. Default 1. */
  seed: number;
  /** Simulated venue activity, order-flow actions per second per instrument. Default 200. */
  simRate: number;
  /**
   * Simulator scenarios (relay/src/venues/sim/scenarios): abusive and benign traders trading
   * through the OMS, feed faults at the simulated venues; seeded by `seed`. Default none.
   */
  simScenario: string[];
  /** Market-data flush interval: every update within one interval goes out as one batch. Default 10 ms. */
  flushMs: number;
  /** Per-connection send-queue limit in bytes; over it book streams are conflated. Default 1 MiB. */
  queueLimitBytes: number;
  /** A conflated connection that has not drained below half the limit by then is closed. Default 5000 ms. */
  slowConsumerTimeoutMs: number;
  /** Largest accepted client frame. Default 64 KiB. */
  maxPayloadBytes: number;
  /** Client messages per second per connection (token bucket, burst = 2x). Default 100. */
  messagesPerSecond: number;
  /** Client messages per second per account, over all its connections (burst = 2x). Default 200. */
  accountMessagesPerSecond: number;
  /** Streams one connection may hold. Default 64. */
  maxSubscriptions: number;
  /** Heartbeat: the relay pings this often; a peer silent for two intervals is dropped. Default 10000 ms. */
  heartbeatMs: number;
  /** Offer permessage-deflate on /ws (the client decides). Default true. */
  compression: boolean;
  /** Recent trades kept per stream for snapshots. Default 50. */
  recentTrades: number;
  /** pino log level. Default "info". */
  logLevel: string;
  /** Directory of built web assets served at /. Default web/dist next to the relay. */
  webRoot: string;
  /** Where the relay keeps its signing secret, accounts and journal. Default ".tickmesh" (created on first run). */
  dataDir: string;
  /**
   * Where the signing secret and accounts are, when not in `dataDir`: the nodes of a cluster
   * share one, so each verifies the others' tokens. Default '' (the data dir).
   */
  authDir: string;
  /** Lifetime of access tokens. Default 900 s. */
  tokenTtlSec: number;
  /** STUN servers mesh peers use to find their public addresses. Default none (peers on one host or LAN). */
  stunUrls: string[];
  /** TURN servers relaying mesh traffic between peers that cannot reach each other. Default none. */
  turnUrls: string[];
  /** The TURN server's REST-API shared secret (coturn `static-auth-secret`): peers get ephemeral credentials. Default '' (no credentials). */
  turnSecret: string;
  /** Lifetime of those TURN credentials. Default 3600 s. */
  turnTtlSec: number;
  /** Venues to run: sim (sim-a and sim-b), binance, coinbase, kraken, and ccxt:<exchange> (any ccxt.pro exchange id, e.g. ccxt:okx). Default sim. */
  venues: string[];
  /** Canonical BASE-QUOTE symbols per real venue (Binance BTCUSDT = BTC-USDT; USDT is not USD). */
  binanceSymbols: string[];
  coinbaseSymbols: string[];
  krakenSymbols: string[];
  /** Endpoint overrides per real venue; '' = the venue's production endpoint (Binance: its testnet with binanceTestnet). */
  binanceRestUrl: string;
  binanceWsUrl: string;
  /** Binance's WebSocket API (orders and user data). */
  binanceWsApiUrl: string;
  coinbaseRestUrl: string;
  coinbaseWsUrl: string;
  /** Coinbase's `user` channel (order updates of order entry); '' = wss://advanced-trade-ws-user.coinbase.com, or coinbaseWsUrl when that is set (a fake serves both). */
  coinbaseUserWsUrl: string;
  krakenRestUrl: string;
  krakenWsUrl: string;
  /** Kraken's authenticated WebSocket v2 (the `executions` channel of order entry); '' = wss://ws-auth.kraken.com/v2, or krakenWsUrl when that is set (a fake serves both). */
  krakenAuthWsUrl: string;
  /** Binance order entry and market data on its spot testnet (real orders, no money). Default false. */
  binanceTestnet: boolean;
  /**
   * Symbols of the `ccxt:<exchange>` venues, canonical BASE-QUOTE (ccxt's BASE/QUOTE spot): an
   * entry `okx:BTC-USDT` is that exchange's only; a plain `BTC-USDT` is every ccxt venue's.
   * Default BTC-USDT, ETH-USDT.
   */
  ccxtSymbols: string[];
  /**
   * A JSON file of ccxt constructor overrides per exchange, `{"okx": {"urls": {...}, "options": {...}, "timeout": 10000}}`
   * (regional hosts, proxies, a local fake); never keys. Default '' (ccxt's own endpoints).
   */
  ccxtConfig: string;
  /** ccxt's sandbox (setSandboxMode) for every ccxt venue that has one. Default false. */
  ccxtSandbox: boolean;
  /** ccxt venues' open orders are polled this often for fills and closes (ccxt's REST). Default 1000 ms. */
  ccxtPollMs: number;
  /** A ccxt venue's socket silent this long (no message, no server ping) is dropped and its books STALE. Default 30000 ms. */
  ccxtSilenceMs: number;
}

export const defaultRelayOptions: RelayOptions = {
  role: 'all',
  natsUrls: [],
  omsLeaseMs: 3000,
  omsPublishesMd: true,
  natsToken: '',
  natsCreds: '',
  natsCa: '',
  natsCert: '',
  natsKey: '',
  port: 8080,
  host: '127.0.0.1',
  tlsCert: '',
  tlsKey: '',
  trustProxy: false,
  symbols: ['BTC-USD', 'ETH-USD', 'SOL-USD'],
  seed: 1,
  simRate: 200,
  simScenario: [],
  flushMs: 10,
  queueLimitBytes: 1 << 20,
  slowConsumerTimeoutMs: 5000,
  maxPayloadBytes: 64 << 10,
  messagesPerSecond: 100,
  accountMessagesPerSecond: 200,
  maxSubscriptions: 64,
  heartbeatMs: 10_000,
  compression: true,
  recentTrades: 50,
  logLevel: 'info',
  webRoot: '',
  dataDir: '.tickmesh',
  authDir: '',
  tokenTtlSec: 900,
  stunUrls: [],
  turnUrls: [],
  turnSecret: '',
  turnTtlSec: 3600,
  venues: ['sim'],
  binanceSymbols: ['BTC-USDT', 'ETH-USDT'],
  coinbaseSymbols: ['BTC-USD', 'ETH-USD'],
  krakenSymbols: ['BTC-USD', 'ETH-USD'],
  binanceRestUrl: '',
  binanceWsUrl: '',
  binanceWsApiUrl: '',
  coinbaseRestUrl: '',
  coinbaseWsUrl: '',
  coinbaseUserWsUrl: '',
  krakenRestUrl: '',
  krakenWsUrl: '',
  krakenAuthWsUrl: '',
  binanceTestnet: false,
  ccxtSymbols: ['BTC-USDT', 'ETH-USDT'],
  ccxtConfig: '',
  ccxtSandbox: false,
  ccxtPollMs: 1000,
  ccxtSilenceMs: 30_000,
};
