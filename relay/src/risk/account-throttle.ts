import { TokenBucket } from '../session/token-bucket';

/**
 * One token bucket per account. The session limits messages per connection; this limits
 * orders per account, which a trader with several tabs or API keys cannot multiply.
 * A bucket lives as long as the engine: accounts are authenticated, so their number is bounded.
 */
export class AccountThrottle {
  private readonly buckets = new Map<string, TokenBucket>();

  /** `ratePerSecond` sustained, `burst` at once; Infinity turns the throttle off. */
  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  /** Takes one token of `account`'s bucket; false when it is empty. */
  take(account: string, nowMs: number): boolean {
    let bucket = this.buckets.get(account);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.ratePerSecond, this.burst, nowMs);
      this.buckets.set(account, bucket);
    }
    return bucket.take(nowMs);
  }
}
