/**
 * What the terminal engine takes from its host instead of reaching for globals, so the same
 * code runs in a browser worker and in Node tests (with the `ws` package's WebSocket against a
 * real relay).
 */

/** A WebSocket constructor with the browser's shape (the `ws` package's class matches it). */
export type WebSocketCtor = new (url: string, protocols?: string | string[]) => WebSocket;

/** `fetch` as browsers and Node 20 provide it. */
export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

/** Dependencies of `TerminalEngine`. */
export interface EngineDeps {
  /** WebSocket constructor. Browser: `globalThis.WebSocket`; tests: `ws`'s `WebSocket`. */
  WebSocket: WebSocketCtor;
  /** HTTP client for /api. Browser and Node: `globalThis.fetch`. */
  fetch: FetchFn;
  /** Wall clock, ms since the Unix epoch. Default `Date.now`. */
  now?: () => number;
  /** Uniform [0, 1) source for reconnect jitter. Default `Math.random`. */
  random?: () => number;
}
