import { ErrorCode } from '../model/codes';
import { fail, ok, type Result } from '../model/result';
import { failFromError, malformed } from './decode-error';
import { uvarintSize, writeUvarint } from './wire-writer';
import { WireReader } from './wire-reader';

/**
 * Market-data frame signing for the mesh (proto/mesh.proto `SignedFrame`).
 *
 * The relay signs each frame once (one `ServerMessage { book_batch }`, i.e. one relay flush of
 * one stream, already a batch of every update in that flush) and emits a
 * `MeshMessage { frame: SignedFrame }` that peers forward byte for byte. The signature covers
 * the encoded bytes of SignedFrame fields 1..5 (stream id, epoch, seq, key id, frame) exactly as
 * they sit in the message, so verification needs no copy and no re-encoding, and a frame cannot
 * be relabelled with another stream, epoch or seq. Replays of genuine old frames are rejected by
 * the receiver's (stream, epoch, seq) window, not here.
 *
 * Why one signature per flush rather than per several flushes: signing K flushes together would
 * hold the first K-1 back (latency). Several streams of one flush may share a signature: the
 * frame is then a `FlushFrames` (flush-frames.ts) on a mesh channel naming those streams, and
 * every peer of that channel carries all of them; that halves the relay's mesh egress in the
 * 20-peer simulation (bench/mesh.bench.ts), where a 64-byte signature per ~50-byte frame was
 * most of it. Measured (bench/mesh.bench.ts, Node 20, WebCrypto): Ed25519 verify
 * ≈ 175 µs, ECDSA P-256 ≈ 160 µs per call; at one flush every 10 ms per active stream that is
 * ≈ 1.8% of a core per stream, and browsers' BoringSSL is faster. Duplicates are dropped by seq
 * before verification, so each frame is verified once per peer.
 *
 * Algorithm: Ed25519 where WebCrypto has it, else ECDSA P-256/SHA-256. Both signatures are 64
 * bytes; the raw public key's length tells them apart (32 vs 65 bytes).
 */

/** Signature algorithms a relay key may use. */
export type FrameSignatureAlgorithm = 'Ed25519' | 'ECDSA-P256';

/** Bytes of every frame signature (Ed25519, and P-256 in IEEE P1363 r||s form). */
export const FRAME_SIGNATURE_BYTES = 64;

/** What a signature binds besides the frame bytes. */
export interface SignedFrameHeader {
  streamId: number;
  epoch: number;
  seq: number;
  keyId: number;
}

/** A decoded SignedFrame: views into the received message, nothing copied. */
export interface SignedFrameView extends SignedFrameHeader {
  /** The exact ServerMessage bytes the relay encoded. */
  frame: Uint8Array;
  /** The bytes the signature covers (SignedFrame fields 1..5). */
  signed: Uint8Array;
  signature: Uint8Array;
}

/** Relay side: signs the covered bytes of a frame. */
export interface FrameSigner {
  readonly algorithm: FrameSignatureAlgorithm;
  readonly keyId: number;
  /** Raw public key (32 bytes Ed25519, 65 bytes uncompressed P-256) for Welcome.md_public_key. */
  readonly publicKey: Uint8Array;
  sign(signed: Uint8Array): Promise<Uint8Array>;
}

/**
 * Peer side. May answer synchronously (test verifiers in the in-process simulation) or with a
 * promise (WebCrypto). An unknown key id verifies false.
 */
export interface FrameVerifier {
  verify(keyId: number, signed: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

// MeshMessage.frame = 1 (length-delimited); SignedFrame fields 1..5 and 15.
const TAG_MESH_FRAME = 0x0a;
const TAG_STREAM = 0x08;
const TAG_EPOCH = 0x10;
const TAG_SEQ = 0x18;
const TAG_KEY = 0x20;
const TAG_FRAME = 0x2a;
const TAG_SIGNATURE = 0x7a;

/** A SignedFrame message laid out with its signature still blank; see `completeSignedFrame`. */
export interface PreparedSignedFrame {
  /** The whole `MeshMessage { frame }`, signature bytes zero until completed. */
  message: Uint8Array;
  /** View of the covered bytes inside `message`: pass it to the signer. */
  signed: Uint8Array;
}

/**
 * Lays out `MeshMessage { frame: SignedFrame }` in one buffer with room for the signature.
 * Throws RangeError on ids that are not unsigned safe integers (a relay bug).
 */
export function prepareSignedFrame(header: SignedFrameHeader, frame: Uint8Array): PreparedSignedFrame {
  const { streamId, epoch, seq, keyId } = header;
  checkU(streamId, 'streamId', 0xffffffff);
  checkU(epoch, 'epoch', Number.MAX_SAFE_INTEGER);
  checkU(seq, 'seq', Number.MAX_SAFE_INTEGER);
  checkU(keyId, 'keyId', 0xffffffff);
  const coveredLen = 1 + uvarintSize(streamId) + 1 + uvarintSize(epoch) + 1 + uvarintSize(seq)
    + 1 + uvarintSize(keyId) + 1 + uvarintSize(frame.length) + frame.length;
  const bodyLen = coveredLen + 2 + FRAME_SIGNATURE_BYTES;
  const message = new Uint8Array(1 + uvarintSize(bodyLen) + bodyLen);
  let p = 0;
  message[p++] = TAG_MESH_FRAME;
  p = writeUvarint(message, p, bodyLen);
  const start = p;
  message[p++] = TAG_STREAM; p = writeUvarint(message, p, streamId);
  message[p++] = TAG_EPOCH; p = writeUvarint(message, p, epoch);
  message[p++] = TAG_SEQ; p = writeUvarint(message, p, seq);
  message[p++] = TAG_KEY; p = writeUvarint(message, p, keyId);
  message[p++] = TAG_FRAME; p = writeUvarint(message, p, frame.length);
  message.set(frame, p);
  p += frame.length;
  const signed = message.subarray(start, p);
  message[p++] = TAG_SIGNATURE;
  message[p++] = FRAME_SIGNATURE_BYTES;
  return { message, signed };
}

/** Writes the signature into a prepared message and returns the message. */
export function completeSignedFrame(prepared: PreparedSignedFrame, signature: Uint8Array): Uint8Array {
  if (signature.length !== FRAME_SIGNATURE_BYTES) throw new RangeError(`signature of ${signature.length} bytes`);
  prepared.message.set(signature, prepared.message.length - FRAME_SIGNATURE_BYTES);
  return prepared.message;
}

/** Signs one frame: the bytes the relay sends to seed peers (and to peers on relay fallback). */
export async function signFrame(signer: FrameSigner, streamId: number, epoch: number, seq: number, frame: Uint8Array): Promise<Uint8Array> {
  const prepared = prepareSignedFrame({ streamId, epoch, seq, keyId: signer.keyId }, frame);
  return completeSignedFrame(prepared, await signer.sign(prepared.signed));
}

/**
 * Decodes a `MeshMessage { frame }` in canonical layout into views. Never throws: anything else
 * (another body, fields out of order or missing, trailing bytes, a 64-bit value beyond 2^53)
 * is CODEC_MALFORMED. Does not verify the signature.
 */
export function readSignedFrame(message: Uint8Array): Result<SignedFrameView> {
  try {
    const r = new WireReader(message, 0, message.length);
    if (r.tag() !== TAG_MESH_FRAME) return fail(ErrorCode.CODEC_MALFORMED, 'not a signed frame');
    const end = r.delimitedEnd();
    if (end !== message.length) throw malformed('bytes after the signed frame');
    r.end = end;
    const start = r.pos;
    const streamId = field(r, TAG_STREAM);
    const epoch = field(r, TAG_EPOCH);
    const seq = field(r, TAG_SEQ);
    const keyId = field(r, TAG_KEY);
    if (r.tag() !== TAG_FRAME) throw malformed('frame field expected');
    const frameEnd = r.delimitedEnd();
    const frame = message.subarray(r.pos, frameEnd);
    r.pos = frameEnd;
    const signed = message.subarray(start, frameEnd);
    if (r.tag() !== TAG_SIGNATURE) throw malformed('signature field expected');
    const sigEnd = r.delimitedEnd();
    if (sigEnd - r.pos !== FRAME_SIGNATURE_BYTES || sigEnd !== end) throw malformed('bad signature field');
    if (streamId > 0xffffffff || keyId > 0xffffffff || !Number.isSafeInteger(epoch) || !Number.isSafeInteger(seq)) {
      throw malformed('id out of range');
    }
    return ok({ streamId, epoch, seq, keyId, frame, signed, signature: message.subarray(r.pos, sigEnd) });
  } catch (e) {
    return failFromError(e);
  }
}

function field(r: WireReader, tag: number): number {
  if (r.tag() !== tag) throw malformed(`field tag ${tag} expected`);
  return r.uint64();
}

function checkU(v: number, name: string, max: number): void {
  if (!(Number.isSafeInteger(v) && v >= 0 && v <= max)) throw new RangeError(`${name}: ${v} out of range`);
}

// TS 5.9's DOM lib wants ArrayBuffer-backed views; ours may sit on any ArrayBufferLike.
type Bytes = Uint8Array<ArrayBuffer>;
const bytes = (u: Uint8Array): Bytes => u as Bytes;

const ED25519 = { name: 'Ed25519' } as const;
const P256_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const P256_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto (crypto.subtle) is not available');
  return s;
}

/** Options of `generateFrameSigner`. */
export interface FrameSignerOptions {
  /** Default 'Ed25519', falling back to 'ECDSA-P256' where the platform lacks Ed25519. */
  algorithm?: FrameSignatureAlgorithm;
  /** Default 1. */
  keyId?: number;
}

/** Generates a relay key pair and returns its signer. */
export async function generateFrameSigner(options: FrameSignerOptions = {}): Promise<FrameSigner> {
  const keyId = options.keyId ?? 1;
  if ((options.algorithm ?? 'Ed25519') === 'Ed25519') {
    try {
      const pair = (await subtle().generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair;
      return await frameSignerFromKeyPair(pair, 'Ed25519', keyId);
    } catch {
      // Platforms without WebCrypto Ed25519 (older Safari/Chromium) get P-256 below.
    }
  }
  const pair = (await subtle().generateKey(P256_KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
  return frameSignerFromKeyPair(pair, 'ECDSA-P256', keyId);
}

/** Wraps an existing WebCrypto key pair (e.g. imported from the relay's key file). */
export async function frameSignerFromKeyPair(pair: CryptoKeyPair, algorithm: FrameSignatureAlgorithm, keyId = 1): Promise<FrameSigner> {
  const publicKey = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  const params = algorithm === 'Ed25519' ? ED25519 : P256_SIGN;
  const key = pair.privateKey;
  return {
    algorithm,
    keyId,
    publicKey,
    async sign(signed: Uint8Array): Promise<Uint8Array> {
      return new Uint8Array(await subtle().sign(params, key, bytes(signed)));
    },
  };
}

/** One relay public key a verifier accepts. */
export interface FrameKey {
  keyId: number;
  /** Raw key: 32 bytes = Ed25519, 65 bytes = uncompressed P-256. */
  publicKey: Uint8Array;
}

/**
 * Imports relay public keys (several during a key rotation) into a WebCrypto verifier.
 * Rejects a key of any other length with RangeError.
 */
export async function createFrameVerifier(keys: readonly FrameKey[]): Promise<FrameVerifier> {
  const byId = new Map<number, { key: CryptoKey; params: AlgorithmIdentifier | EcdsaParams }>();
  for (const k of keys) {
    const algorithm = frameKeyAlgorithm(k.publicKey);
    const key = await subtle().importKey('raw', bytes(k.publicKey), algorithm === 'Ed25519' ? ED25519 : P256_KEY, false, ['verify']);
    byId.set(k.keyId, { key, params: algorithm === 'Ed25519' ? ED25519 : P256_SIGN });
  }
  return {
    verify(keyId: number, signed: Uint8Array, signature: Uint8Array): boolean | Promise<boolean> {
      const k = byId.get(keyId);
      if (!k) return false;
      // A malformed signature makes some engines reject instead of resolving false.
      return subtle().verify(k.params, k.key, bytes(signature), bytes(signed)).catch(() => false);
    },
  };
}

/** Algorithm of a raw public key, from its length. */
export function frameKeyAlgorithm(publicKey: Uint8Array): FrameSignatureAlgorithm {
  if (publicKey.length === 32) return 'Ed25519';
  if (publicKey.length === 65 && publicKey[0] === 4) return 'ECDSA-P256';
  throw new RangeError(`unsupported public key of ${publicKey.length} bytes`);
}
