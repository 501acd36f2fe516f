/**
 * Incremental 64-bit hash of a sequence of integers, printed as 16 hex chars. Two independent
 * 32-bit FNV-1a-style lanes with different offsets keep it allocation-free (no BigInt).
 * Used by `stateHash()` so a replay can be compared in one string; not cryptographic.
 */
export class StateHasher {
  private a = 0x811c9dc5;
  private b = 0x050c5d1f;

  /** Mixes a safe integer (negative and > 2^32 values included). */
  add(n: number): void {
    const lo = n >>> 0;
    const hi = Math.floor(n / 4294967296) >>> 0;
    this.mix(lo);
    this.mix(hi);
  }

  private mix(w: number): void {
    for (let s = 0; s < 32; s += 8) {
      const byte = (w >>> s) & 0xff;
      this.a = Math.imul(this.a ^ byte, 0x01000193);
      this.b = Math.imul(this.b ^ byte, 0x01000193) ^ (this.a >>> 13);
    }
  }

  hex(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }
}
