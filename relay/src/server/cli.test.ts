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

  it('prints help listing every option with its environment variable', () => {
    const r = parseCli(['--help'], {});
    expect(r.kind).toBe('help');
    if (r.kind !== 'help') return;
    for (const word of ['--port', 'PORT', '--host', '--symbols', '--seed', '--flush-ms', '--queue-limit', 'QUEUE_LIMIT', '--venues', 'VENUES', '--binance-testnet', '--coinbase-ws-url', 'KRAKEN_REST_URL']) expect(r.text).toContain(word);
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
    [['--no-such-flag'], {}],
    [['--venues', 'sim,ftx'], {}],
    [['--binance-rest-url', 'not a url'], {}],
    [['--kraken-symbols', 'XBTUSD'], {}],
    [[], { QUEUE_LIMIT: '12' }],
  ])('refuses %j %j with an error', (argv, env) => {
    expect(parseCli(argv as string[], env as Record<string, string>).kind).toBe('error');
  });
});
