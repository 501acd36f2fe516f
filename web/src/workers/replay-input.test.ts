import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { TerminalEngine } from './terminal-engine';
import type { ReplayRequest } from './terminal-api';

// The worker API as the UI calls it (no relay and no IndexedDB needed: malformed input is refused first).
const engine = () => new TerminalEngine({ WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, fetch: globalThis.fetch }, { recording: false });

describe('recording and replay API: malformed input gets a stable code', () => {
  it.each<[string, ReplayRequest]>([
    ['NaN recording id', { recordingId: Number.NaN }],
    ['negative id', { recordingId: -3 }],
    ['fractional id', { recordingId: 1.5 }],
    ['stream ids not integers', { recordingId: 1, streamIds: ['x' as unknown as number] }],
    ['infinite from', { recordingId: 1, fromUs: Number.POSITIVE_INFINITY }],
    ['unknown speed', { recordingId: 1, speed: 7 as unknown as 1 }],
  ])('startReplay with %s -> CODEC_INVALID_FIELD', async (_what, request) => {
    expect(await engine().startReplay(request)).toMatchObject({ ok: false, code: 'CODEC_INVALID_FIELD' });
  });

  it('replay controls without an open replay -> REPLAY_NOT_ACTIVE', async () => {
    const e = engine();
    expect(await e.replayControl({ playing: true })).toMatchObject({ ok: false, code: 'REPLAY_NOT_ACTIVE' });
    expect(await e.replayControl({ seekUs: Number.NaN })).toMatchObject({ ok: false, code: 'REPLAY_NOT_ACTIVE' });
  });

  it('delete / export / retention refuse malformed values; hashes of a malformed id are empty', async () => {
    const e = engine();
    expect(await e.deleteRecording(Number.NaN)).toMatchObject({ ok: false, code: 'CODEC_INVALID_FIELD' });
    expect(await e.exportRecording(0)).toMatchObject({ ok: false, code: 'CODEC_INVALID_FIELD' });
    expect(await e.setRetention({ maxBytes: -1 })).toMatchObject({ ok: false, code: 'CODEC_INVALID_FIELD' });
    expect(await e.setRetention({ maxAgeMs: Number.NaN })).toMatchObject({ ok: false, code: 'CODEC_INVALID_FIELD' });
    expect(await e.recordedHashes(Number.NaN)).toEqual([]);
  });
});
