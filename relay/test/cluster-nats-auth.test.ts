import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEdgeUpstream, startMdPublisher, type EdgeFeed, type MdPublisher } from '../src/cluster/index';
import { defaultRelayOptions, type RelayOptions } from '../src/server/options';
import type { Relay } from '../src/server/relay-server';
import { SimVenue } from '../src/venues/sim/index';
import { startRelay, until } from './harness';
import { NatsKit, natsServerBinary } from './nats-kit';
import { makeCerts } from './tls-kit';

const binary = natsServerBinary();
if (!binary) console.warn('cluster-nats-auth.test.ts skipped: nats-server is not installed (apt-get install -y nats-server; scripts/ensure-system-deps.sh does it)');

/** NATS's own means of auth and TLS between the nodes: a token, and TLS with a private CA (the project's npm run cert). */
describe.skipIf(!binary)('cluster: nodes reach a NATS server that wants a token over TLS', () => {
  let nats: NatsKit;
  let md: Relay;
  let publisher: MdPublisher;
  let feed: EdgeFeed;
  const log = pino({ level: 'silent' });
  const token = 'cluster-token-7f3a';
  let certs: ReturnType<typeof makeCerts>;

  beforeAll(async () => {
    certs = makeCerts(mkdtempSync(join(tmpdir(), 'tickmesh-nats-tls-')), ['127.0.0.1']);
    nats = await NatsKit.start(binary!, { args: ['--auth', token, '--tls', '--tlscert', certs.cert, '--tlskey', certs.key] });
  }, 30_000);

  afterAll(async () => {
    await feed?.stop();
    await publisher?.close();
    await md?.stop();
    await nats?.kill();
  });

  it('refuses a client without the token, and one that does not trust the CA', async () => {
    await expect(connect({ servers: [`tls://127.0.0.1:${nats.port}`], tls: { caFile: `${certs.dir}/ca.crt` }, reconnect: false })).rejects.toThrow(/authoriz/i);
    await expect(connect({ servers: [`tls://127.0.0.1:${nats.port}`], token, reconnect: false })).rejects.toThrow();
  });

  it('an md node and an edge with --nats-token and --nats-ca: the edge gets the md node instruments and streams', async () => {
    const cluster: Partial<RelayOptions> = { natsUrls: [`tls://127.0.0.1:${nats.port}`], natsToken: token, natsCa: `${certs.dir}/ca.crt` };
    md = await startRelay([new SimVenue({ id: 'sim-a', seed: 3, symbols: ['BTC-USD'], updatesPerSecond: 100 })], { role: 'md', ...cluster });
    publisher = await startMdPublisher(md.options, md, log);
    const opened = await openEdgeUpstream({ ...defaultRelayOptions, role: 'edge', ...cluster }, log);
    feed = opened.feed;
    await feed.start();
    await until(() => feed.ready, 10_000, 'the edge ready through TLS with the token');
    expect(feed.instruments().map((i) => i.symbol)).toEqual(md.md.instruments().map((i) => i.symbol));
    // A subscriber of the edge's: the edge takes a stream from NATS only while one holds it.
    let got = 0;
    feed.subscribe({ deliverBatch: () => got++, deliverSnapshot: () => got++ }, feed.instruments()[0]!.streamId);
    await until(() => publisher.stats.frames > 5 && feed.stats.batches > 5 && got > 5, 10_000, 'batches through TLS');
  });
});
