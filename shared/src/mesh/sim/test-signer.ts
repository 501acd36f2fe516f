import { FRAME_SIGNATURE_BYTES, type FrameVerifier } from '../../codec/frame-signing';

/**
 * A keyed, synchronous stand-in for Ed25519 in the simulation (200 peers verifying real
 * signatures would take minutes of CPU, and the async answers would make the run depend on
 * thread timing). It still detects any alteration of the covered bytes or a wrong key, which is
 * all the mesh logic relies on. NOT cryptographic: simulation and tests only.
 */
export function testSignature(secret: number, signed: Uint8Array): Uint8Array {
  const sig = new Uint8Array(FRAME_SIGNATURE_BYTES);
  let h1 = (0x811c9dc5 ^ secret) >>> 0;
  let h2 = (0x01000193 + secret * 31) >>> 0;
  for (let i = 0; i < signed.length; i++) {
    h1 = Math.imul(h1 ^ signed[i]!, 0x01000193);
    h2 = Math.imul(h2 + signed[i]! + 1, 0x5bd1e995) ^ (h2 >>> 13);
  }
  new DataView(sig.buffer).setUint32(0, h1 >>> 0);
  new DataView(sig.buffer).setUint32(4, h2 >>> 0);
  new DataView(sig.buffer).setUint32(8, signed.length);
  return sig;
}

/** Verifier accepting `testSignature(secret, …)` under `keyId`. */
export function testVerifier(secret: number, keyId = 1): FrameVerifier {
  return {
    verify(k: number, signed: Uint8Array, signature: Uint8Array): boolean {
      if (k !== keyId) return false;
      const expect = testSignature(secret, signed);
      for (let i = 0; i < FRAME_SIGNATURE_BYTES; i++) if (expect[i] !== signature[i]) return false;
      return true;
    },
  };
}
