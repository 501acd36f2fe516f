import { Side, decodeServer, encodeBookBatch } from '@tickmesh/shared';
import { testInstrument } from '../../../shared/src/model/instrument-fixtures';
import { describe, expect, it } from 'vitest';
import { EncodedFrame } from './encoded-frame';
import { MdStream } from './md-stream';

describe('EncodedFrame', () => {
  it('ofProto sends the bytes it was given (an edge forwarding md): the very memory, not an encoding of its own', () => {
    const stream = new MdStream(3, testInstrument({ symbol: 'BTC-USD', venue: 'sim-a', streamId: 3 }), 1000, 10);
    stream.level(Side.Buy, 100, 5);
    stream.level(Side.Sell, 101, 7);
    const batch = stream.takeBatch(42);
    // As they come off NATS: somewhere inside a larger received chunk.
    const chunk = new Uint8Array(1024);
    const encoded = encodeBookBatch(batch);
    chunk.set(encoded, 100);
    const bytes = chunk.subarray(100, 100 + encoded.length);
    const decoded = decodeServer(bytes);
    if (!decoded.ok || decoded.value.type !== 'bookBatch') throw new Error('not a batch');
    const frame = EncodedFrame.ofProto({ id: 3, instrument: stream.instrument }, 'batch', decoded.value, bytes);
    const payload = frame.proto.payload as Buffer;
    expect(payload.buffer).toBe(chunk.buffer);
    expect(payload.byteOffset).toBe(100);
    expect(payload.equals(Buffer.from(encoded))).toBe(true);
    expect(frame.seq).toBe(batch.seq);
    // The legacy JSON of a forwarded frame comes from its decoding, as on the md node.
    const local = new EncodedFrame(stream, 'batch', batch);
    expect(frame.legacyBook?.payload).toEqual(local.legacyBook?.payload);
  });

  it('compact: a batch as one BookDelta frame decoding to the same batch; snapshots and forwarded frames stay as they are', () => {
    const stream = new MdStream(3, testInstrument({ symbol: 'BTC-USD', venue: 'sim-a', streamId: 3 }), 1000, 10);
    stream.level(Side.Buy, 5_000_000, 5);
    stream.level(Side.Buy, 4_999_999, 9);
    stream.level(Side.Sell, 5_000_001, 7);
    stream.trade(1, 5_000_001, 2, Side.Buy, 41);
    const frame = new EncodedFrame(stream, 'batch', stream.takeBatch(42));
    const compact = frame.compact.payload as Buffer;
    expect(compact.length).toBeLessThan((frame.proto.payload as Buffer).length);
    expect(frame.compact).toBe(frame.compact);
    expect(decodeServer(compact)).toEqual(decodeServer(frame.proto.payload as Buffer));
    const snapshot = new EncodedFrame(stream, 'snapshot', stream.snapshot(43));
    expect(snapshot.compact).toBe(snapshot.proto);
    const forwarded = EncodedFrame.ofProto(stream, 'batch', frame.data, frame.proto.payload as Buffer);
    expect(forwarded.compact).toBe(forwarded.proto);
  });
});
