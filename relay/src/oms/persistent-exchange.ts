import type { FeedLookup, ResumedOrder, VenueAdapter, VenueExecution, VenueOrderRequest } from '../venues/venue-adapter';
import type { SimVenue } from '../venues/sim/sim-venue';

/**
 * Test double (tests only; not exported from index.ts): a simulated exchange whose orders
 * outlive the relay process, as a real exchange's do. The matching is a real SimVenue; what
 * makes it "real exchange"-like is the adapter each relay process connects with:
 * - `connect()` is what a (re)started relay creates; the adapter connected before is detached
 *   (its process is gone) and hears nothing more;
 * - an adapter reports executions only for orders it sent or was handed through `resume`;
 *   anything else is counted in `unknown` and dropped, as the real adapters raise
 *   VENUE_UNKNOWN_ORDER for an order "Tickmesh did not send";
 * - `resume` reconciles as the real adapters do: for each order, what happened at the venue
 *   meanwhile (an ack, each fill whose trade id was not booked yet, the close) is reported once.
 */
export class PersistentExchange {
  /** Every execution of every order, in venue order: what a reconciliation can ask for. */
  private readonly history = new Map<string, VenueExecution[]>();
  private session: PersistentExchangeSession | null = null;

  constructor(readonly sim: SimVenue) {
    sim.onExecution((e) => {
      const list = this.history.get(e.orderId);
      if (list === undefined) this.history.set(e.orderId, [e]);
      else list.push(e);
      this.session?.deliver(e);
    });
  }

  /** The adapter of a newly started relay process; the previous one goes deaf. */
  connect(): PersistentExchangeSession {
    const session = new PersistentExchangeSession(this.sim, (id) => this.history.get(id) ?? [], () => {
      if (this.session === session) this.session = null;
    });
    this.session = session;
    return session;
  }

  /** Executions the venue reported for `orderId` so far (any session). */
  executions(orderId: string): readonly VenueExecution[] {
    return this.history.get(orderId) ?? [];
  }
}

/** One relay process's connection to a {@link PersistentExchange}. */
export class PersistentExchangeSession implements VenueAdapter {
  readonly id: string;
  /** Order ids the venue reported on that this session does not track (dropped). */
  readonly unknown: string[] = [];
  /** What `resume` was handed, per call. */
  readonly resumed: ResumedOrder[][] = [];
  private readonly tracked = new Set<string>();
  private readonly listeners: ((e: VenueExecution) => void)[] = [];
  private dead = false;

  constructor(
    private readonly sim: SimVenue,
    private readonly historyOf: (orderId: string) => readonly VenueExecution[],
    private readonly detach: () => void,
  ) {
    this.id = sim.id;
  }

  /**
   * The relay process died: what it still asks for never reaches the venue, and what the
   * venue does with our orders (it keeps trading them) is heard by nobody until the next connect().
   */
  drop(): void {
    this.dead = true;
    this.detach();
  }

  instruments() {
    return this.sim.instruments();
  }

  async start(_feeds: FeedLookup): Promise<void> {}

  async stop(): Promise<void> {}

  submit(order: VenueOrderRequest): void {
    if (this.dead) return;
    this.tracked.add(order.orderId);
    this.sim.submit(order);
  }

  cancel(orderId: string): void {
    if (!this.dead) this.sim.cancel(orderId);
  }

  replace(orderId: string, price: number, qty: number): void {
    if (!this.dead) this.sim.replace(orderId, price, qty);
  }

  onExecution(listener: (e: VenueExecution) => void): void {
    this.listeners.push(listener);
  }

  resume(orders: readonly ResumedOrder[]): void {
    this.resumed.push([...orders]);
    const missed: VenueExecution[] = [];
    for (const o of orders) {
      this.tracked.add(o.orderId);
      const booked = new Set(o.tradeIds);
      let accepted = o.accepted;
      for (const e of this.historyOf(o.orderId)) {
        if (e.kind === 'accepted' && !accepted) {
          accepted = true;
          missed.push(e);
        } else if (e.kind === 'fill' && !booked.has(e.tradeId)) {
          missed.push(e);
        } else if (e.kind === 'canceled' || e.kind === 'expired' || e.kind === 'rejected') {
          missed.push(e);
        }
      }
    }
    // Answers of a real reconciliation come later, never from inside resume().
    queueMicrotask(() => {
      for (const e of missed) this.emit(e);
    });
  }

  /** An execution from the venue: reported if this session knows the order. */
  deliver(e: VenueExecution): void {
    if (this.tracked.has(e.orderId)) this.emit(e);
    else this.unknown.push(e.orderId);
  }

  private emit(e: VenueExecution): void {
    for (const l of this.listeners) l(e);
  }
}
