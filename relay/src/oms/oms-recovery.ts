import { Algo, Contingency, ErrorCode, ExecType, OrderStatus } from '@tickmesh/shared';
import type { JournalEntry } from '@tickmesh/shared';
import { ordersAtRestart, replayJournal } from './journal-replay';
import { cancelOutstanding, type OmsCore } from './oms-core';
import type { OrderRecord } from './order-record';
import { isTerminal } from './order-transitions';
import type { CancelOrder, ParentOrders } from './parent-orders';
import type { ConditionalParents } from './conditional-parents';
import type { ResumeState } from './conditional/index';

/** What {@link Oms.recover} rebuilt. */
export interface RecoverySummary {
  orders: number;
  fills: number;
  /** Orders open before the restart, now canceled with OMS_VENUE_SESSION_LOST. */
  lost: number;
  /** Orders open before the restart at a venue that keeps them (a real exchange), handed to it to reconcile. */
  resumed: number;
  /** Algo parents open before the restart, closed with OMS_ALGO_INTERRUPTED once their children ended. */
  interrupted: number;
  /** Conditional orders armed before the restart, armed again on the journaled trigger level. */
  rearmed: number;
}

/**
 * Oms.recover's work, into an empty `core`: replays the journal (replayJournal), then deals
 * with what it left open (ordersAtRestart). Venue-facing orders at a venue that keeps orders
 * go back to it; the other open ones are canceled with OMS_VENUE_SESSION_LOST, journaled and
 * reported, children before their parents; parents are carried over (recoverParent).
 * Resolves once those records are durable and the cancels they need were sent.
 */
export async function recoverFromJournal(
  core: OmsCore,
  parents: ParentOrders,
  conditionals: ConditionalParents,
  cancelOrder: CancelOrder,
  entries: Iterable<JournalEntry>,
): Promise<RecoverySummary> {
  const stats = replayJournal(entries, core.store, core.book, core.idPrefix);
  core.seq = Math.max(core.seq, stats.maxOrderSeq);
  const plan = ordersAtRestart(core.store, core.venues);
  const now = core.nowUs();
  const writes: Promise<unknown>[] = [];
  const lostIds = new Set(plan.lost.map((r) => r.order.orderId));
  // Armed conditional orders are held here, not at a venue: they are armed again (below).
  const rearm = plan.parents.filter((p) => isArmed(core, p, lostIds));
  // Parents first: how each one ends is decided before its lost children end below.
  for (const p of plan.parents) if (!rearm.includes(p)) writes.push(...recoverParent(core, parents, p, lostIds));
  // Every venue that keeps orders hears the hand-back, with none too: until then an order with
  // our client-id prefix at the venue may be one of these, not an unknown one.
  for (const venue of core.venues.values()) venue.resume?.(plan.resume.get(venue) ?? []);
  for (const rec of plan.lost) {
    rec.pending.length = 0;
    rec.order.reasonCode = ErrorCode.OMS_VENUE_SESSION_LOST;
    core.move(rec, OrderStatus.Canceled);
    writes.push(core.publish(rec, { execType: ExecType.Canceled, timeUs: now }));
    parents.childEnded(rec, now);
  }
  for (const p of rearm) writes.push(conditionals.start(p, now, 0, fresh(core, p) ? undefined : resumeState(core, p)));
  for (const p of plan.parents) {
    if (rearm.includes(p)) continue;
    // Children still working at a venue that kept them: an interrupted algo's, or those of a
    // parent whose cancel was outstanding (that cancel may never have reached the venue).
    if (p.order.algo !== Algo.None || p.parent!.cancelRequested) {
      for (const c of core.store.children(p.order.orderId)) {
        if (!isTerminal(c.order.status) && !cancelOutstanding(c)) writes.push(cancelOrder(c, now, 0));
      }
    }
    parents.settle(p, now);
  }
  await Promise.all(writes);
  const endedWith = (code: string) => plan.parents.filter((p) => isTerminal(p.order.status) && p.order.reasonCode === code).length;
  return {
    orders: stats.orders,
    fills: stats.fills,
    lost: plan.lost.length + endedWith(ErrorCode.OMS_VENUE_SESSION_LOST),
    resumed: [...plan.resume.values()].reduce((n, l) => n + l.length, 0),
    interrupted: plan.parents.filter((p) => p.order.algo !== Algo.None).length,
    rearmed: rearm.length,
  };
}

/**
 * A conditional order the restart finds armed (PendingTrigger), or Submitted with no child
 * yet (the crash came between its Submitted and its armed record): its trigger lived at the
 * relay, so nothing of it was lost with a venue session. Unlike an algo it had no schedule to
 * miss: a stop the market crossed while the relay was down fires on the first price after
 * the restart, as it would have then. One whose trigger already fired (Triggered) is carried
 * over like a routed parent, through the children its venues kept.
 *
 * A bracket whose entry was still working resumes too: carried over like a routed parent its
 * entry's later fills would get no exits, and a part fill already made would have none at
 * all. It resumes if it has a fill to protect or an entry child a venue kept; one with
 * neither lost its entry with the venue session and ends as a routed parent would.
 */
function isArmed(core: OmsCore, rec: OrderRecord, lostIds: ReadonlySet<string>): boolean {
  const o = rec.order;
  if (o.conditional === undefined || rec.parent!.cancelRequested) return false;
  if (o.status === OrderStatus.PendingTrigger || fresh(core, rec)) return true;
  if (o.conditional.contingency !== Contingency.Bracket || !entryWorking.includes(o.status)) return false;
  return o.filledQty > 0 || core.store.children(o.orderId).some((c) => c.order.side === o.side && !isTerminal(c.order.status) && !lostIds.has(c.order.orderId));
}

/** Submitted with no child: the crash came before it armed (or sent its entry); it starts afresh. */
function fresh(core: OmsCore, rec: OrderRecord): boolean {
  return rec.order.status === OrderStatus.Submitted && core.store.children(rec.order.orderId).length === 0;
}

/** A bracket's statuses while its entry works (Triggered: a stop-loss fired, carried over as routed). */
const entryWorking: readonly OrderStatus[] = [OrderStatus.Submitted, OrderStatus.Accepted, OrderStatus.PartiallyFilled];

/** What an armed order's handle adopts: its children still open (kept by their venue), and its exits' fills. */
function resumeState(core: OmsCore, rec: OrderRecord): ResumeState {
  const o = rec.order;
  const open: ResumeState['open'] = [];
  let exitFilled = 0;
  for (const c of core.store.children(o.orderId)) {
    const k = c.order;
    if (k.side !== o.side) exitFilled += k.filledQty;
    if (!isTerminal(k.status)) open.push({ orderId: k.orderId, side: k.side, price: k.price, orderType: k.orderType, qty: k.qty, filledQty: k.filledQty });
  }
  return { open, exitFilled };
}

/**
 * Carries an open parent over a restart. Nothing creates children after a restart: a
 * routed parent's plan went out whole with its Submitted record, and algos are not
 * restarted. An algo's schedule and working state lived in the process that died, and a
 * restart is an outage the algo did not trade through: resuming would either catch up the
 * missed schedule at once (the burst a TWAP is chosen to avoid) or re-plan the rest (an
 * order the trader did not give). So the parent is closed, as a trader expects of an algo
 * whose engine stopped: its working children are canceled, their fills still roll up, and
 * it ends with OMS_ALGO_INTERRUPTED (Filled if they filled it); the trader sees what filled
 * and decides about the rest. A routed parent keeps working through the children its
 * venues kept, as a direct order would; if some were lost with their venue session (or none
 * made it into the journal) it ends, once the rest ended, with OMS_VENUE_SESSION_LOST.
 *
 * First, fills a child booked whose roll-up the crash cut off (the parent's Trade record
 * follows the child's, and a torn tail can keep only the first) are rolled up now: they
 * are the parent's latest, as only the tail of the journal can be lost.
 */
function recoverParent(core: OmsCore, parents: ParentOrders, rec: OrderRecord, lostIds: ReadonlySet<string>): Promise<unknown>[] {
  const o = rec.order;
  const st = rec.parent!;
  const children = core.store.children(o.orderId);
  const booked = children.reduce((n, c) => n + c.fillCount, 0);
  const writes: Promise<unknown>[] = [];
  if (booked > st.rolledUpFills) {
    const missed = core.store.fills(o.account).filter((f) => f.parentOrderId === o.orderId).slice(st.rolledUpFills - booked);
    for (const f of missed) {
      const e = { orderId: f.orderId, kind: 'fill' as const, price: f.price, qty: f.qty, leavesQty: 0, tradeId: f.tradeId, liquidityMaker: f.liquidityMaker, fee: f.fee, reasonCode: '', timeUs: f.timeUs };
      writes.push(parents.rollUpFill(rec, e));
    }
  }
  st.complete = true;
  if (o.status === OrderStatus.PendingCancel) st.cancelRequested = true;
  if (o.algo !== Algo.None) {
    st.outcome = { status: OrderStatus.Canceled, reasonCode: ErrorCode.OMS_ALGO_INTERRUPTED, filledQty: o.filledQty };
  } else if (children.length === 0 || children.some((c) => lostIds.has(c.order.orderId))) {
    st.outcome = { status: OrderStatus.Canceled, reasonCode: ErrorCode.OMS_VENUE_SESSION_LOST, filledQty: o.filledQty };
  }
  return writes;
}
