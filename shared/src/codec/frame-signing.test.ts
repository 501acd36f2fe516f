import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../model/codes';
import {
  completeSignedFrame, createFrameVerifier, frameKeyAlgorithm, generateFrameSigner, prepareSignedFrame, readSignedFrame, signFrame,
  FRAME_SIGNATURE_BYTES,
} from './frame-signing';
import { pb } from './proto-types';

const frame = new Uint8Array([0xaa, 0x01, 0x04, 0x08, 0x07, 0x18, 0x2a]);

describe('frame signing', () => {
  for (const algorithm of ['Ed25519', 'ECDSA-P256'] as const) {
    it(`${algorithm}: signs, verifies, and rejects altered bytes or headers`, async () => {
      const signer = await generateFrameSigner({ algorithm, keyId: 7 });
      expect(signer.algorithm).toBe(algorithm);
      expect(frameKeyAlgorithm(signer.publicKey)).toBe(algorithm);
      const verifier = await createFrameVerifier([{ keyId: 7, publicKey: signer.publicKey }]);
      const msg = await signFrame(signer, 3, 2, 1_000_000, frame);
      const v = readSignedFrame(msg);
      expect(v.ok).toBe(true);
      if (!v.ok) return;
      expect([v.value.streamId, v.value.epoch, v.value.seq, v.value.keyId]).toEqual([3, 2, 1_000_000, 7]);
      expect([...v.value.frame]).toEqual([...frame]);
      expect(v.value.signature.length).toBe(FRAME_SIGNATURE_BYTES);
      expect(await verifier.verify(7, v.value.signed, v.value.signature)).toBe(true);
      expect(await verifier.verify(8, v.value.signed, v.value.signature)).toBe(false);

      const altered = msg.slice();
      altered[altered.length - FRAME_SIGNATURE_BYTES - 3]! ^= 1; // inside the frame
      const a = readSignedFrame(altered);
      expect(a.ok && (await verifier.verify(7, a.value.signed, a.value.signature))).toBe(false);

      // The same signature on another seq (a replay relabelled as new) fails.
      const relabelled = prepareSignedFrame({ streamId: 3, epoch: 2, seq: 1_000_001, keyId: 7 }, frame);
      const r = readSignedFrame(completeSignedFrame(relabelled, v.value.signature));
      expect(r.ok && (await verifier.verify(7, r.value.signed, r.value.signature))).toBe(false);
    });
  }

  it('lays the message out as protobuf MeshMessage { frame: SignedFrame }', async () => {
    const signer = await generateFrameSigner();
    const msg = await signFrame(signer, 0, 0, 5, frame);
    const decoded = pb.MeshMessage.decode(msg);
    expect(decoded.frame?.seq).toBe(5);
    expect(decoded.frame?.keyId).toBe(1);
    expect([...(decoded.frame?.frame ?? [])]).toEqual([...frame]);
    expect(decoded.frame?.signature?.length).toBe(64);
  });

  it('refuses non-canonical or truncated messages as CODEC_MALFORMED', async () => {
    const signer = await generateFrameSigner();
    const msg = await signFrame(signer, 1, 1, 1, frame);
    for (const bad of [msg.subarray(0, msg.length - 1), new Uint8Array([0x12, 0x00]), new Uint8Array(0), Uint8Array.of(...msg, 0)]) {
      const r = readSignedFrame(bad);
      expect(r.ok ? 'ok' : r.reason.code).toBe(ErrorCode.CODEC_MALFORMED);
    }
    // protobufjs's own encoding omits zero fields: not canonical, refused.
    const pbBytes = pb.MeshMessage.encode({ frame: { streamId: 0, epoch: 1, seq: 1, keyId: 1, frame, signature: new Uint8Array(64) } }).finish();
    const r = readSignedFrame(pbBytes);
    expect(r.ok ? 'ok' : r.reason.code).toBe(ErrorCode.CODEC_MALFORMED);
  });

  it('rejects public keys of unsupported length', () => {
    expect(() => frameKeyAlgorithm(new Uint8Array(33))).toThrow(RangeError);
  });
});
