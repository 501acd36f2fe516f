import type { RelayUpstream } from '../server/relay-upstream';
import type { EdgeFeed } from './edge-feed';
import { edgeOrders } from './edge-orders';

/** An edge relay's upstream: market data from the md node through the feed; orders refused for now (OMS_NOT_ON_EDGE). */
export function edgeUpstream(feed: EdgeFeed): RelayUpstream {
  return {
    md: feed,
    orders: edgeOrders,
    get ready() {
      return feed.ready;
    },
    start: () => feed.start(),
    stop: () => feed.stop(),
  };
}
