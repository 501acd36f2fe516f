/*
 * The account side of the terminal's frames: which orders and fills a frame carries, the whole
 * set again when the account shown changes (live ↔ paper, or another replay's paper account),
 * and positions re-sent when fills move them or, throttled, when only their marks did. Kept
 * apart from the engine so the frame's cost rules for the blotter and positions sit together.
 */
import type { Instrument } from '@tickmesh/shared';
import type { AccountState } from './account-state';
import { positionView } from './position-view';
import type { PositionView, TerminalFrame } from './terminal-api';

export class AccountFrameBuilder {
  /** The account the last frame showed: another one means a whole new account set. */
  private shown: AccountState;
  private positionsSentAt = 0;
  private positionsKey = '';

  /**
   * `live`: the account shown first. `markIntervalMs`: see TerminalEngineOptions. `instrumentOf`
   * and `markOf` price the positions (the shown mode's instruments, MarketView.markOf).
   */
  constructor(
    live: AccountState,
    private readonly markIntervalMs: number,
    private readonly instrumentOf: (symbol: string) => Instrument | undefined,
    private readonly markOf: (symbol: string) => number,
  ) {
    this.shown = live;
  }

  /**
   * Puts the orders and fills of `account` that changed since the last frame into `frame`.
   * Returns true when `account` is not the one the last frame showed: then the frame has
   * `accountReset` and every order, and the caller sends the new mode's instruments too.
   */
  orders(frame: TerminalFrame, account: AccountState): boolean {
    if (account === this.shown) {
      frame.orders = account.blotter.takeChanged();
      frame.fills = account.ledger.takeFills();
      return false;
    }
    // Live and paper accounts (or two replays' paper accounts) never mix on screen: the UI
    // drops what it holds and gets the whole new set, and the instruments of the new mode.
    this.shown = account;
    frame.accountReset = true;
    account.blotter.takeChanged();
    account.ledger.takeFills();
    frame.orders = [...account.blotter.values()];
    account.ledger.changed = true;
    this.positionsKey = '';
    return true;
  }

  /** Every position of `account` when a fill moved one or, at most every `markIntervalMs`, a mark did; else undefined. */
  positions(account: AccountState): PositionView[] | undefined {
    const ledger = account.ledger;
    const fillsMoved = ledger.changed;
    const now = performance.now();
    if (!fillsMoved && now - this.positionsSentAt < this.markIntervalMs) return undefined;
    const out: PositionView[] = [];
    let key = '';
    for (const p of ledger.list()) {
      const view = positionView(p, this.instrumentOf(p.symbol), this.markOf(p.symbol));
      out.push(view);
      key += `${view.symbol}:${view.qty}:${view.realizedPnl}:${view.unrealizedPnl}:${view.fees};`;
    }
    this.positionsSentAt = now;
    if (!fillsMoved && key === this.positionsKey) return undefined;
    ledger.changed = false;
    this.positionsKey = key;
    return out;
  }
}
