import { Algo, Contingency, OrderStatus, TriggerSource, TriggerType, Side } from './model';
import type { BlotterOrder } from '../workers/terminal-api';

/** An algo parent's progress, from what the relay reports: nothing here is estimated. */
export interface AlgoProgress {
  /** Lots filled and asked for (the parent's). */
  filledQty: number;
  qty: number;
  /** Child orders seen, and those of them that ended (filled, canceled, expired, rejected, denied). */
  children: number;
  childrenDone: number;
  /**
   * End of the TWAP/VWAP horizon, µs since the epoch: as the relay's algo reports it, else
   * the parent's creation plus its `durationMs`. 0 when not known (iceberg; a duration left to
   * the relay's default before the algo's first report).
   */
  endsUs: number;
  /** When the algo's next slice is due, µs since the epoch, as the relay reported it; 0 when none is to come or not known. */
  nextSliceUs: number;
}

/** One top-level row of the blotter and the orders routed under it. */
export interface BlotterRow {
  order: BlotterOrder;
  /** Child orders (SOR legs, algo slices and their legs), oldest first; [] for a plain order. */
  children: BlotterOrder[];
  /** Average fill price in ticks (cumNotional / filledQty), NaN before the first fill. */
  avgPrice: number;
  /** Algo parents only. */
  progress?: AlgoProgress;
  /** Conditional orders only (stop, take-profit, trailing, OCO, bracket). */
  trigger?: TriggerView;
}

/** A conditional order's trigger as the blotter shows it, from what the relay reported. */
export interface TriggerView {
  /** "STOP", "TAKE PROFIT", "TRAILING", "OCO", "BRACKET". */
  kind: string;
  /** Fires at or above ('≥') or at or below ('≤') the level. */
  direction: '≥' | '≤';
  /** The armed level in ticks now (a trailing stop's moves); 0 while not known yet. */
  level: number;
  /**
   * 'armed' (waiting at the relay), 'fired', 'ended' (never fired, the order is over), or
   * 'entry' (a bracket whose entry is working: its exits are armed once it filled).
   */
  state: 'armed' | 'fired' | 'ended' | 'entry';
  /** The market price that fired it, ticks; 0 until it fired. */
  firedPrice: number;
  /** "last" or "mark". */
  source: 'last' | 'mark';
}

const TRIGGER_KINDS = new Map<number, string>([
  [TriggerType.Stop, 'STOP'],
  [TriggerType.TakeProfit, 'TAKE PROFIT'],
  [TriggerType.TrailingStop, 'TRAILING'],
]);

/** The trigger of a conditional order; undefined for every other order. */
export function triggerView(o: Pick<BlotterOrder, 'trigger' | 'side' | 'status'>): TriggerView | undefined {
  const t = o.trigger;
  if (t === undefined) return undefined;
  const kind = t.contingency === Contingency.OCO ? 'OCO' : t.contingency === Contingency.Bracket ? 'BRACKET' : (TRIGGER_KINDS.get(t.triggerType) ?? 'TRIGGER');
  // A bracket's stop-loss protects the entry: it sells a long (fires falling) or buys back a short.
  const stopSide = t.contingency === Contingency.Bracket ? (o.side === Side.Buy ? Side.Sell : Side.Buy) : o.side;
  const rising = (t.triggerType === TriggerType.TakeProfit) !== (stopSide === Side.Buy);
  const entry = t.contingency === Contingency.Bracket && o.status !== OrderStatus.PendingTrigger;
  const state = t.firedTrigger !== TriggerType.None ? 'fired' : ENDED.has(o.status) ? 'ended' : entry ? 'entry' : 'armed';
  return { kind, direction: rising ? '≥' : '≤', level: t.triggerPrice, state, firedPrice: t.firedPrice, source: t.triggerSource === TriggerSource.Mark ? 'mark' : 'last' };
}

const ENDED: ReadonlySet<number> = new Set([OrderStatus.Filled, OrderStatus.Canceled, OrderStatus.Expired, OrderStatus.Rejected, OrderStatus.Denied]);

/** cumNotional (ticks × lots) / filledQty (lots) = the average fill price in ticks; NaN when nothing filled. */
export function averagePrice(o: Pick<BlotterOrder, 'cumNotional' | 'filledQty'>): number {
  return o.filledQty > 0 ? o.cumNotional / o.filledQty : Number.NaN;
}

/**
 * Groups orders (any order) into the blotter's rows: every top-level order keeps its place in
 * `orders`, its children (by `parentOrderId`) under it, oldest first. A child whose parent is
 * not held (yet) is a row of its own: nothing the relay reported is hidden.
 */
export function blotterRows(orders: readonly BlotterOrder[]): BlotterRow[] {
  const ids = new Set<string>();
  for (const o of orders) if (o.orderId !== '') ids.add(o.orderId);
  const childrenOf = new Map<string, BlotterOrder[]>();
  for (const o of orders) {
    if (o.parentOrderId === '' || !ids.has(o.parentOrderId)) continue;
    let list = childrenOf.get(o.parentOrderId);
    if (list === undefined) childrenOf.set(o.parentOrderId, (list = []));
    list.push(o);
  }
  const rows: BlotterRow[] = [];
  for (const o of orders) {
    if (o.parentOrderId !== '' && ids.has(o.parentOrderId)) continue;
    const children = (o.orderId === '' ? undefined : childrenOf.get(o.orderId)) ?? [];
    children.sort((a, b) => a.createdUs - b.createdUs);
    const row: BlotterRow = { order: o, children, avgPrice: averagePrice(o) };
    const trigger = triggerView(o);
    if (trigger !== undefined) row.trigger = trigger;
    if (o.algo !== Algo.None && o.parentOrderId === '') {
      const horizon = (o.algo === Algo.TWAP || o.algo === Algo.VWAP) && o.durationMs > 0;
      row.progress = {
        filledQty: o.filledQty,
        qty: o.qty,
        children: children.length,
        childrenDone: children.filter((c) => ENDED.has(c.status)).length,
        endsUs: o.schedule?.endsUs || (horizon ? o.createdUs + o.durationMs * 1000 : 0),
        nextSliceUs: o.schedule?.nextSliceUs ?? 0,
      };
    }
    rows.push(row);
  }
  return rows;
}
