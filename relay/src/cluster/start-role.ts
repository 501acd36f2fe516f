import type { Logger } from 'pino';
import type { Relay } from '../server/relay-server';
import type { RelayOptions } from '../server/options';
import type { RelayUpstream } from '../server/relay-upstream';
import { registerClusterMetrics } from './cluster-metrics';
import { EdgeFeed, type EdgeFeedOptions } from './edge-feed';
import { edgeUpstream } from './edge-upstream';
import { MdPublisher } from './md-publisher';
import { openNatsConnection } from './nats-connection';

/**
 * `--role edge`: connects to NATS (waiting for it if it is not up yet) and gives the relay its
 * upstream: the md node's streams, orders refused for now. Once the relay exists, give its
 * registry and the feed to registerClusterMetrics.
 */
export async function openEdgeUpstream(options: RelayOptions, log: Logger, feedOptions: Partial<EdgeFeedOptions> = {}): Promise<{ upstream: RelayUpstream; feed: EdgeFeed }> {
  let feed: EdgeFeed | undefined;
  const nc = await openNatsConnection({ servers: options.natsUrls, name: 'tickmesh-edge' }, log, (s) => feed?.onNatsStatus(s));
  feed = new EdgeFeed(nc, log, feedOptions);
  return { upstream: edgeUpstream(feed), feed };
}

/** `--role md`: publishes the started relay's market data to NATS and answers the edges' requests. */
export async function startMdPublisher(options: RelayOptions, relay: Relay, log: Logger): Promise<MdPublisher> {
  const nc = await openNatsConnection({ servers: options.natsUrls, name: 'tickmesh-md' }, log);
  const publisher = new MdPublisher(nc, relay.md, log);
  publisher.start();
  registerClusterMetrics(relay.metrics.registry, 'md', { publisher });
  return publisher;
}
