import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../model/codes';
import type { ClientMsg, ServerMsg } from '../model/messages';
import { decodeClient, decodeServer, encodeClient, encodeServer } from './proto-codec';
import { pb } from './proto-types';
import { WIRE_FEATURE_BOOK_DELTA, grantFeatures } from './wire-features';

describe('wire features (Hello.features / Welcome.features)', () => {
  const hello: ClientMsg = { type: 'hello', requestId: 1, clientName: 'web', protocolVersion: 1, token: '' };
  const welcome: ServerMsg = {
    type: 'welcome', requestId: 1, sessionId: 's', serverTimeUs: 1, heartbeatMs: 15_000, instruments: [],
    mdPublicKey: new Uint8Array(0), account: 'a', role: 'trader',
  };

  it('round-trip when named, and stay absent when not (an old peer decodes as before)', () => {
    const asked = { ...hello, features: [WIRE_FEATURE_BOOK_DELTA, 'future_thing'] };
    expect(decodeClient(encodeClient(asked))).toEqual({ ok: true, value: asked });
    expect(decodeClient(encodeClient(hello))).toEqual({ ok: true, value: hello });
    const granted = { ...welcome, features: [WIRE_FEATURE_BOOK_DELTA] };
    expect(decodeServer(encodeServer(granted))).toEqual({ ok: true, value: granted });
    const plain = decodeServer(encodeServer(welcome));
    expect(plain.ok && 'features' in plain.value).toBe(false);
  });

  it('a relay grants only what it supports, once each', () => {
    expect(grantFeatures(undefined)).toEqual([]);
    expect(grantFeatures(['x', WIRE_FEATURE_BOOK_DELTA, WIRE_FEATURE_BOOK_DELTA])).toEqual([WIRE_FEATURE_BOOK_DELTA]);
  });

  it('a Hello naming too many features is CODEC_INVALID_FIELD', () => {
    const bytes = pb.ClientMessage.encode({ hello: { features: Array.from({ length: 17 }, (_, i) => `f${i}`) } }).finish();
    const r = decodeClient(bytes);
    expect(r.ok ? 'ok' : r.reason.code).toBe(ErrorCode.CODEC_INVALID_FIELD);
  });
});
