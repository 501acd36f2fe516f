import type { ExecutionReportMsg } from '@tickmesh/shared';
import type { MarketDataService } from '../../../md/market-data-service';
import type { SurveillanceOptions } from '../../../surveillance/index';
import type { OrderEntry } from '../../../session/order-requests';
import type { VenueAdapter } from '../../venue-adapter';
import { SimVenue } from '../sim-venue';
import { isSimScenario, simScenarioOwnerOf } from './scenario-names';
import type { ScenarioContext } from './scenario-actor';
import { SimScenario } from './sim-scenario';

/** The relay's view of its books for scenario traders: the stream of `symbol` at `venue`. */
export function mdBooks(md: Pick<MarketDataService, 'streamIdsForSymbol' | 'stream'>): ScenarioContext['book'] {
  return (venue, symbol) => {
    for (const id of md.streamIdsForSymbol(symbol)) {
      const s = md.stream(id);
      if (s?.instrument.venue === venue) return s.book;
    }
    return undefined;
  };
}

/** What live surveillance must know to judge the scenarios: the wash traders' two accounts have one owner. */
export function scenarioSurveillance(names: readonly string[]): SurveillanceOptions {
  return names.includes('wash') ? { wash: { ownerOf: simScenarioOwnerOf } } : {};
}

/**
 * Starts `--sim-scenario` in the relay (on the wall clock), over the simulated venues among
 * `venues`, trading through `oms`; undefined when no scenario is asked for. Throws when asked
 * for without simulated venues. Stop it before the venues.
 */
export function startRelayScenario(
  options: { simScenario: readonly string[]; seed: number },
  venues: readonly VenueAdapter[],
  oms: OrderEntry & { onReport(listener: (r: ExecutionReportMsg) => void): () => void },
  md: Pick<MarketDataService, 'streamIdsForSymbol' | 'stream'>,
): SimScenario | undefined {
  const names = options.simScenario.filter(isSimScenario);
  if (names.length === 0) return undefined;
  const sims = venues.filter((v): v is SimVenue => v instanceof SimVenue);
  const scenario = new SimScenario(names, { orders: oms, onReport: (l) => oms.onReport(l), book: mdBooks(md), venues: sims }, { seed: options.seed });
  scenario.start();
  return scenario;
}
