/** What a key press means to the terminal. */
export type HotkeyAction = 'buy' | 'sell' | 'submit' | 'cancel-all' | 'blur' | null;

export interface KeyLike {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

export interface KeyContext {
  /** Focus is inside the order ticket. */
  inTicket: boolean;
  /**
   * Focus is in a field where letters are text (login, search): hotkeys other than Esc must not
   * steal them. The ticket's numeric fields are not: a letter there is never valid input.
   */
  typingText: boolean;
}

/**
 * Maps a key press to an action. B / S pick the side, Enter submits when the ticket has focus,
 * Shift+C cancels all orders of the symbol, Esc leaves the focused field. Browser and OS
 * shortcuts (Ctrl/Cmd/Alt) are never taken.
 */
export function hotkeyAction(e: KeyLike, ctx: KeyContext): HotkeyAction {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.key === 'Escape') return 'blur';
  if (e.key === 'Enter') return ctx.inTicket ? 'submit' : null;
  if (ctx.typingText) return null;
  if (e.key === 'C' && e.shiftKey) return 'cancel-all';
  if (e.shiftKey) return null;
  if (e.key === 'b' || e.key === 'B') return 'buy';
  if (e.key === 's' || e.key === 'S') return 'sell';
  return null;
}
