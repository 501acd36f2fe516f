import { ErrorCode, decodeClient } from '@tickmesh/shared';
import { can, type Principal, type Role } from '../auth/index';

/** A refusal the guard answers with (an Error ServerMessage on the channel). */
export interface GuardRefusal {
  requestId: number;
  code: string;
  message: string;
}

/**
 * Trading rights of one order channel, re-checked on every order request: the channel is
 * bound to the account that signed in on /peerjs, and an order is accepted only while the
 * newest token that peer id signed in with (a reclaim with a refreshed token replaces it) is
 * unexpired, of the account's current role, and may trade. /ws checks its token once, at the upgrade; a data channel outlives
 * its signalling socket, so it is held to the token's life instead.
 *
 * Only order requests are looked at; everything else (and anything undecodable, oversized)
 * goes to the session as it is, which answers it exactly as on /ws.
 */
export class OrderChannelGuard {
  constructor(
    readonly account: string,
    /** The principal now behind the channel's peer id; undefined once it left signalling (the last one stays in force). */
    private readonly current: () => Principal | undefined,
    private last: Principal,
    private readonly maxPayloadBytes: number,
    /** The account's role now (undefined: deleted), so a demotion ends trading at once, as a token check on /ws would. */
    private readonly roleNow: (account: string) => Role | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The principal whose token now governs the channel. */
  get principal(): Principal {
    const p = this.current();
    // Ids are bound to accounts (peer-id.ts), so a registration of the id is of this account; checked anyway.
    if (p !== undefined && p.account === this.account) this.last = p;
    return this.last;
  }

  /** undefined: pass the frame to the session; else refuse it with this. */
  check(frame: Buffer, isBinary: boolean): GuardRefusal | undefined {
    if (!isBinary || frame.length > this.maxPayloadBytes) return undefined;
    const decoded = decodeClient(frame);
    if (!decoded.ok) return undefined;
    const msg = decoded.value;
    if (msg.type !== 'newOrder' && msg.type !== 'cancelOrder' && msg.type !== 'replaceOrder' && msg.type !== 'cancelAll') return undefined;
    const p = this.principal;
    if (p.expiresAtMs <= this.now()) {
      return { requestId: msg.requestId, code: ErrorCode.AUTH_EXPIRED_TOKEN, message: 'the token this channel signed in with has expired; sign in on /peerjs again with a refreshed one' };
    }
    if (this.roleNow(p.account) !== p.role) return { requestId: msg.requestId, code: ErrorCode.AUTH_INVALID_TOKEN, message: 'account or role changed' };
    if (!can(p, 'trade')) return { requestId: msg.requestId, code: ErrorCode.AUTH_FORBIDDEN, message: `role ${p.role} may not trade` };
    return undefined;
  }
}
