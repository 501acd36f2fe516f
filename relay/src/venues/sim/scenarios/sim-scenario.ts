import { Prng, seedFrom } from '../prng';
import { Layerer, MomentumIgniter, QuoteStuffer, Spoofer, WashTrader } from './abusive-traders';
import { BenignDesk, BenignMaker, BenignTrend } from './benign-traders';
import { FeedFault } from './feed-faults';
import { ScenarioTrader, type ScenarioActor, type ScenarioContext, type ScenarioEpisode } from './scenario-actor';
import type { SimScenarioName } from './scenario-names';

/** Options of {@link SimScenario}. */
export interface SimScenarioOptions {
  /** Seed (the relay's `--seed`); each scenario mixes in its own name. Default 1. */
  seed?: number;
  /** Symbols the traders and faults pick from. Default: the first venue's. */
  symbols?: readonly string[];
  /** Fair-price move per typical size of relay taker flow, set on every venue by `momentum`. Default 2 bps. */
  takerImpactBps?: number;
}

/**
 * The scenarios `--sim-scenario` names, running: their traders send through the relay's OMS
 * (so surveillance sees them exactly as it sees any account), their faults act on what the
 * simulated venues publish. `step(nowMs)` runs whatever is due; `start()` steps every 50 ms on
 * the wall clock (the relay), a bench steps it on a simulated clock. `episodes` is what was
 * injected, for scoring detectors. Deterministic for a seed and a sequence of steps.
 */
export class SimScenario {
  readonly episodes: ScenarioEpisode[] = [];
  private readonly actors: ScenarioActor[] = [];
  private readonly traders = new Map<string, ScenarioTrader>();
  private readonly unsubscribe: () => void;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly names: readonly SimScenarioName[],
    ctx: ScenarioContext,
    options: SimScenarioOptions = {},
  ) {
    if (ctx.venues.length === 0) throw new Error('sim scenarios need the simulated venues (--venues sim)');
    const seed = options.seed ?? 1;
    const symbols = options.symbols ?? ctx.venues[0]!.instruments().map((i) => i.symbol);
    const rng = (label: string) => new Prng(seedFrom(seed, `scenario:${label}`));
    const add = (a: ScenarioActor) => {
      this.actors.push(a);
      if (a instanceof ScenarioTrader) this.traders.set(a.account, a);
    };
    for (const name of new Set(names)) {
      switch (name) {
        case 'spoofing':
          add(new Spoofer(rng(name), ctx, this.episodes, symbols));
          break;
        case 'layering':
          add(new Layerer(rng(name), ctx, this.episodes, symbols));
          break;
        case 'wash': {
          const w = new WashTrader(rng(name), ctx, this.episodes, symbols);
          add(w);
          add(w.other);
          break;
        }
        case 'quote-stuffing':
          add(new QuoteStuffer(rng(name), ctx, this.episodes, symbols));
          break;
        case 'momentum':
          for (const v of ctx.venues) v.setTakerImpactBps(options.takerImpactBps ?? 2);
          add(new MomentumIgniter(rng(name), ctx, this.episodes, symbols));
          break;
        case 'benign':
          add(new BenignMaker(rng(`${name}:maker`), ctx, this.episodes, symbols));
          add(new BenignDesk(rng(`${name}:desk`), ctx, this.episodes, symbols));
          add(new BenignTrend(rng(`${name}:trend`), ctx, this.episodes, symbols));
          break;
        case 'frozen-feed':
        case 'price-spike':
        case 'crossed-book':
        case 'divergent-venue':
          add(new FeedFault(name, rng(name), ctx, this.episodes, symbols));
          break;
      }
    }
    this.unsubscribe = ctx.onReport((r) => this.traders.get(r.account)?.onReport(r));
  }

  /** The accounts the scenario's traders use. */
  get accounts(): string[] {
    return [...this.traders.keys()];
  }

  step(nowMs: number): void {
    for (const a of this.actors) a.step(nowMs);
  }

  /** Steps every `periodMs` on the wall clock, on an unref'd timer, until stop(). */
  start(periodMs = 50): void {
    this.timer ??= setInterval(() => this.step(Date.now()), periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe();
  }
}
