/**
 * Output buffers for the hot-path encoders, carved from 64 KiB slabs (as Node's Buffer pool
 * does): one `new Uint8Array` per small frame costs a backing-store allocation and GC
 * tracking each, a subarray of a slab does not. A frame keeps its slab alive while referenced,
 * so frames over 4 KiB (snapshots) get their own buffer.
 *
 * Consequence for callers: a frame is a view, so use `byteOffset`/`byteLength` with its
 * `buffer`, and never transfer (postMessage) or detach that buffer.
 */
const SLAB_BYTES = 64 * 1024;
const MAX_POOLED_BYTES = 4 * 1024;

let slab = new Uint8Array(SLAB_BYTES);
let used = 0;

/** A zero-filled Uint8Array of exactly `bytes` bytes. */
export function allocFrame(bytes: number): Uint8Array {
  if (bytes > MAX_POOLED_BYTES) return new Uint8Array(bytes);
  if (used + bytes > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    used = 0;
  }
  const frame = slab.subarray(used, used + bytes);
  used = (used + bytes + 7) & ~7; // 8-byte aligned starts, for any later typed views
  return frame;
}
