import type { Instrument, TriggerSource } from '@tickmesh/shared';
import type { VenueAdapter } from '../venues/venue-adapter';
import type { OmsAlgos, OmsJournal, OmsRisk, OmsRouter } from './oms-ports';

/** Everything an {@link Oms} is built from. The lead wires the real implementations. */
export interface OmsDeps {
  /** Venues orders can go to, by `id`; the OMS subscribes to each one's executions. */
  venues: VenueAdapter[];
  risk: OmsRisk;
  router: OmsRouter;
  algos: OmsAlgos;
  journal: OmsJournal;
  /** The instrument of `symbol`; undefined = not traded here (new orders → OMS_UNKNOWN_SYMBOL). */
  instrument(symbol: string): Instrument | undefined;
  /** Clock, µs since the Unix epoch (order timestamps, reports of OMS-made events). */
  nowUs(): number;
  /** Cumulative traded lots of `symbol` (for VWAP algos). Default: always 0. */
  marketVolume?(symbol: string): number;
  /**
   * The price conditional orders arm on (ticks): the last trade or the mid of `symbol` on
   * `venue` ('' = across venues), NaN when there is none yet. Later prices are pushed in
   * through Oms.onMarketPrice. Default: always NaN (armed orders wait for the first push).
   */
  marketPrice?(symbol: string, venue: string, source: TriggerSource): number;
  /** Timer for algos; returns a clear function. Default: an unref'd setTimeout. */
  setTimer?(ms: number, fn: () => void): () => void;
  /**
   * A journal append failed (the event is then never reported to clients) or a report
   * listener threw. Default: console.error. The lead may trip the kill switch here.
   */
  onError?(error: unknown): void;
  /** Prefix of the order ids the OMS assigns (`<prefix><n>`). Default "o-". */
  idPrefix?: string;
}
