import { describe, expect, it } from 'vitest';
import { iceServersFor, isIceUrl } from './ice-servers';

const base = { stunUrls: [], turnUrls: [], turnSecret: '', turnTtlSec: 3600 };

describe('ICE servers for the mesh', () => {
  it('are none by default: peers use host candidates only', () => {
    expect(iceServersFor('demo', base, 0).iceServers).toEqual([]);
  });

  it('mint TURN REST API credentials: expiry:account, base64 HMAC-SHA1 (vector from openssl)', () => {
    const o = { ...base, stunUrls: ['stun:stun.example.org:3478'], turnUrls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'], turnSecret: 's3cret', turnTtlSec: 100_000 };
    const r = iceServersFor('demo', o, 1_764_000_000_500);
    expect(r.ttlSec).toBe(100_000);
    expect(r.iceServers).toEqual([
      { urls: ['stun:stun.example.org:3478'] },
      // printf '1764100000:demo' | openssl dgst -sha1 -hmac s3cret -binary | base64
      { urls: o.turnUrls, username: '1764100000:demo', credential: '+PrzI3Hw9YdtlpuHcNvMRNuFw4w=' },
    ]);
  });

  it('never list TURN without credentials (browsers refuse the whole configuration)', () => {
    expect(iceServersFor('demo', { ...base, turnUrls: ['turn:t.example:3478'] }, 0).iceServers).toEqual([]);
  });

  it('accept only URLs browsers accept: stun(s) host[:port], turn(s) host[:port][?transport=udp|tcp]', () => {
    expect(['stun:a:3478', 'stuns:a', 'stun:[2001:db8::1]:3478', 'turn:a:3478?transport=tcp', 'turns:a.example.org:5349', 'turn:10.0.0.1'].every(isIceUrl)).toBe(true);
    expect(['http://a', 'a:3478', 'turn:', 'stun: a', '', 'stun:a?transport=udp', 'turn:a?transport=sctp', 'turn:a:3478?x=1', 'turn:user@a'].some(isIceUrl)).toBe(false);
  });
});
