import { applyFill, flatPosition, type Fill, type Position } from '@tickmesh/shared';

/**
 * One account's fills (the caller passes only that account's) and the positions they make,
 * by the relay's own rule (relay/src/oms/position-book.ts, average cost): a fill adding to a position adds price × qty to its open
 * cost; one reducing it releases the reduced share of the open cost and books the difference
 * to the fill price as realised P&L; one flipping it closes the old side and opens the rest at
 * the fill price. Integers in ticks × lots, as on the relay.
 *
 * Positions are rebuilt from fills rather than taken from GET /api/positions: fills carry
 * identities (orderId + tradeId), so a fill both in the REST answer and in a report that
 * raced it is counted once, which a position total cannot guarantee.
 */
export class PositionLedger {
  private readonly positions = new Map<string, Position>();
  /** orderId + tradeId of every fill booked: the identity shared by REST fills and reports. */
  private readonly seen = new Set<string>();
  /** Fills booked from reports since the last `load` (re-applied on top of the next REST answer). */
  private live: Fill[] = [];
  private fresh: Fill[] = [];
  /** Fills booked per order: numbers the fill ids of report fills as the relay does. */
  private readonly perOrder = new Map<string, number>();
  /** Set whenever a position changes; the caller clears it once it has redrawn positions. */
  changed = false;

  /** Books a fill unless already booked; returns whether it was new. */
  add(fill: Fill): boolean {
    if (!this.book(fill)) return false;
    this.live.push(fill);
    return true;
  }

  /**
   * Rebuilds from the REST fill list (oldest first), then re-applies report fills it does not
   * contain. Fills not seen before are reported by the next `takeFills`.
   */
  load(fills: readonly Fill[]): void {
    const before = this.seen;
    const live = this.live;
    this.positions.clear();
    const known = new Set(before);
    before.clear();
    this.perOrder.clear();
    this.live = [];
    for (const f of fills) {
      const isNew = !known.has(key(f));
      this.apply(f);
      if (isNew) this.fresh.push(f);
    }
    for (const f of live) if (!this.seen.has(key(f))) this.book(f, false);
    this.changed = true;
  }

  /** The next fill id of `orderId`, as the relay numbers them (`${orderId}-${n}`). */
  nextFillId(orderId: string): string {
    return `${orderId}-${(this.perOrder.get(orderId) ?? 0) + 1}`;
  }

  /** Fills booked since the last call, in booking order. */
  takeFills(): Fill[] {
    if (this.fresh.length === 0) return [];
    const out = this.fresh;
    this.fresh = [];
    return out;
  }

  /** Signed lots held in `symbol` (0 when never traded). */
  qty(symbol: string): number {
    return this.positions.get(symbol)?.qty ?? 0;
  }

  /** Positions (flat ones that traded included), first-trade order; live objects. */
  list(): IterableIterator<Position> {
    return this.positions.values();
  }

  /**
   * Takes positions as the relay reported them (GET /api/positions), when the fill list could
   * not be read: later report fills build on them.
   */
  seed(positions: readonly Position[]): void {
    this.positions.clear();
    for (const p of positions) this.positions.set(p.symbol, { account: p.account, symbol: p.symbol, qty: p.qty, openCost: p.openCost, realizedPnl: p.realizedPnl, fees: p.fees });
    this.changed = true;
  }

  /** Forgets everything (another account connected). */
  clear(): void {
    this.positions.clear();
    this.seen.clear();
    this.perOrder.clear();
    this.live = [];
    this.fresh = [];
    this.changed = true;
  }

  private book(fill: Fill, report = true): boolean {
    if (this.seen.has(key(fill))) return false;
    this.apply(fill);
    if (report) this.fresh.push(fill);
    return true;
  }

  private apply(fill: Fill): void {
    this.seen.add(key(fill));
    this.perOrder.set(fill.orderId, (this.perOrder.get(fill.orderId) ?? 0) + 1);
    let p = this.positions.get(fill.symbol);
    if (p === undefined) {
      p = flatPosition(fill.account, fill.symbol);
      this.positions.set(fill.symbol, p);
    }
    this.changed = true;
    applyFill(p, fill);
  }
}

function key(f: Pick<Fill, 'orderId' | 'tradeId'>): string {
  return `${f.orderId}#${f.tradeId}`;
}
