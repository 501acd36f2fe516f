import { describe, expect, it } from 'vitest';
import { parseCli } from './cli';
import { defaultRelayOptions } from './options';

describe('parseCli', () => {
  it('gives the defaults with no flags and no environment', () => {
    const r = parseCli([], {});
    expect(r).toEqual({ kind: 'run', options: defaultRelayOptions });
  });

  it('reads environment variables and lets flags win over them', () => {
    const r = parseCli(['--port', '9001', '--symbols', 'BTC-USD,ETH-USD'], { PORT: '7000', SEED: '42', FLUSH_MS: '5', QUEUE_LIMIT: '65536' });
    expect(r.kind).toBe('run');
    if (r.kind !== 'run') return;
    expect(r.options.port).toBe(9001);
    expect(r.options.seed).toBe(42);
    expect(r.options.flushMs).toBe(5);
    expect(r.options.queueLimitBytes).toBe(65536);
    expect(r.options.symbols).toEqual(['BTC-USD', 'ETH-USD']);
  });

  it('reads STUN/TURN URLs as lists and the TURN secret from the environment', () => {
    const r = parseCli(['--stun-urls', 'stun:a.example:3478, stun:b.example:3478'], { TURN_URLS: 'turns:t.example:5349', TURN_SECRET: 'x', TURN_TTL_SEC: '120' });
    expect(r.kind).toBe('run');
    if (r.kind !== 'run') return;
    expect(r.options.stunUrls).toEqual(['stun:a.example:3478', 'stun:b.example:3478']);
    expect(r.options.turnUrls).toEqual(['turns:t.example:5349']);
    expect(r.options.turnSecret).toBe('x');
    expect(r.options.turnTtlSec).toBe(120);
  });

  it('reads the venues, their symbols and endpoints; a bare --binance-testnet means true', () => {
    const r = parseCli(['--venues', 'sim,binance,kraken', '--binance-symbols', 'BTC-USDT', '--binance-testnet', '--kraken-ws-url', 'ws://127.0.0.1:9/v2/'], { COINBASE_REST_URL: 'http://127.0.0.1:8' });
    if (r.kind !== 'run') throw new Error(JSON.stringify(r));
    expect(r.options.venues).toEqual(['sim', 'binance', 'kraken']);
    expect(r.options.binanceSymbols).toEqual(['BTC-USDT']);
    expect(r.options.binanceTestnet).toBe(true);
    expect(r.options.krakenWsUrl).toBe('ws://127.0.0.1:9/v2');
    expect(r.options.coinbaseRestUrl).toBe('http://127.0.0.1:8');
    expect(defaultRelayOptions.venues).toEqual(['sim']); // the defaults are not shared with a parse
  });

  it('reads the TLS pair and --trust-proxy from flags or environment; a bare --trust-proxy means true', () => {
    const r = parseCli(['--tls-cert', 'certs/server.crt', '--trust-proxy'], { TLS_KEY: 'certs/server.key' });
    if (r.kind !== 'run') throw new Error(JSON.stringify(r));
    expect(r.options).toMatchObject({ tlsCert: 'certs/server.crt', tlsKey: 'certs/server.key', trustProxy: true });
    const env = parseCli([], { TLS_CERT: '/tls/tls.crt', TLS_KEY: '/tls/tls.key', TRUST_PROXY: 'false' });
    if (env.kind !== 'run') throw new Error(JSON.stringify(env));
    expect(env.options).toMatchObject({ tlsCert: '/tls/tls.crt', tlsKey: '/tls/tls.key', trustProxy: false });
    expect(defaultRelayOptions).toMatchObject({ tlsCert: '', tlsKey: '', trustProxy: false });
  });

  it.each([
    [['--tls-cert', 'a.crt'], {}],
    [['--tls-key', 'a.key'], {}],
    [[], { TLS_CERT: 'a.crt' }],
    [['--tls-cert', 'a.crt', '--tls-key', ''], {}],
  ])('refuses half a TLS pair %j %j with RELAY_TLS_PAIR_INCOMPLETE', (argv, env) => {
    const r = parseCli(argv as string[], env as Record<string, string>);
    expect(r.kind === 'error' && r.code).toBe('RELAY_TLS_PAIR_INCOMPLETE');
  });

  it('accepts TURN over TLS (turns:) in --turn-urls, beside turn: over UDP and TCP', () => {
    const r = parseCli(['--turn-urls', 'turns:turn.example.org:5349,turns:turn.example.org:443?transport=tcp,turn:10.0.0.1:3478?transport=udp', '--turn-secret', 's'], {});
    if (r.kind !== 'run') throw new Error(JSON.stringify(r));
    expect(r.options.turnUrls).toEqual(['turns:turn.example.org:5349', 'turns:turn.example.org:443?transport=tcp', 'turn:10.0.0.1:3478?transport=udp']);
  });

  it('reads --role and --nats-url (several servers) from flags or environment; the default role is all, without NATS', () => {
    expect(defaultRelayOptions).toMatchObject({ role: 'all', natsUrls: [] });
    const md = parseCli(['--role', 'md', '--nats-url', 'nats://127.0.0.1:4222, nats://user:pw@n2.example:4223,tls://[::1]:4222'], {});
    if (md.kind !== 'run') throw new Error(JSON.stringify(md));
    expect(md.options).toMatchObject({ role: 'md', natsUrls: ['nats://127.0.0.1:4222', 'nats://user:pw@n2.example:4223', 'tls://[::1]:4222'] });
    const edge = parseCli([], { ROLE: 'edge', NATS_URL: 'nats://10.0.0.5:4222' });
    if (edge.kind !== 'run') throw new Error(JSON.stringify(edge));
    expect(edge.options).toMatchObject({ role: 'edge', natsUrls: ['nats://10.0.0.5:4222'] });
    const all = parseCli(['--role', 'all'], {});
    expect(all.kind === 'run' && all.options.role).toBe('all');
  });

  it.each([
    [['--role', 'md'], {}, 'RELAY_NATS_URL_REQUIRED'],
    [[], { ROLE: 'edge' }, 'RELAY_NATS_URL_REQUIRED'],
    [['--role', 'oms'], {}, 'RELAY_NATS_URL_REQUIRED'],
    [['--role', 'edge', '--nats-url', 'tls://127.0.0.1:4222', '--nats-cert', 'c.pem'], {}, 'RELAY_NATS_TLS_PAIR_INCOMPLETE'],
    [['--role', 'gateway'], {}, 'RELAY_ROLE_INVALID'],
    [['--role', 'EDGE'], {}, 'RELAY_ROLE_INVALID'],
    [['--role', 'edge', '--nats-url', 'http://127.0.0.1:4222'], {}, 'RELAY_NATS_URL_INVALID'],
    [['--role', 'edge', '--nats-url', 'nats://127.0.0.1:4222/path'], {}, 'RELAY_NATS_URL_INVALID'],
    [['--role', 'md'], { NATS_URL: '127.0.0.1:4222' }, 'RELAY_NATS_URL_INVALID'],
  ])('refuses %j %j with %s', (argv, env, code) => {
    const r = parseCli(argv as string[], env as Record<string, string>);
    expect(r.kind === 'error' && r.code).toBe(code);
  });

  it('prints help listing every option with its environment variable', () => {
    const r = parseCli(['--help'], {});
    expect(r.kind).toBe('help');
    if (r.kind !== 'help') return;
    for (const word of ['--port', 'PORT', '--host', '--symbols', '--seed', '--flush-ms', '--queue-limit', 'QUEUE_LIMIT', '--venues', 'VENUES', '--binance-testnet', '--coinbase-ws-url', 'KRAKEN_REST_URL', '--tls-cert', 'TLS_CERT', '--tls-key', 'TLS_KEY', '--trust-proxy', 'TRUST_PROXY', '--role', 'ROLE', '--nats-url', 'NATS_URL']) expect(r.text).toContain(word);
  });

  it.each([
    [['--port', 'abc'], {}],
    [['--port', '-1'], {}],
    [['--flush-ms', '0'], {}],
    [['--symbols', 'btc'], {}],
    [['--compression', 'maybe'], {}],
    [['--stun-urls', 'http://stun.example'], {}],
    [['--turn-ttl-sec', '5'], {}],
    [['--turn-urls', 'turn:t.example:3478'], {}],
    [['--turn-urls', 'turns:t.example:5349?transport=sctp', '--turn-secret', 's'], {}],
    [['--trust-proxy', 'yes'], {}],
    [['--no-such-flag'], {}],
    [['--venues', 'sim,ftx'], {}],
    [['--binance-rest-url', 'not a url'], {}],
    [['--kraken-symbols', 'XBTUSD'], {}],
    [[], { QUEUE_LIMIT: '12' }],
  ])('refuses %j %j with an error', (argv, env) => {
    expect(parseCli(argv as string[], env as Record<string, string>).kind).toBe('error');
  });
});
