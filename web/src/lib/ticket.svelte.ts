import { formatUnits, Algo, OrderStatus, OrderType, TimeInForce, Side, TriggerSource } from './model';
import type { TicketOrder } from '../workers/terminal-api';
import { account } from './account.svelte';
import { nextClientOrderId } from './client-order-id';
import { market } from './market.svelte';
import { roundPrice, roundQty } from './ticket-math';
import { buildConditional, orderTypeOf, type TicketKind } from './ticket-conditional';
import { terminal } from './terminal.svelte';

/** The outcome of the last submit, shown under the ticket. */
export type TicketNotice =
  | { kind: 'sent'; clientOrderId: string }
  | { kind: 'denied'; code: string; message: string; clientOrderId?: string }
  | { kind: 'info'; message: string };

/**
 * The order ticket's form. It lives outside the component so the ladder (click a price), the
 * hotkeys and the ticket share one form, and it survives layout changes (laptop ↔ phone).
 * A denial never clears it: the trader fixes the field and sends again.
 */
class Ticket {
  side = $state<Side>(Side.Buy);
  /** The ticket's order type (data-testid="ticket-type"): limit, market or a conditional order the relay holds. */
  kind = $state<TicketKind>('limit');
  /** Conditional inputs (ticket-conditional.ts): trigger, source, trail, take-profit, stop limit, bracket entry. */
  triggerText = $state('');
  triggerSource = $state<TriggerSource>(TriggerSource.Last);
  trailText = $state('');
  trailUnit = $state<'price' | 'bps'>('price');
  takeProfitText = $state('');
  stopLimitText = $state('');
  entryMarket = $state(false);
  timeInForce = $state<TimeInForce>(TimeInForce.GTC);
  priceText = $state('');
  qtyText = $state('');
  /** '' = smart order routing. */
  venue = $state('');
  algo = $state<Algo>(Algo.None);
  durationSec = $state(60);
  displayQtyText = $state('');
  busy = $state(false);
  /**
   * One-click trading on the ladder (data-testid="ladder-one-click"): a click on a bid level
   * buys there, on an ask level sells there, for the ticket's quantity. Off on every load: an
   * armed ladder is a choice made each session, never a surprise after a reload.
   */
  oneClick = $state(false);
  notice = $state.raw<TicketNotice | null>(null);
  /** Bumped on every live ↔ replay switch: a send that resolves after one must not show its outcome. */
  private modeEpoch = 0;

  constructor() {
    terminal.onModeChange(() => this.onModeChange());
  }

  /**
   * Live ↔ replay: the status line and the price/qty belong to the mode left (a paper order's
   * "sent" under a live ticket reads as a live order out). Side, type, TIF, venue and algo stay.
   */
  onModeChange(): void {
    this.modeEpoch++;
    this.notice = null;
    this.priceText = '';
    this.qtyText = '';
    this.displayQtyText = '';
    this.triggerText = '';
    this.trailText = '';
    this.takeProfitText = '';
    this.stopLimitText = '';
  }

  /** The relay's verdict on the last order sent, once it arrives (Denied/Rejected carry a code). */
  lastOutcome = $derived.by(() => {
    const n = this.notice;
    if (n?.kind !== 'sent') return null;
    const o = account.orders.find((x) => x.clientOrderId === n.clientOrderId);
    if (!o) return null;
    if (o.status === OrderStatus.Denied || o.status === OrderStatus.Rejected) return { code: o.reasonCode || 'REJECTED', status: o.status };
    return { code: '', status: o.status };
  });

  /** What the order goes as (the released child's type; a bracket's entry). */
  get orderType(): OrderType {
    return orderTypeOf(this.kind, this.entryMarket);
  }

  /** Limit or market, for the callers that only know those two (ladder click, hotkeys). */
  set orderType(t: OrderType) {
    if (this.kind === 'limit' || this.kind === 'market') this.kind = t === OrderType.Market ? 'market' : 'limit';
  }

  get instrument() {
    return market.instrumentOf(market.selection.symbol, this.venue);
  }

  setPriceTicks(ticks: number): void {
    const inst = this.instrument;
    if (!inst) return;
    this.priceText = formatUnits(ticks, inst.tickSize);
    if (this.kind === 'market') this.kind = 'limit';
  }

  /**
   * One-click trade from the ladder: a plain limit (GTC, no algo) on `side` at `ticks`, for
   * the ticket's quantity, on the book the trader clicked (`venue`: the ladder's; '' = the
   * consolidated book, smart routed). It goes the ticket's way (the worker's pre-trade risk,
   * then the relay's), and the ticket's form is left as it was: a stop being set up there is
   * not turned into a limit by a click.
   */
  async clickTrade(side: Side, ticks: number, venue: string): Promise<void> {
    const symbol = market.selection.symbol;
    const inst = market.instrumentOf(symbol, venue);
    if (!symbol || !inst) return void (this.notice = { kind: 'denied', code: 'RISK_UNKNOWN_INSTRUMENT', message: 'no instrument selected' });
    this.normalizeQty();
    const qty = roundQty(inst, this.qtyText);
    if (!qty) return void (this.notice = { kind: 'denied', code: 'RISK_INVALID_QTY', message: `one-click: enter a quantity of at least ${inst.lotSize} in the ticket` });
    await this.send({
      clientOrderId: nextClientOrderId(),
      symbol,
      venue,
      side,
      orderType: OrderType.Limit,
      timeInForce: TimeInForce.GTC,
      price: ticks,
      qty: qty.units,
      postOnly: false,
      algo: Algo.None,
      displayQty: 0,
      durationMs: 0,
    });
  }

  /** Snaps the price field to the tick (on blur and before sending). */
  normalizePrice(): void {
    const inst = this.instrument;
    const r = inst && roundPrice(inst, this.priceText);
    if (r) this.priceText = r.text;
  }

  normalizeQty(): void {
    const inst = this.instrument;
    const r = inst && roundQty(inst, this.qtyText);
    if (r) this.qtyText = r.text;
    const d = inst && this.displayQtyText && roundQty(inst, this.displayQtyText);
    if (d) this.displayQtyText = d.text;
  }

  /** Builds the order from the form, or says which field is wrong (same codes as the risk rules). */
  build(): { ok: true; order: TicketOrder } | { ok: false; code: string; message: string } {
    const symbol = market.selection.symbol;
    const inst = this.instrument;
    if (!symbol || !inst) return { ok: false, code: 'RISK_UNKNOWN_INSTRUMENT', message: 'no instrument selected' };
    const market_ = this.orderType === OrderType.Market;
    const price = market_ ? null : roundPrice(inst, this.priceText);
    if (!market_ && !price) return { ok: false, code: 'RISK_INVALID_PRICE', message: 'enter a positive limit price' };
    const qty = roundQty(inst, this.qtyText);
    if (!qty) return { ok: false, code: 'RISK_INVALID_QTY', message: `enter a quantity of at least ${inst.lotSize}` };
    let displayQty = 0;
    let durationMs = 0;
    const plain = this.kind === 'limit' || this.kind === 'market';
    if (plain && this.algo === Algo.Iceberg) {
      const d = roundQty(inst, this.displayQtyText);
      if (!d || d.units > qty.units) return { ok: false, code: 'OMS_ALGO_INVALID_PARAMS', message: 'iceberg display quantity must be positive and at most the quantity' };
      displayQty = d.units;
    }
    if (plain && (this.algo === Algo.TWAP || this.algo === Algo.VWAP)) {
      if (!(this.durationSec > 0)) return { ok: false, code: 'OMS_ALGO_INVALID_PARAMS', message: 'algo duration must be positive' };
      durationMs = Math.round(this.durationSec * 1000);
    }
    const conditional = buildConditional(inst, this.side, price ? price.units : 0, this);
    if (!conditional.ok) return conditional;
    // Conditional orders are held and triggered at the relay; they take no execution algo.
    const algo = conditional.conditional === undefined ? this.algo : Algo.None;
    return {
      ok: true,
      order: {
        clientOrderId: nextClientOrderId(),
        symbol,
        venue: this.venue,
        side: this.side,
        orderType: this.orderType,
        timeInForce: this.timeInForce,
        price: price ? price.units : 0,
        qty: qty.units,
        postOnly: false,
        algo,
        displayQty: algo === Algo.None ? 0 : displayQty,
        durationMs: algo === Algo.None ? 0 : durationMs,
        ...(conditional.conditional === undefined ? {} : { conditional: conditional.conditional }),
      },
    };
  }

  async submit(): Promise<void> {
    if (this.busy) return;
    this.normalizePrice();
    this.normalizeQty();
    const built = this.build();
    if (!built.ok) {
      this.notice = { kind: 'denied', code: built.code, message: built.message };
      return;
    }
    await this.send(built.order);
  }

  /** Places `order` and shows the outcome under the ticket (unless the mode changed meanwhile). */
  private async send(order: TicketOrder): Promise<void> {
    this.busy = true;
    const epoch = this.modeEpoch;
    const res = await terminal.placeOrder(order);
    this.busy = false;
    if (epoch !== this.modeEpoch) return;
    this.notice = res.ok ? { kind: 'sent', clientOrderId: order.clientOrderId } : { kind: 'denied', code: res.code, message: res.message, clientOrderId: order.clientOrderId };
  }

  async cancelAll(): Promise<void> {
    const symbol = market.selection.symbol || undefined;
    const epoch = this.modeEpoch;
    const res = await terminal.cancelAll(symbol);
    if (epoch !== this.modeEpoch) return;
    this.notice = res.ok ? { kind: 'info', message: `Cancel all ${symbol ?? ''} sent` } : { kind: 'denied', code: res.code, message: res.message };
  }
}

export const ticket = new Ticket();
