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

  it('prints help listing every option with its environment variable', () => {
    const r = parseCli(['--help'], {});
    expect(r.kind).toBe('help');
    if (r.kind !== 'help') return;
    for (const word of ['--port', 'PORT', '--host', '--symbols', '--seed', '--flush-ms', '--queue-limit', 'QUEUE_LIMIT']) expect(r.text).toContain(word);
  });

  it.each([
    [['--port', 'abc'], {}],
    [['--port', '-1'], {}],
    [['--flush-ms', '0'], {}],
    [['--symbols', 'btc'], {}],
    [['--compression', 'maybe'], {}],
    [['--no-such-flag'], {}],
    [[], { QUEUE_LIMIT: '12' }],
  ])('refuses %j %j with an error', (argv, env) => {
    expect(parseCli(argv as string[], env as Record<string, string>).kind).toBe('error');
  });
});
