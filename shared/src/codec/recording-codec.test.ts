import { describe, expect, it } from 'vitest';
import { testInstrument } from '../model/instrument-fixtures';
import { StreamState } from '../model/market-data';
import { Side } from '../model/side';
import { encodeServer } from './proto-codec';
import { readRecording } from './recording-reader';
import { RECORDING_MAGIC, type RecordedFrame } from './recording-types';
import { concatChunks, encodeRecording, RecordingWriter } from './recording-writer';

const inst = testInstrument({ streamId: 3, makerFeeBpsX100: -100, takerFeeBpsX100: 500 });

function frames(n: number): RecordedFrame[] {
  const out: RecordedFrame[] = [];
  for (let i = 0; i < n; i++) {
    const frame = encodeServer({
      type: 'bookBatch', requestId: 0, streamId: 3, epoch: 1, seq: i + 1,
      bids: { price: [100 + i], size: [i + 1] }, asks: { price: [], size: [] },
      trades: i % 2 ? [{ tradeId: i, price: 100, size: 2, aggressor: Side.Buy, timeUs: 1_000 + i }] : [],
      checksum: 0, state: StreamState.Unspecified, timeUs: 1_700_000_000_000_000 + i,
    });
    out.push({ streamId: 3, receiveTimeUs: 1_700_000_000_000_000 + i * 1000, frame });
  }
  return out;
}

const header = { createdBy: 'test', createdTimeUs: 1_700_000_000_000_000, instruments: [inst] };

describe('recording format', () => {
  it('round-trips header and frames byte for byte', () => {
    const fs = frames(5);
    const r = readRecording(encodeRecording(header, fs));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.header).toEqual({ version: 1, ...header });
    expect(r.value.frames.map((f) => ({ ...f, frame: [...f.frame] }))).toEqual(fs.map((f) => ({ ...f, frame: [...f.frame] })));
  });

  it('starts with the magic TMREC1\\n; an empty recording is valid', () => {
    const bytes = encodeRecording(header, []);
    expect(new TextDecoder().decode(bytes.subarray(0, 7))).toBe('TMREC1\n');
    expect([...bytes.subarray(0, 7)]).toEqual([...RECORDING_MAGIC]);
    const r = readRecording(bytes);
    expect(r.ok && r.value.frames.length).toBe(0);
  });

  it('streaming writer chunks concatenate to the same file as encodeRecording', () => {
    const fs = frames(4);
    const w = new RecordingWriter(header);
    const chunks = [w.head, ...fs.map((f) => w.append(f))];
    expect(w.frames).toBe(4);
    expect(concatChunks(chunks)).toEqual(encodeRecording(header, fs));
  });

  it('refuses receive times that go backwards', () => {
    const w = new RecordingWriter(header);
    w.append({ streamId: 1, receiveTimeUs: 10, frame: new Uint8Array() });
    expect(() => w.append({ streamId: 1, receiveTimeUs: 9, frame: new Uint8Array() })).toThrow(RangeError);
  });
});

describe('recording damage', () => {
  const fs = frames(6);
  const good = encodeRecording(header, fs);
  const headLen = new RecordingWriter(header).head.length;
  const lastLen = encodeRecording(header, fs.slice(-1)).length - headLen;
  const lastStart = good.length - lastLen;

  it('bad magic: not a recording', () => {
    for (const bytes of [new TextEncoder().encode('{"json":true}'), new Uint8Array([0x54, 0x4d, 0x52, 0x45, 0x43, 0x41, 0x0a]), new Uint8Array([1])]) {
      const r = readRecording(bytes);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason.code).toBe('RECORDING_BAD_MAGIC');
        expect(r.reason.intactFrames).toBe(0);
        expect(r.partial).toBeUndefined();
      }
    }
  });

  it('unsupported version in the magic', () => {
    const bytes = good.slice();
    bytes[5] = 0x32; // "TMREC2\n"
    const r = readRecording(bytes);
    expect(!r.ok && r.reason.code).toBe('RECORDING_UNSUPPORTED_VERSION');
  });

  it('an empty file or one cut inside the magic or header is truncated, with no header', () => {
    for (let cut = 0; cut < headLen; cut++) {
      const r = readRecording(good.subarray(0, cut));
      expect(!r.ok && r.reason.code, `cut ${cut}`).toBe('RECORDING_TRUNCATED');
      if (!r.ok) expect(r.partial).toBeUndefined();
    }
  });

  it('truncated at every byte offset of the last record: every earlier frame intact', () => {
    for (let cut = lastStart + 1; cut < good.length; cut++) {
      const r = readRecording(good.subarray(0, cut));
      expect(r.ok, `cut ${cut}`).toBe(false);
      if (r.ok) continue;
      expect(r.reason.code).toBe('RECORDING_TRUNCATED');
      expect(r.reason.intactFrames).toBe(5);
      expect(r.reason.offset).toBe(lastStart);
      expect(r.partial?.frames).toHaveLength(5);
      expect(r.partial?.frames[4]?.frame).toEqual(fs[4]!.frame);
    }
    // Cut exactly at a record boundary is a shorter, valid file.
    const r = readRecording(good.subarray(0, lastStart));
    expect(r.ok && r.value.frames.length).toBe(5);
  });

  it('a flipped byte anywhere in a frame record is RECORDING_CORRUPT at that frame', () => {
    // Start offset of each frame record: the head, then each earlier record.
    const starts: number[] = [];
    let pos = headLen;
    for (const f of fs) {
      starts.push(pos);
      pos += encodeRecording(header, [f]).length - headLen;
    }
    for (let k = 0; k < fs.length; k++) {
      const end = k + 1 < fs.length ? starts[k + 1]! : good.length;
      // Skip the length varint (byte 0): a longer length can read as a cut file; see RECORDING-FORMAT.md.
      for (let at = starts[k]! + 1; at < end; at++) {
        const bad = good.slice();
        bad[at]! ^= 0x40;
        const r = readRecording(bad);
        expect(r.ok, `frame ${k} byte ${at}`).toBe(false);
        if (r.ok) continue;
        expect(r.reason.code).toBe('RECORDING_CORRUPT');
        expect(r.reason.intactFrames).toBe(k);
        expect(r.reason.offset).toBe(starts[k]);
        expect(r.partial?.frames).toHaveLength(k);
      }
    }
  });

  it('a damaged header is corrupt; a huge declared length is corrupt, not truncated', () => {
    const bad = good.slice();
    bad[headLen - 6]! ^= 0xff;
    const r = readRecording(bad);
    expect(!r.ok && r.reason.code).toBe('RECORDING_CORRUPT');
    if (!r.ok) expect(r.partial).toBeUndefined();
    const huge = concatChunks([good.subarray(0, headLen), new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0])]);
    const h = readRecording(huge);
    expect(!h.ok && h.reason.code).toBe('RECORDING_CORRUPT');
    if (!h.ok) expect(h.partial?.frames).toHaveLength(0);
  });
});
