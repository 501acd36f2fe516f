import { describe, expect, it } from 'vitest';
import { decodeMeshControl, encodeMeshControl, type MeshControl } from './mesh-wire';

const samples: MeshControl[] = [
  { type: 'hello', peerId: 'peer-ü', protocolVersion: 1, mdPublicKey: 'AAECAwQ=' },
  { type: 'attach', streamId: 4, stripe: 1, stripes: 2 },
  { type: 'detach', streamId: 0, stripe: 0 },
  { type: 'want', streamId: 1, epoch: 3, fromSeq: 2 ** 40, toSeq: 2 ** 40 + 63 },
  { type: 'have', streamId: 1, epoch: 3, fromSeq: 1, toSeq: 4096 },
  { type: 'missing', streamId: 1, epoch: 3, fromSeq: 10, toSeq: 12 },
  { type: 'ping', nonce: 9, timeUs: 1_700_000_000_000_000 },
  { type: 'pong', nonce: 9, timeUs: 1 },
  { type: 'goodbye', code: 'MESH_LEAVING' },
  { type: 'join', streamId: 7 },
  { type: 'assign', streamId: 7, stripe: 1, stripes: 2, parentId: 'relay' },
  { type: 'report', streamId: 7, stripe: 0, peerId: 'p1', code: 'MESH_STALLED', rttUs: 1500, deliveryPermille: 990 },
  { type: 'fallback', streamId: 7, active: true },
  { type: 'leave', streamId: 7 },
];

describe('mesh control codec', () => {
  it('round-trips every control message', () => {
    for (const m of samples) expect(decodeMeshControl(encodeMeshControl(m))).toEqual(m);
  });

  it('returns undefined for frames, unknown bodies and garbage', () => {
    expect(decodeMeshControl(new Uint8Array([0x0a, 0x00]))).toBeUndefined();
    expect(decodeMeshControl(new Uint8Array([0xfa, 0x01, 0x00]))).toBeUndefined();
    expect(decodeMeshControl(new Uint8Array([0x2a, 0x05, 0x08]))).toBeUndefined();
    expect(decodeMeshControl(new Uint8Array(0))).toBeUndefined();
    const long = encodeMeshControl({ type: 'goodbye', code: 'x'.repeat(500) });
    expect(decodeMeshControl(long)).toBeUndefined();
  });
});
