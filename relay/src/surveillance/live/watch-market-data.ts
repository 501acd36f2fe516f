import type { BookBatch } from '@tickmesh/shared';
import type { MarketDataService } from '../../md/market-data-service';
import { MdAnomalyMonitor, type MdAnomalyOptions } from '../market-data/md-anomaly-monitor';
import { fromMdAnomaly, type AlertDesk } from './alert-desk';

/**
 * Starts market-data anomaly detection over the relay's own streams: every published batch
 * (price spikes) and a check every 250 ms (divergence, crossed books, frozen feeds), each
 * anomaly to the desk. Stop the returned monitor on close.
 */
export function watchMarketData(md: Pick<MarketDataService, 'instruments' | 'stream' | 'onBatch'>, desk: AlertDesk, options: MdAnomalyOptions = {}): MdAnomalyMonitor {
  const monitor = new MdAnomalyMonitor(
    () => md.instruments().map((i) => md.stream(i.streamId)!),
    (a) => desk.raise(fromMdAnomaly(a)),
    options,
  );
  md.onBatch((frame) => {
    const stream = md.stream(frame.stream.id);
    if (stream && frame.kind === 'batch') monitor.batch(stream, (frame.data as BookBatch).trades);
  });
  monitor.start();
  return monitor;
}
