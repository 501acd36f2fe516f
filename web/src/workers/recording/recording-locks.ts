/**
 * One Web Lock per recording being written (`navigator.locks`, shared by every tab and worker
 * of the origin), so a second tab's recorder never seals, prunes or deletes a recording another
 * tab is still writing. Where Web Locks are missing (Node tests) nothing is locked.
 */
const PREFIX = 'tickmesh-recording-';

type Locks = { request(name: string, cb: () => Promise<void>): Promise<unknown>; query(): Promise<{ held?: Array<{ name?: string }> }> };

function locks(): Locks | undefined {
  return (globalThis.navigator as { locks?: Locks } | undefined)?.locks;
}

/** Holds the lock of recording `id` until the returned release is called. */
export function holdRecordingLock(id: number): () => void {
  const l = locks();
  if (!l) return () => {};
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  void l.request(PREFIX + id, () => held).catch(() => {});
  return release;
}

/** Ids of recordings some recorder (any tab) is writing now. */
export async function lockedRecordingIds(): Promise<Set<number>> {
  const l = locks();
  const out = new Set<number>();
  if (!l) return out;
  try {
    for (const h of (await l.query()).held ?? []) if (h.name?.startsWith(PREFIX)) out.add(Number(h.name.slice(PREFIX.length)));
  } catch {
    // No answer: treat nothing as locked (the single-tab case).
  }
  return out;
}
