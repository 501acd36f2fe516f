import { parseArgs } from 'node:util';
import { isIceUrl } from './ice-servers';
import { defaultRelayOptions, type RelayOptions, type RelayRole } from './options';
import { isSimScenario, SIM_SCENARIO_NAMES } from '../venues/sim/scenarios/scenario-names';

/** Venue ids `--venues` accepts (sim = the two simulated venues). */
export const VENUE_IDS = ['sim', 'binance', 'coinbase', 'kraken'] as const;

/** Roles `--role` accepts. */
export const ROLES: readonly RelayRole[] = ['all', 'md', 'oms', 'edge'];

/** Stable codes of the cluster options' startup errors. */
export const ClusterOptionCode = {
  /** `--role` is not one of all, md, oms, edge. */
  RELAY_ROLE_INVALID: 'RELAY_ROLE_INVALID',
  /** `--nats-url` is not a comma-separated list of nats:// (or tls://, ws://, wss://) URLs. */
  RELAY_NATS_URL_INVALID: 'RELAY_NATS_URL_INVALID',
  /** `--nats-cert` without `--nats-key`, or the other way round. */
  RELAY_NATS_TLS_PAIR_INCOMPLETE: 'RELAY_NATS_TLS_PAIR_INCOMPLETE',
  /** `--role md`, `oms` or `edge` without `--nats-url`. */
  RELAY_NATS_URL_REQUIRED: 'RELAY_NATS_URL_REQUIRED',
} as const;

/** One CLI flag: its environment variable, how to parse it and what it means. */
interface Flag {
  key: keyof RelayOptions;
  env: string;
  kind: 'int' | 'string' | 'list' | 'urls' | 'bool' | 'venues' | 'url' | 'role' | 'nats-urls' | 'ccxt-symbols' | 'scenarios';
  help: string;
  min?: number;
  /** Stable code of an invalid value; flags without one give a plain message. */
  invalidCode?: string;
}

const flags: Record<string, Flag> = {
  role: { key: 'role', env: 'ROLE', kind: 'role', invalidCode: ClusterOptionCode.RELAY_ROLE_INVALID, help: 'all (one process, no NATS), md (venues and books, publishes to NATS), oms (venues, books, OMS, risk and journal: publishes market data and answers orders over NATS) or edge (/ws, /api and the PWA, fed through NATS)' },
  'nats-url': { key: 'natsUrls', env: 'NATS_URL', kind: 'nats-urls', invalidCode: ClusterOptionCode.RELAY_NATS_URL_INVALID, help: 'comma-separated NATS servers of the cluster (nats://host:4222), needed by --role md, oms and edge' },
  port: { key: 'port', env: 'PORT', kind: 'int', min: 0, help: 'HTTP port (0 = any free port)' },
  host: { key: 'host', env: 'HOST', kind: 'string', help: 'bind address (0.0.0.0 to listen on every interface)' },
  'tls-cert': { key: 'tlsCert', env: 'TLS_CERT', kind: 'string', help: 'PEM certificate file: serve HTTPS/WSS on --port (needs --tls-key; re-read on SIGHUP or change)' },
  'tls-key': { key: 'tlsKey', env: 'TLS_KEY', kind: 'string', help: 'PEM private key file of --tls-cert' },
  'trust-proxy': { key: 'trustProxy', env: 'TRUST_PROXY', kind: 'bool', help: "a reverse proxy is in front: honour X-Forwarded-For/-Proto (true/false)" },
  symbols: { key: 'symbols', env: 'SYMBOLS', kind: 'list', help: 'comma-separated symbols of the simulated venues' },
  seed: { key: 'seed', env: 'SEED', kind: 'int', min: 0, help: 'seed of the simulated order flow' },
  'sim-rate': { key: 'simRate', env: 'SIM_RATE', kind: 'int', min: 1, help: 'simulated actions per second per instrument' },
  'sim-scenario': { key: 'simScenario', env: 'SIM_SCENARIO', kind: 'scenarios', help: `comma-separated simulator scenarios, seeded by --seed: abusive traders through the OMS and feed faults (${SIM_SCENARIO_NAMES.join(', ')})` },
  'flush-ms': { key: 'flushMs', env: 'FLUSH_MS', kind: 'int', min: 1, help: 'market-data batching interval in ms' },
  'queue-limit': { key: 'queueLimitBytes', env: 'QUEUE_LIMIT', kind: 'int', min: 1024, help: 'per-connection send queue limit in bytes' },
  'slow-consumer-timeout-ms': { key: 'slowConsumerTimeoutMs', env: 'SLOW_CONSUMER_TIMEOUT_MS', kind: 'int', min: 1, help: 'close a conflated connection not drained within this time' },
  'max-payload': { key: 'maxPayloadBytes', env: 'MAX_PAYLOAD', kind: 'int', min: 256, help: 'largest accepted client frame in bytes' },
  'messages-per-second': { key: 'messagesPerSecond', env: 'MESSAGES_PER_SECOND', kind: 'int', min: 1, help: 'client messages per second per connection' },
  'account-messages-per-second': { key: 'accountMessagesPerSecond', env: 'ACCOUNT_MESSAGES_PER_SECOND', kind: 'int', min: 1, help: 'client messages per second per account, all connections' },
  'max-subscriptions': { key: 'maxSubscriptions', env: 'MAX_SUBSCRIPTIONS', kind: 'int', min: 1, help: 'streams per connection' },
  'heartbeat-ms': { key: 'heartbeatMs', env: 'HEARTBEAT_MS', kind: 'int', min: 100, help: 'ping interval; silent peers are dropped after two' },
  compression: { key: 'compression', env: 'COMPRESSION', kind: 'bool', help: 'offer permessage-deflate on /ws (true/false)' },
  'log-level': { key: 'logLevel', env: 'LOG_LEVEL', kind: 'string', help: 'pino log level (fatal, error, warn, info, debug, trace, silent)' },
  'data-dir': { key: 'dataDir', env: 'DATA_DIR', kind: 'string', help: 'directory for the signing secret, accounts and journal' },
  'nats-token': { key: 'natsToken', env: 'NATS_TOKEN', kind: 'string', help: 'NATS auth token (better in the environment: flags show in ps)' },
  'nats-creds': { key: 'natsCreds', env: 'NATS_CREDS', kind: 'string', help: 'NATS .creds file (user JWT and nkey seed)' },
  'nats-ca': { key: 'natsCa', env: 'NATS_CA', kind: 'string', help: 'CA file for tls:// NATS servers with a private CA' },
  'nats-cert': { key: 'natsCert', env: 'NATS_CERT', kind: 'string', help: 'client certificate for NATS servers that verify clients' },
  'nats-key': { key: 'natsKey', env: 'NATS_KEY', kind: 'string', help: 'client key for --nats-cert' },
  'oms-publishes-md': { key: 'omsPublishesMd', env: 'OMS_PUBLISHES_MD', kind: 'bool', help: 'with --role oms: publish its market data to NATS (default true; false when an md node publishes the same venues)' },
  'oms-lease-ms': { key: 'omsLeaseMs', env: 'OMS_LEASE_MS', kind: 'int', min: 300, help: 'with --role oms: how long the OMS lease outlives a dead active before a standby takes over' },
  'auth-dir': { key: 'authDir', env: 'AUTH_DIR', kind: 'string', help: 'directory of the signing secret and accounts, when not the data dir: every node of a cluster names the same one, so a token from one edge is valid on all' },
  'token-ttl-sec': { key: 'tokenTtlSec', env: 'TOKEN_TTL_SEC', kind: 'int', min: 10, help: 'lifetime of access tokens in seconds' },
  'web-root': { key: 'webRoot', env: 'WEB_ROOT', kind: 'string', help: 'directory of built web assets to serve at /' },
  'stun-urls': { key: 'stunUrls', env: 'STUN_URLS', kind: 'urls', help: 'comma-separated STUN URLs for mesh peers (stun:host:3478)' },
  'turn-urls': { key: 'turnUrls', env: 'TURN_URLS', kind: 'urls', help: 'comma-separated TURN URLs for mesh peers (turn:host:3478?transport=udp)' },
  'turn-secret': { key: 'turnSecret', env: 'TURN_SECRET', kind: 'string', help: "TURN REST-API shared secret (coturn static-auth-secret): ephemeral credentials per peer" },
  'turn-ttl-sec': { key: 'turnTtlSec', env: 'TURN_TTL_SEC', kind: 'int', min: 60, help: 'lifetime of TURN credentials in seconds' },
  venues: { key: 'venues', env: 'VENUES', kind: 'venues', help: `comma-separated venues: ${VENUE_IDS.join(', ')}, ccxt:<exchange> (any ccxt.pro exchange id, e.g. ccxt:okx; sim = the simulated sim-a and sim-b)` },
  'binance-symbols': { key: 'binanceSymbols', env: 'BINANCE_SYMBOLS', kind: 'list', help: 'Binance symbols as BASE-QUOTE (BTC-USDT is Binance BTCUSDT)' },
  'coinbase-symbols': { key: 'coinbaseSymbols', env: 'COINBASE_SYMBOLS', kind: 'list', help: 'Coinbase products (BTC-USD)' },
  'kraken-symbols': { key: 'krakenSymbols', env: 'KRAKEN_SYMBOLS', kind: 'list', help: 'Kraken pairs as BASE-QUOTE (BTC-USD is Kraken BTC/USD, legacy XBT/USD)' },
  'binance-rest-url': { key: 'binanceRestUrl', env: 'BINANCE_REST_URL', kind: 'url', help: 'Binance REST base URL' },
  'binance-ws-url': { key: 'binanceWsUrl', env: 'BINANCE_WS_URL', kind: 'url', help: 'Binance market-stream base URL' },
  'binance-ws-api-url': { key: 'binanceWsApiUrl', env: 'BINANCE_WS_API_URL', kind: 'url', help: 'Binance WebSocket API URL (orders, user data)' },
  'binance-testnet': { key: 'binanceTestnet', env: 'BINANCE_TESTNET', kind: 'bool', help: "Binance's spot testnet for market data and orders (true/false)" },
  'ccxt-symbols': { key: 'ccxtSymbols', env: 'CCXT_SYMBOLS', kind: 'ccxt-symbols', help: 'symbols of the ccxt:<exchange> venues as BASE-QUOTE; okx:BTC-USDT is that exchange only, a plain BTC-USDT every ccxt venue' },
  'ccxt-config': { key: 'ccxtConfig', env: 'CCXT_CONFIG', kind: 'string', help: 'JSON file of ccxt constructor overrides per exchange ({"okx": {"urls": …, "options": …}}), never keys' },
  'ccxt-sandbox': { key: 'ccxtSandbox', env: 'CCXT_SANDBOX', kind: 'bool', help: "ccxt's sandbox (testnet) for every ccxt venue that has one (true/false)" },
  'ccxt-poll-ms': { key: 'ccxtPollMs', env: 'CCXT_POLL_MS', kind: 'int', min: 100, help: 'ccxt venues: open orders polled this often for fills and closes (ms)' },
  'ccxt-silence-ms': { key: 'ccxtSilenceMs', env: 'CCXT_SILENCE_MS', kind: 'int', min: 100, help: "ccxt venues: a socket silent this long (no message, no server ping) is dropped, its books STALE (ms); set it above the exchange's heartbeat" },
  'coinbase-rest-url': { key: 'coinbaseRestUrl', env: 'COINBASE_REST_URL', kind: 'url', help: 'Coinbase Advanced Trade REST base URL' },
  'coinbase-ws-url': { key: 'coinbaseWsUrl', env: 'COINBASE_WS_URL', kind: 'url', help: 'Coinbase Advanced Trade WebSocket URL' },
  'coinbase-user-ws-url': { key: 'coinbaseUserWsUrl', env: 'COINBASE_USER_WS_URL', kind: 'url', help: 'Coinbase Advanced Trade user-channel WebSocket URL (order updates; wss://advanced-trade-ws-user.coinbase.com, or --coinbase-ws-url when that is set)' },
  'kraken-rest-url': { key: 'krakenRestUrl', env: 'KRAKEN_REST_URL', kind: 'url', help: 'Kraken REST base URL' },
  'kraken-ws-url': { key: 'krakenWsUrl', env: 'KRAKEN_WS_URL', kind: 'url', help: 'Kraken WebSocket v2 URL' },
  'kraken-auth-ws-url': { key: 'krakenAuthWsUrl', env: 'KRAKEN_AUTH_WS_URL', kind: 'url', help: 'Kraken authenticated WebSocket v2 URL (executions; wss://ws-auth.kraken.com/v2, or --kraken-ws-url when that is set)' },
};

export type CliResult = { kind: 'run'; options: RelayOptions } | { kind: 'help'; text: string } | { kind: 'error'; message: string; code?: string };

/** Parses flags, then environment variables, over the defaults. Flags win over environment. */
export function parseCli(argv: string[], env: Record<string, string | undefined>, defaults: RelayOptions = defaultRelayOptions): CliResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: withBoolValues(argv),
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.keys(flags).map((name) => [name, { type: 'string' as const }])),
      },
    });
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
  if (parsed.values.help) return { kind: 'help', text: usage(defaults) };
  const options: RelayOptions = structuredClone(defaults);
  for (const [name, flag] of Object.entries(flags)) {
    const raw = (parsed.values as Record<string, string | undefined>)[name] ?? env[flag.env];
    if (raw === undefined || raw === '') continue;
    const value = parseValue(flag, raw);
    if (value === undefined) {
      const message = `invalid --${name} (${flag.env}): ${JSON.stringify(raw)}`;
      return flag.invalidCode ? { kind: 'error', code: flag.invalidCode, message: `${flag.invalidCode}: ${message}` } : { kind: 'error', message };
    }
    (options as unknown as Record<string, unknown>)[flag.key] = value;
  }
  if (options.turnUrls.length > 0 && options.turnSecret === '') {
    return { kind: 'error', message: '--turn-urls (TURN_URLS) needs --turn-secret (TURN_SECRET): browsers refuse a TURN server without credentials' };
  }
  if ((options.tlsCert === '') !== (options.tlsKey === '')) {
    const code = 'RELAY_TLS_PAIR_INCOMPLETE';
    return { kind: 'error', code, message: `${code}: --tls-cert (TLS_CERT) and --tls-key (TLS_KEY) go together: give both, or neither for plain HTTP` };
  }
  if (options.simScenario.length > 0 && !options.venues.includes('sim')) {
    const code = 'RELAY_SIM_SCENARIO_NEEDS_SIM';
    return { kind: 'error', code, message: `${code}: --sim-scenario (SIM_SCENARIO) runs on the simulated venues: add sim to --venues (VENUES)` };
  }
  if ((options.natsCert === '') !== (options.natsKey === '')) {
    const code = ClusterOptionCode.RELAY_NATS_TLS_PAIR_INCOMPLETE;
    return { kind: 'error', code, message: `${code}: --nats-cert (NATS_CERT) and --nats-key (NATS_KEY) go together` };
  }
  if (options.role !== 'all' && options.natsUrls.length === 0) {
    const code = ClusterOptionCode.RELAY_NATS_URL_REQUIRED;
    return { kind: 'error', code, message: `${code}: --role ${options.role} needs --nats-url (NATS_URL), e.g. nats://127.0.0.1:4222` };
  }
  return { kind: 'run', options };
}

/** A boolean flag may stand alone (`--binance-testnet`): it then means true. */
function withBoolValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    out.push(a);
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined;
    const next = argv[i + 1];
    if (name && flags[name]?.kind === 'bool' && (next === undefined || next.startsWith('--'))) out.push('true');
  }
  return out;
}

function parseValue(flag: Flag, raw: string): unknown {
  switch (flag.kind) {
    case 'int': {
      const n = Number(raw);
      return Number.isSafeInteger(n) && n >= (flag.min ?? 0) ? n : undefined;
    }
    case 'bool':
      return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : undefined;
    case 'list': {
      const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
      return items.length > 0 && items.every((s) => /^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$/.test(s)) ? items : undefined;
    }
    case 'venues': {
      const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
      return items.length > 0 && items.every((v) => (VENUE_IDS as readonly string[]).includes(v) || /^ccxt:[a-z0-9]{2,30}$/.test(v)) ? [...new Set(items)] : undefined;
    }
    case 'ccxt-symbols': {
      const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
      return items.length > 0 && items.every((s) => /^([a-z0-9]{2,30}:)?[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$/.test(s)) ? items : undefined;
    }
    case 'url':
      return /^(https?|wss?):\/\/[^\s]+$/.test(raw) ? raw.replace(/\/+$/, '') : undefined;
    case 'urls': {
      const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
      return items.length > 0 && items.every(isIceUrl) ? items : undefined;
    }
    case 'role':
      return (ROLES as readonly string[]).includes(raw) ? raw : undefined;
    case 'scenarios': {
      const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
      return items.length > 0 && items.every(isSimScenario) ? [...new Set(items)] : undefined;
    }
    case 'nats-urls': {
      // user:password@ is allowed in a URL (NATS's own credentials); a path or spaces are not.
      const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
      return items.length > 0 && items.every((u) => /^(nats|tls|ws|wss):\/\/([^\s/@]+@)?[A-Za-z0-9.\-[\]:]+(:\d{1,5})?$/.test(u)) ? items : undefined;
    }
    default:
      return raw;
  }
}

export function usage(defaults: RelayOptions = defaultRelayOptions): string {
  const width = Math.max(...Object.keys(flags).map((n) => n.length)) + 1;
  const envWidth = Math.max(...Object.values(flags).map((f) => f.env.length)) + 1;
  const lines = Object.entries(flags).map(([name, f]) => {
    const def = defaults[f.key];
    // web-root's empty default means the PWA built next to the relay; any other empty one means none.
    const empty = f.key === 'webRoot' ? '(web/dist next to the relay)' : f.kind === 'url' ? "(the venue's production endpoint)" : '(none)';
    const shown = Array.isArray(def) ? def.join(',') || empty : def === '' ? empty : String(def);
    return `  --${name.padEnd(width)} ${f.env.padEnd(envWidth)} ${f.help} [default: ${shown}]`;
  });
  return [
    'Tickmesh relay: market data, signalling and the order gateway, with an embedded simulated exchange.',
    '',
    'Usage: npm start -- [options]     (or: node relay/dist/main.js [options])',
    '',
    `  ${'flag'.padEnd(width + 2)} ${'environment'.padEnd(envWidth)} meaning`,
    ...lines,
    `  --${'help'.padEnd(width)} ${''.padEnd(envWidth)} this text`,
  ].join('\n');
}
