/**
 * The simulator's scenarios (`--sim-scenario a,b,...`): abusive traders that trade through the
 * relay's OMS as real accounts would, benign traders that look a little like them, and feed
 * faults injected into what a simulated venue publishes. Everything is seeded by `--seed`.
 */
export const SIM_SCENARIOS = {
  spoofing: 'an account flashes large orders away from the touch and cancels them while it trades the other side',
  layering: 'an account rests several large orders at distinct prices, trades the other side, then pulls them all',
  wash: 'two linked accounts (one owner) trade with each other',
  'quote-stuffing': 'an account bursts hundreds of orders and cancels that trade nothing',
  momentum: 'an account buys (or sells) aggressively in a quick run that moves the price, then trades out into the move (relay taker flow has price impact)',
  benign: 'ordinary relay traders: a small market maker, a desk with large patient orders, a trend follower',
  'frozen-feed': 'a venue stops publishing a symbol for seconds while its stream stays live',
  'price-spike': 'a venue prints a trade hundreds of bps away from its market',
  'crossed-book': 'a venue publishes a bid above its best ask for a few seconds',
  'divergent-venue': 'a venue publishes prices 150-250 bps away from the others for seconds',
} as const;

export type SimScenarioName = keyof typeof SIM_SCENARIOS;

export const SIM_SCENARIO_NAMES = Object.keys(SIM_SCENARIOS) as SimScenarioName[];

export function isSimScenario(name: string): name is SimScenarioName {
  return Object.hasOwn(SIM_SCENARIOS, name);
}

/** Accounts the scenarios trade under, by role; the wash traders are linked (one owner). */
export const SCENARIO_ACCOUNTS = {
  spoofer: 'sim-spoofer',
  layerer: 'sim-layerer',
  washA: 'sim-wash-a',
  washB: 'sim-wash-b',
  stuffer: 'sim-stuffer',
  igniter: 'sim-igniter',
  maker: 'sim-mm',
  desk: 'sim-desk',
  trend: 'sim-trend',
} as const;

/** Owner of the wash traders' two accounts. */
export const WASH_OWNER = 'sim-wash';

/** Beneficial owner of `account` as far as the scenarios know (linked accounts share one); any other account is its own. */
export function simScenarioOwnerOf(account: string): string {
  return account === SCENARIO_ACCOUNTS.washA || account === SCENARIO_ACCOUNTS.washB ? WASH_OWNER : account;
}
