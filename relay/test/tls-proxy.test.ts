import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthService } from '../src/server/auth/index';
import { defaultRelayOptions } from '../src/server/options';
import { Relay } from '../src/server/relay-server';
import { ProtoClient, until } from './harness';
import { ScriptedVenue, testInstrument } from './scripted-venue';

// Behind a TLS-terminating proxy (nginx, HAProxy) the relay serves plain HTTP on loopback and
// learns the client's address and scheme from the proxy's headers, only when told to trust it.

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

/** A plain-HTTP relay whose log lines the test reads, and a trader token. */
async function relayLogging(trustProxy: boolean): Promise<{ relay: Relay; logs: Array<Record<string, unknown>>; token: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tickmesh-test-'));
  const { auth } = await AuthService.open(dataDir);
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  relay = new Relay({ ...defaultRelayOptions, port: 0, dataDir, compression: false, trustProxy }, { venues: [new ScriptedVenue('test', [testInstrument('BTC-USD')])], auth, logger, defaultMetrics: false });
  await relay.start();
  const { apiKey } = await auth.createAccount({ account: 'trader', role: 'trader' });
  const grant = await auth.issueToken(apiKey);
  if (!grant.ok) throw new Error(grant.reason.code);
  return { relay, logs, token: grant.value.token };
}

const hsts = async (url: string, headers: Record<string, string>) => (await fetch(`${url}/healthz`, { headers })).headers.get('strict-transport-security');
const forwarded = { 'x-forwarded-for': '6.6.6.6, 203.0.113.9', 'x-forwarded-proto': 'https' };

/** The client address the relay logged for the session it opened last. */
async function loggedClient(r: Relay, logs: Array<Record<string, unknown>>, token: string): Promise<unknown> {
  const before = logs.length;
  const c = await ProtoClient.connect(r.url, { headers: forwarded }, token);
  c.close();
  await until(() => logs.slice(before).some((l) => l.msg === 'session open'), 5000, 'the session log');
  return logs.slice(before).find((l) => l.msg === 'session open')!.client;
}

describe('--trust-proxy', () => {
  it('off (default): X-Forwarded-For and -Proto are ignored; plain HTTP never sends HSTS', async () => {
    const { relay: r, logs, token } = await relayLogging(false);
    expect(await hsts(r.url, {})).toBeNull();
    expect(await hsts(r.url, forwarded)).toBeNull();
    expect(await loggedClient(r, logs, token)).toBe('127.0.0.1');
  });

  it('on: the proxy-appended (right-most) X-Forwarded-For is the client; X-Forwarded-Proto https gets HSTS', async () => {
    const { relay: r, logs, token } = await relayLogging(true);
    expect(await hsts(r.url, forwarded)).toBe('max-age=31536000');
    expect(await hsts(r.url, { 'x-forwarded-proto': 'http' })).toBeNull();
    expect(await hsts(r.url, {})).toBeNull();
    expect(await loggedClient(r, logs, token)).toBe('203.0.113.9');
  });
});

/** Statuses of `n` wrong-key token requests that the proxy says came from `client`. */
async function wrongKeyStatuses(url: string, client: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
      body: JSON.stringify({ apiKey: 'not-a-key' }),
    });
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

describe('the failed-login limit behind a proxy', () => {
  it('on: counts per forwarded client, so one guesser does not lock out the others', async () => {
    const { relay: r } = await relayLogging(true);
    const guesser = await wrongKeyStatuses(r.url, '198.51.100.7', 21);
    expect(guesser.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(guesser[20]).toBe(429);
    expect(await wrongKeyStatuses(r.url, '198.51.100.8', 1)).toEqual([401]);
  });

  it('off: counts per socket address, whatever X-Forwarded-For says', async () => {
    const { relay: r } = await relayLogging(false);
    await wrongKeyStatuses(r.url, '198.51.100.7', 20);
    expect(await wrongKeyStatuses(r.url, '198.51.100.8', 1)).toEqual([429]);
  });
});
