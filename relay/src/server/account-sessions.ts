import type { ExecutionReportMsg } from '@tickmesh/shared';
import type { AccountLimiter } from '../session/order-requests';
import { AccountBuckets } from './account-buckets';

/** What the registry needs of a session. */
export interface AccountSession {
  deliverReport(report: ExecutionReportMsg): void;
}

/**
 * The open sessions of each account: execution reports go to all of them, one request budget
 * is shared by all of them, and the account's last session closing is reported (for
 * cancel-on-disconnect).
 */
export class AccountSessions<S extends AccountSession = AccountSession> implements AccountLimiter {
  private readonly byAccount = new Map<string, Set<S>>();
  private readonly buckets: AccountBuckets;

  /**
   * @param messagesPerSecond the per-account request rate (burst = 2x).
   * @param onLastClosed called when an account's last session closed.
   */
  constructor(
    messagesPerSecond: number,
    private readonly onLastClosed: (account: string) => void,
  ) {
    this.buckets = new AccountBuckets(messagesPerSecond);
  }

  add(account: string, session: S): void {
    let mine = this.byAccount.get(account);
    if (!mine) this.byAccount.set(account, (mine = new Set()));
    mine.add(session);
  }

  remove(account: string, session: S): void {
    const mine = this.byAccount.get(account);
    if (!mine?.delete(session) || mine.size > 0) return;
    this.byAccount.delete(account);
    this.onLastClosed(account);
  }

  /** Open sessions of `account` on this relay. */
  count(account: string): number {
    return this.byAccount.get(account)?.size ?? 0;
  }

  /** An execution report to every session of its account. */
  deliver(report: ExecutionReportMsg): void {
    for (const s of this.byAccount.get(report.account) ?? []) s.deliverReport(report);
  }

  take(account: string): boolean {
    return this.buckets.take(account);
  }
}
