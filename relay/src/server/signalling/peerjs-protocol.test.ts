import { ErrorCode } from '@tickmesh/shared';
import { describe, expect, it } from 'vitest';
import { parseClientSignal } from './peerjs-protocol';

function code(text: string): string | undefined {
  const r = parseClientSignal(text);
  return r.ok ? undefined : r.reason.code;
}

describe('parseClientSignal', () => {
  it('accepts the messages a peerjs client sends', () => {
    expect(parseClientSignal('{"type":"HEARTBEAT"}')).toEqual({ ok: true, value: { type: 'HEARTBEAT' } });
    const offer = parseClientSignal(JSON.stringify({ type: 'OFFER', dst: 'b', src: 'spoofed', payload: { sdp: {}, connectionId: 'dc_1' } }));
    expect(offer).toEqual({ ok: true, value: { type: 'OFFER', dst: 'b', payload: { sdp: {}, connectionId: 'dc_1' } } });
    expect(parseClientSignal('{"type":"LEAVE"}')).toEqual({ ok: true, value: { type: 'LEAVE', dst: undefined, payload: undefined } });
    expect(parseClientSignal('{"type":"LEAVE","dst":"b"}').ok).toBe(true);
  });

  it('refuses everything else with SIGNAL_MALFORMED', () => {
    for (const bad of [
      'not json',
      '[]',
      'null',
      '"OFFER"',
      '{}',
      '{"type":"OPEN"}',
      '{"type":"heartbeat"}',
      '{"type":"OFFER","payload":{}}',
      '{"type":"OFFER","dst":"","payload":{}}',
      '{"type":"ANSWER","dst":"b"}',
      '{"type":"CANDIDATE","dst":"b","payload":"x"}',
      '{"type":"CANDIDATE","dst":"b","payload":[]}',
      `{"type":"OFFER","dst":"${'b'.repeat(97)}","payload":{}}`,
      '{"type":"LEAVE","dst":5}',
    ]) {
      expect(code(bad), bad).toBe(ErrorCode.SIGNAL_MALFORMED);
    }
  });
});
