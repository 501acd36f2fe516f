import { describe, expect, it } from 'vitest';
import type { Ticker } from './market-rest';
import { anomalyWords, venueAnomaly } from './venue-anomaly';

const ticker = (venue: string, symbol: string, anomaly?: Ticker['anomaly']): Ticker => ({
  venue, symbol, last: 1, open24h: 1, high24h: 1, low24h: 1, volume24h: 0, ...(anomaly === undefined ? {} : { anomaly }),
});

describe('venue anomalies for the venue picker', () => {
  it("finds the open anomaly of one venue's symbol, and none for the others, null ones or an older relay's tickers", () => {
    const frozen = { code: 'MD_ANOMALY_FROZEN_FEED', message: 'sim-b BTC-USD is live but has not updated for 9000 ms', sinceUs: 5 };
    const tickers = [ticker('sim-a', 'BTC-USD', null), ticker('sim-b', 'BTC-USD', frozen), ticker('sim-b', 'ETH-USD'), ticker('sim-a', 'ETH-USD', null)];
    expect(venueAnomaly(tickers, 'BTC-USD', 'sim-b')).toEqual(frozen);
    expect(venueAnomaly(tickers, 'BTC-USD', 'sim-a')).toBeUndefined();
    expect(venueAnomaly(tickers, 'ETH-USD', 'sim-b')).toBeUndefined();
    expect(venueAnomaly(tickers, 'SOL-USD', 'sim-b')).toBeUndefined();
  });

  it('says each code in words, and an unknown code as itself', () => {
    expect(anomalyWords('MD_ANOMALY_FROZEN_FEED')).toBe('frozen feed');
    expect(anomalyWords('MD_ANOMALY_DIVERGENCE')).toBe('diverging');
    expect(anomalyWords('MD_ANOMALY_NEW_THING')).toBe('MD_ANOMALY_NEW_THING');
  });
});
