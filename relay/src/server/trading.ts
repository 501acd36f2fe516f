import { join } from 'node:path';
import { StreamState, accountExposure, tallyNotional } from '@tickmesh/shared';
import type { Logger } from 'pino';
import { Journal, type JournalOptions } from '../journal/index';
import type { JournalRecord } from '@tickmesh/shared';
import { nowUs, type MarketDataService } from '../md/market-data-service';
import { AlgoRunner } from '../oms/algos/index';
import { Oms } from '../oms/oms';
import { TriggerPrices } from './trigger-prices';
import { SmartOrderRouter } from '../oms/sor/index';
import { RiskEngine, type RiskOptions } from '../risk/index';
import { AlertDesk, surveilledJournal, watchMarketData } from '../surveillance/live/index';
import type { MdAnomalyMonitor, MdAnomalyOptions } from '../surveillance/market-data/index';
import { Surveillance, type SurveillanceOptions } from '../surveillance/index';
import type { VenueAdapter } from '../venues/venue-adapter';

/** What Trading.open takes beyond the essentials; every field optional. */
export interface TradingExtras {
  /** Options of live surveillance, e.g. `wash.ownerOf` for linked accounts. Default: the detectors' defaults, each account its own owner. */
  surveillance?: SurveillanceOptions;
  /** Options of the market-data anomaly monitor. Default: its defaults (checks every 250 ms on the wall clock). */
  anomalies?: MdAnomalyOptions;
  /** Clock of the OMS in µs and of risk in ms. Default: the wall clock (a bench runs a simulated one). */
  nowUs?: () => number;
  nowMs?: () => number;
}

/**
 * The order side of the relay, wired once: journal -> OMS (state machine, SOR, algos) ->
 * authoritative risk -> venues, with the journal replayed on start. Market data drives the
 * circuit breakers; risk events are journaled and reflected in the market-data streams.
 * Every journaled order event is surveilled live, the market data is watched for anomalies,
 * and their alerts (with the risk engine's) go through one desk: journal, counters, log.
 */
export class Trading {
  private constructor(
    readonly journal: Journal,
    readonly oms: Oms,
    readonly risk: RiskEngine,
    private readonly md: MarketDataService,
    /** Every alert raised since start: journaled, counted by code (tickmesh_alerts_total). */
    readonly alerts: AlertDesk,
    /** Market-data anomaly detection over md's streams (its timer runs until close). */
    readonly anomalies: MdAnomalyMonitor,
  ) {}

  /** Opens (or creates) `<dataDir>/journal.tmj`, rebuilds orders and positions, starts routing. */
  static async open(
    dataDir: string,
    md: MarketDataService,
    venues: VenueAdapter[],
    accounts: () => string[],
    log: Logger,
    riskOptions: RiskOptions = {},
    journalOptions: JournalOptions = {},
    extras: TradingExtras = {},
  ): Promise<Trading> {
    const clockUs = extras.nowUs ?? nowUs;
    const { journal, entries, recovered } = await Journal.open(join(dataDir, 'journal.tmj'), journalOptions);
    if (recovered.truncatedBytes > 0) log.warn({ bytes: recovered.truncatedBytes }, 'journal: dropped a torn last write (never acknowledged)');

    const quotes = (symbol: string) =>
      md.streamIdsForSymbol(symbol).map((id) => {
        const s = md.stream(id)!;
        return { venue: s.instrument.venue, instrument: s.instrument, book: s.book };
      });
    // The anomaly monitor starts after recovery (below); until then no venue is suspect.
    let anomalies: MdAnomalyMonitor | undefined;
    const router = new SmartOrderRouter({ quotes }, { suspectOf: (venue, symbol) => anomalies?.suspectOf(venue, symbol) });
    const instrument = (symbol: string) => md.instrumentOf(symbol);
    const symbols = [...new Set(md.instruments().map((i) => i.symbol))];
    const buyNotional = tallyNotional(instrument);
    const alerts = new AlertDesk(journal, log);
    const volume = new Map<string, number>();
    const triggerPrices = new TriggerPrices(md);
    // The OMS and risk need each other (risk reads exposure, the OMS asks risk): risk is built
    // first with a late-bound exposure lookup.
    let oms: Oms | undefined;
    const risk = new RiskEngine(riskOptions, {
      instrument,
      referencePrice: (symbol) => referencePrice(md, symbol),
      // The OMS tallies per symbol (ticks × lots, 0 for none); the shared fold makes the figures
      // account-wide and values them, exactly as the browser's pre-check does.
      exposure: (account, symbol) => accountExposure(symbol, symbols, (s) => oms!.exposure(account, s), buyNotional),
      nowMs: extras.nowMs ?? Date.now,
    });
    oms = new Oms({
      venues,
      risk,
      router,
      algos: new AlgoRunner({}, router),
      journal: surveilledJournal(journal, new Surveillance(extras.surveillance), alerts, log),
      instrument,
      nowUs: clockUs,
      marketVolume: (symbol) => volume.get(symbol) ?? 0,
      marketPrice: (symbol, venue, source) => triggerPrices.price(symbol, venue, source),
      onError: (err) => log.error({ err }, 'OMS error'),
    });
    const summary = await oms.recover(entries);
    log.info({ records: entries.length, ...summary }, 'journal replayed');
    // After recovery: re-armed conditional orders see the first prices of this run.
    triggerPrices.attach(oms);

    anomalies = watchMarketData(md, alerts, extras.anomalies);
    // No venue of a symbol with trustworthy prices left: its breaker halts it until one is trusted again.
    anomalies.onUntrusted((symbol, suspects) => risk.setUntrusted(symbol, suspects?.map((s) => ({ venue: s.venue, code: s.code }))));
    const trading = new Trading(journal, oms, risk, md, alerts, anomalies);
    md.onTrade((symbol, price, size, timeUs, venue, badPrint) => {
      volume.set(symbol, (volume.get(symbol) ?? 0) + size);
      // The breakers act on prices the market can be trusted for: not a print far off its
      // venue's book, nor one from a venue whose book has an open anomaly (smart routing avoids it too).
      if (!badPrint && anomalies?.suspectOf(venue, symbol) === undefined) risk.onTrade(symbol, price, timeUs);
    });
    trading.wireRiskEvents(log, accounts);
    return trading;
  }

  /** Journals an admin action; resolves once durable. */
  admin(actor: string, action: string, target: string, detail = ''): Promise<unknown> {
    return this.journal.append({ kind: 'admin', timeUs: nowUs(), actor, action, target, detail });
  }

  async close(): Promise<void> {
    this.risk.close();
    this.anomalies.stop();
    // Surveillance of the last durable records runs in a setImmediate; its alerts go in before the close.
    await new Promise((resolve) => setImmediate(resolve));
    await this.alerts.settled();
    await this.journal.close();
  }

  private wireRiskEvents(log: Logger, accounts: () => string[]): void {
    const journal = (r: JournalRecord) => void this.journal.append(r).catch((err) => log.error({ err }, 'journal append failed'));
    this.risk.on('halt', (e) => {
      log.warn(e, 'circuit breaker: trading halted');
      this.md.setSymbolState(e.symbol, StreamState.Halted);
      const detail = e.anomaly === undefined
        ? `price ${e.price} from ${e.fromPrice} until ${new Date(e.untilMs).toISOString()}`
        : `market-data anomaly at every venue: ${e.anomaly.map((a) => `${a.venue} ${a.code}`).join(', ')}; until a venue is trusted again`;
      journal({ kind: 'admin', timeUs: e.sinceMs * 1000, actor: 'circuit-breaker', action: 'halt', target: e.symbol, detail });
    });
    this.risk.on('resume', (e) => {
      log.info(e, 'trading resumed');
      this.md.setSymbolState(e.symbol, StreamState.Live);
      journal({ kind: 'admin', timeUs: e.timeMs * 1000, actor: e.actor || 'circuit-breaker', action: 'resume', target: e.symbol, detail: e.reason });
    });
    this.risk.on('kill', (e) => {
      log.warn(e, e.active ? 'kill switch thrown' : 'kill switch released');
      if (e.active) {
        for (const a of e.scope === '*' ? accounts() : [e.scope]) void this.oms.killAccount(a);
      }
    });
    this.risk.on('state', (e) => {
      if (e.account === undefined && e.symbol !== undefined) this.md.setSymbolState(e.symbol, e.state === 'halted' ? StreamState.Halted : StreamState.Live);
    });
    // Journaled and counted with the surveillance and market-data alerts (the desk logs it).
    this.risk.on('alert', (a) => this.alerts.raise({ timeUs: a.timeMs * 1000, code: a.code, account: a.account ?? '', symbol: a.symbol ?? '', message: a.message }));
  }
}

/** Reference price of a symbol: the mid of the best bid and ask across venues, NaN if none. */
export function referencePrice(md: MarketDataService, symbol: string): number {
  let bid = Number.NaN;
  let ask = Number.NaN;
  for (const id of md.streamIdsForSymbol(symbol)) {
    const book = md.stream(id)!.book;
    const b = book.bestBid();
    const a = book.bestAsk();
    if (!(b <= bid)) bid = b;
    if (!(a >= ask)) ask = a;
  }
  return Number.isNaN(bid) || Number.isNaN(ask) ? Number.NaN : Math.round((bid + ask) / 2);
}
