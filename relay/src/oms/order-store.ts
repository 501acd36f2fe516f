import { ErrorCode, fail, ok, type Fill, type Order, type Result } from '@tickmesh/shared';
import { isTerminal } from './order-transitions';
import type { OrderRecord } from './order-record';

/** Filter of {@link OrderStore.orders}. */
export interface OrderQuery {
  /** Only orders that are not in a terminal status. Default false (all orders). */
  open?: boolean;
}

/**
 * Every order the OMS knows (parents, children, direct orders) and every fill, indexed the
 * ways the OMS and its clients look them up. Recovery rebuilds it from the journal, so the
 * client-order-id index — and with it the duplicate check — survives restarts.
 *
 * Client order ids are unique per account for the life of the journal: an id once used (by
 * a new order or by a replace) is never accepted again, even after the order ended, so a
 * client retrying a request can never create a second order.
 */
export class OrderStore {
  private readonly byId = new Map<string, OrderRecord>();
  /** account → client order id → order. Nested rather than a joined key: ids are free text. */
  private readonly byClient = new Map<string, Map<string, OrderRecord>>();
  private readonly byAccount = new Map<string, OrderRecord[]>();
  private readonly openByAccount = new Map<string, Map<string, OrderRecord>>();
  private readonly childrenOf = new Map<string, OrderRecord[]>();
  private readonly fillsByAccount = new Map<string, Fill[]>();

  /** Adds a new order and indexes it (open set, parent's children). Throws on a reused orderId (a broken invariant). */
  add(rec: OrderRecord): void {
    const o = rec.order;
    if (this.byId.has(o.orderId)) throw new Error(`OrderStore: duplicate orderId ${o.orderId}`);
    this.byId.set(o.orderId, rec);
    push(this.byAccount, o.account, rec);
    if (o.parentOrderId !== '') push(this.childrenOf, o.parentOrderId, rec);
    this.updated(rec);
  }

  get(orderId: string): OrderRecord | undefined {
    return this.byId.get(orderId);
  }

  /** True if `clientOrderId` was ever used by `account`. */
  hasClientId(account: string, clientOrderId: string): boolean {
    return this.byClient.get(account)?.has(clientOrderId) ?? false;
  }

  /** Binds a client order id of `account` to an order; a used id → OMS_DUPLICATE_CLIENT_ORDER_ID. */
  reserveClientId(account: string, clientOrderId: string, rec: OrderRecord): Result<void> {
    let ids = this.byClient.get(account);
    if (ids === undefined) {
      ids = new Map();
      this.byClient.set(account, ids);
    }
    const prev = ids.get(clientOrderId);
    if (prev !== undefined && prev !== rec) {
      return fail(ErrorCode.OMS_DUPLICATE_CLIENT_ORDER_ID, `client order id ${clientOrderId} already used`);
    }
    ids.set(clientOrderId, rec);
    return ok(undefined);
  }

  /** The order `account` knows as `clientOrderId` (its current id or any earlier one). */
  byClientId(account: string, clientOrderId: string): OrderRecord | undefined {
    return this.byClient.get(account)?.get(clientOrderId);
  }

  /** Orders of `account` in creation order (parents and children). */
  orders(account: string, query: OrderQuery = {}): OrderRecord[] {
    if (query.open === true) return [...(this.openByAccount.get(account)?.values() ?? [])];
    return [...(this.byAccount.get(account) ?? [])];
  }

  /** Open orders of `account`, of one symbol if given. */
  open(account: string, symbol?: string): OrderRecord[] {
    const all = this.openByAccount.get(account);
    if (all === undefined) return [];
    const out: OrderRecord[] = [];
    for (const rec of all.values()) if (symbol === undefined || rec.order.symbol === symbol) out.push(rec);
    return out;
  }

  /** Open orders of `account` (any symbol), live: for one pass without a copy; do not change the store while iterating. */
  openOf(account: string): Iterable<OrderRecord> {
    return this.openByAccount.get(account)?.values() ?? NONE;
  }

  /** Children of a parent order, in creation order. */
  children(parentOrderId: string): readonly OrderRecord[] {
    return this.childrenOf.get(parentOrderId) ?? [];
  }

  /** Keeps the open index in step after the order's status changed. */
  updated(rec: OrderRecord): void {
    const o: Order = rec.order;
    let open = this.openByAccount.get(o.account);
    if (isTerminal(o.status)) {
      open?.delete(o.orderId);
      return;
    }
    if (open === undefined) {
      open = new Map();
      this.openByAccount.set(o.account, open);
    }
    open.set(o.orderId, rec);
  }

  addFill(fill: Fill): void {
    push(this.fillsByAccount, fill.account, fill);
  }

  /** Fills of `account`, oldest first. */
  fills(account: string): readonly Fill[] {
    return this.fillsByAccount.get(account) ?? [];
  }

  /** Every order, in creation order. */
  all(): IterableIterator<OrderRecord> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }
}

const NONE: readonly OrderRecord[] = [];

function push<T>(m: Map<string, T[]>, key: string, v: T): void {
  const list = m.get(key);
  if (list === undefined) m.set(key, [v]);
  else list.push(v);
}
