import { RELAY_PEER_ID } from './mesh-transport';

/**
 * One distribution tree of the coordinator: the peers of one stream that receive one stripe,
 * each with one parent, rooted at the relay. Depth is walked, not stored: trees are shallow
 * (fan-out ≥ 4) and re-parenting a subtree would otherwise rewrite every depth below it.
 */
export class StripeTree {
  private readonly parent = new Map<string, string>();
  private readonly children = new Map<string, Set<string>>();

  has(peerId: string): boolean {
    return this.parent.has(peerId);
  }

  /** Members in join order. */
  members(): IterableIterator<string> {
    return this.parent.keys();
  }

  get size(): number {
    return this.parent.size;
  }

  parentOf(peerId: string): string | undefined {
    return this.parent.get(peerId);
  }

  childrenOf(peerId: string): ReadonlySet<string> {
    return this.children.get(peerId) ?? EMPTY;
  }

  childCount(peerId: string): number {
    return this.children.get(peerId)?.size ?? 0;
  }

  /** Hops from the relay (relay = 0, a seed = 1); Infinity when detached or in a cycle. */
  depth(peerId: string): number {
    let d = 0;
    let cur: string | undefined = peerId;
    while (cur !== RELAY_PEER_ID) {
      if (cur === undefined || cur === '' || d > 64) return Infinity;
      cur = this.parent.get(cur);
      d++;
    }
    return d;
  }

  /** True when `ancestor` is on the path from `peerId` to the relay (or is `peerId`). */
  isAncestor(ancestor: string, peerId: string): boolean {
    let cur: string | undefined = peerId;
    for (let d = 0; cur !== undefined && cur !== '' && d <= 64; d++) {
      if (cur === ancestor) return true;
      if (cur === RELAY_PEER_ID) return false;
      cur = this.parent.get(cur);
    }
    return false;
  }

  /** Sets (or moves) a member under `parentId` ('' = detached). */
  setParent(peerId: string, parentId: string): void {
    const old = this.parent.get(peerId);
    if (old !== undefined) this.children.get(old)?.delete(peerId);
    this.parent.set(peerId, parentId);
    if (parentId) {
      let set = this.children.get(parentId);
      if (!set) this.children.set(parentId, (set = new Set()));
      set.add(peerId);
    }
  }

  /** Removes a member; returns its former children, now detached. */
  remove(peerId: string): string[] {
    const old = this.parent.get(peerId);
    if (old !== undefined) this.children.get(old)?.delete(peerId);
    this.parent.delete(peerId);
    const orphans = [...(this.children.get(peerId) ?? [])];
    this.children.delete(peerId);
    for (const c of orphans) this.parent.set(c, '');
    return orphans;
  }
}

const EMPTY: ReadonlySet<string> = new Set();
