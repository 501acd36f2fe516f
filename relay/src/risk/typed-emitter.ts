/**
 * A tiny synchronous emitter typed by an event map (`{ name: payload }`). Node's EventEmitter
 * is avoided so the engine stays portable and every event name and payload is checked at
 * compile time.
 *
 * Listeners run synchronously, in registration order, inside the call that caused the event
 * (e.g. `kill()` returns after every 'kill' listener ran). A throwing listener does not stop
 * the others: all run, then the first error is rethrown to the caller, since a listener that
 * throws (say, a journal that cannot write) is a broken invariant the caller must see.
 */
export class TypedEmitter<E extends { [K in keyof E]: unknown }> {
  private readonly listeners = new Map<keyof E, Array<(event: never) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(name: K, listener: (event: E[K]) => void): () => void {
    let list = this.listeners.get(name);
    if (list === undefined) {
      list = [];
      this.listeners.set(name, list);
    }
    list.push(listener as (event: never) => void);
    return () => this.off(name, listener);
  }

  /** Removes one registration of `listener` (no-op when absent). */
  off<K extends keyof E>(name: K, listener: (event: E[K]) => void): void {
    const list = this.listeners.get(name);
    const i = list?.indexOf(listener as (event: never) => void) ?? -1;
    if (list !== undefined && i >= 0) list.splice(i, 1);
  }

  listenerCount<K extends keyof E>(name: K): number {
    return this.listeners.get(name)?.length ?? 0;
  }

  protected emit<K extends keyof E>(name: K, event: E[K]): void {
    const list = this.listeners.get(name);
    if (list === undefined || list.length === 0) return;
    let error: unknown;
    let failed = false;
    // A copy, so a listener that removes itself (or adds another) does not skip a neighbour.
    for (const listener of list.slice()) {
      try {
        (listener as (event: E[K]) => void)(event);
      } catch (err) {
        if (!failed) error = err;
        failed = true;
      }
    }
    if (failed) throw error;
  }
}
