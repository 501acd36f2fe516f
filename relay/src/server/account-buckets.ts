import { TokenBucket } from '../session/token-bucket';
import type { AccountLimiter } from '../session/order-requests';

/**
 * One request budget per account (`messagesPerSecond`, burst 2×), wherever its requests come
 * from: every session of the account on this relay (AccountSessions), or every edge of a
 * cluster at the OMS node (relay/src/cluster/oms-service.ts).
 */
export class AccountBuckets implements AccountLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly messagesPerSecond: number) {}

  take(account: string): boolean {
    let b = this.buckets.get(account);
    if (!b) {
      const rate = this.messagesPerSecond;
      this.buckets.set(account, (b = new TokenBucket(rate, rate * 2, performance.now())));
    }
    return b.take(performance.now());
  }
}
