/**
 * Mesh bench: relay market-data egress with 20 mesh peers vs 20 direct WebSocket clients (the
 * in-process simulation: virtual clock, 0.2–2 ms links, 1% loss, 20% churn, 3 streams x 1000
 * flushes of 10 ms), duplicates per message, simulated added latency, and the real WebCrypto
 * cost of signing and verifying one frame (Ed25519, ECDSA P-256) in this process.
 *
 * Not measured here: one-hop latency over a real WebRTC data channel (the DESIGN.md budget of
 * p99 <= 2 ms on loopback): an in-process link would say nothing about SCTP/DTLS. That is
 * mesh-werift.bench.ts (werift peers) and the 5-page Chromium test in web/test/e2e/mesh.test.ts.
 */
import { createFrameVerifier, encodeBookBatch, generateFrameSigner, prepareSignedFrame, type FrameSignatureAlgorithm } from '../shared/src/codec/index';
import { runMeshSimulation } from '../shared/src/mesh/index';
import { StreamState, mulberry32, randomInt } from '../shared/src/model/index';
import { printTable } from './table';

type SimVariant = { peers: number; frames: 'batch' | 'delta'; signing: 'per-stream' | 'per-flush' };
const VARIANTS: SimVariant[] = [
  { peers: 20, frames: 'batch', signing: 'per-stream' },
  { peers: 20, frames: 'delta', signing: 'per-stream' },
  { peers: 20, frames: 'batch', signing: 'per-flush' },
  { peers: 20, frames: 'delta', signing: 'per-flush' },
  { peers: 200, frames: 'batch', signing: 'per-stream' },
  { peers: 200, frames: 'delta', signing: 'per-flush' },
];

function simRows() {
  const rows = [];
  for (const v of VARIANTS) {
    const r = runMeshSimulation({ ...v, seed: v.peers });
    rows.push({
      peers: `${v.peers} (+${r.peersLeft} churned)`,
      'frames': v.frames === 'delta' ? 'BookDelta' : 'BookBatch',
      'signature': v.signing === 'per-flush' ? '1 per flush (FlushFrames)' : '1 per stream per flush',
      'relay msgs (mesh)': r.relayFrames,
      'frames (direct)': r.directFrames,
      'msgs ratio': `${(r.egressFrameRatio * 100).toFixed(2)}%`,
      'relay bytes (mesh)': r.relayFrameBytes + r.relayControlBytes,
      'relay bytes (direct)': r.directFrameBytes,
      'bytes ratio': `${(r.egressByteRatio * 100).toFixed(2)}%`,
      'dup/msg': r.duplicateFactor.toFixed(3),
      'added p50 ms (sim)': r.addedLatencyP50Ms.toFixed(2),
      'added p99 ms (sim)': r.addedLatencyP99Ms.toFixed(2),
      'gaps left': r.missingFrames,
      'book mismatches': r.checksumMismatches + r.applyErrors,
    });
  }
  return rows;
}

/** A realistic flush: 1–10 level changes a side near the top, sometimes a trade. */
function frames(n: number): Uint8Array[] {
  const rand = mulberry32(42);
  const out: Uint8Array[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const side = (bid: boolean) => {
      const k = randomInt(rand, 1, 10);
      const price: number[] = [];
      const size: number[] = [];
      for (let i = 0; i < k; i++) { price.push(5_000_000 + (bid ? -1 : 1) * (i * 2 + randomInt(rand, 0, 1))); size.push(randomInt(rand, 0, 20_000)); }
      return { price, size };
    };
    const trades = rand() < 0.3 ? [{ tradeId: seq, price: 5_000_000, size: randomInt(rand, 1, 5000), aggressor: 1 as const, timeUs: 1_732_560_000_000_000 + seq }] : [];
    out.push(encodeBookBatch({ streamId: 1, epoch: 1, seq, bids: side(true), asks: side(false), trades, checksum: 0xdeadbeef, state: StreamState.Unspecified, timeUs: 1_732_560_000_000_000 + seq }).slice());
  }
  return out;
}

async function cryptoRows() {
  const input = frames(2000);
  const avgBytes = input.reduce((a, f) => a + f.length, 0) / input.length;
  const rows = [];
  for (const algorithm of ['Ed25519', 'ECDSA-P256'] as FrameSignatureAlgorithm[]) {
    const signer = await generateFrameSigner({ algorithm });
    const verifier = await createFrameVerifier([{ keyId: 1, publicKey: signer.publicKey }]);
    const prepared = input.map((f, i) => prepareSignedFrame({ streamId: 1, epoch: 1, seq: i + 1, keyId: 1 }, f));
    const sigs: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) await signer.sign(prepared[i]!.signed); // warm-up
    let t = performance.now();
    for (const p of prepared) sigs.push(await signer.sign(p.signed));
    const signUs = ((performance.now() - t) * 1000) / prepared.length;
    for (let i = 0; i < 200; i++) await verifier.verify(1, prepared[i]!.signed, sigs[i]!);
    t = performance.now();
    let ok = 0;
    for (let i = 0; i < prepared.length; i++) if (await verifier.verify(1, prepared[i]!.signed, sigs[i]!)) ok++;
    const verifyUs = ((performance.now() - t) * 1000) / prepared.length;
    if (ok !== prepared.length) throw new Error('verification failed');
    rows.push({
      algorithm,
      'frame bytes (avg)': Math.round(avgBytes),
      'signed msg overhead B': prepared[0]!.message.length - input[0]!.length,
      'sign µs/frame': signUs.toFixed(1),
      'verify µs/frame': verifyUs.toFixed(1),
      'verify core % @100 frames/s': `${(verifyUs / 100).toFixed(2)}%`,
      'verify core % @3x100 frames/s': `${((verifyUs * 3) / 100).toFixed(2)}%`,
    });
  }
  return rows;
}

printTable('Mesh: relay market-data egress, mesh vs direct (in-process simulation, 3 streams x 1000 flushes, 1% loss, 20% churn)', simRows(),
  'Targets: egress <= 10% of direct with 20 peers; duplicates <= 1.5x; no gap left. Latency is simulated (0.2–2 ms links), not measured.\n' +
  'Bytes ratio includes the signed-frame envelope (~80 B) per relay message and mesh control (assign, 500 ms have heartbeats). Direct = one\n' +
  '/ws frame per stream per flush, in the row\'s frame encoding. Per flush: all streams flush at one instant (as MarketDataService.flush does),\n' +
  'one FlushFrames message per flush on one mesh channel carries every stream; per stream: staggered flushes, one signed frame each.');
printTable('Mesh: frame signature cost (WebCrypto, this process, sequential awaits)', await cryptoRows(),
  'Per stream: one signature per relay flush per stream; per flush (FlushFrames): one per flush whatever the streams, so a peer holding 3 streams\n' +
  'verifies a third as often. Duplicates are dropped by seq before verification.\n' +
  'One-hop latency over real WebRTC (budget p99 <= 2 ms loopback): see mesh-werift.bench.ts (werift peers) and the 5-page Chromium test.');
