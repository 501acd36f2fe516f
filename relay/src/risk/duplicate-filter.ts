/**
 * Remembers keys of accepted orders for `windowMs` and recognises repeats. The map keeps keys
 * in the order they were last recorded, which is time order, so expiry only looks at the
 * oldest entries (amortised O(1) per record) and the size cap drops the oldest first.
 */
export class DuplicateFilter {
  private readonly seen = new Map<string, number>();

  /** windowMs 0 = off. */
  constructor(
    readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  get enabled(): boolean {
    return this.windowMs > 0;
  }

  get size(): number {
    return this.seen.size;
  }

  /** True when `key` was recorded less than `windowMs` ago. */
  isDuplicate(key: string, nowMs: number): boolean {
    const at = this.seen.get(key);
    return at !== undefined && nowMs - at < this.windowMs;
  }

  /** Records `key` as accepted at `nowMs` and forgets what has expired. */
  record(key: string, nowMs: number): void {
    if (!this.enabled) return;
    this.seen.delete(key);
    this.seen.set(key, nowMs);
    for (const [k, at] of this.seen) {
      if (nowMs - at < this.windowMs && this.seen.size <= this.maxKeys) break;
      this.seen.delete(k);
    }
  }
}
