import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as werift from 'werift';
import { WebSocket } from 'ws';
import { SignallingTestServer } from './signalling-test-kit';

// The genuine peerjs 1.5 browser client, run in Node on werift's WebRTC: if it opens a data
// channel through our server, the wire protocol is the one browsers speak. The globals stand in
// for the browser's (this file runs in its own worker). peerjs builds RTCSessionDescription from
// an init dict, werift's constructor takes (sdp, type): hence the adapter.
const g = globalThis as Record<string, unknown>;
g.window = globalThis;
g.WebSocket = WebSocket;
g.RTCPeerConnection = werift.RTCPeerConnection;
g.RTCIceCandidate = werift.RTCIceCandidate;
g.RTCSessionDescription = function RTCSessionDescription(init: { sdp: string; type: 'offer' | 'answer' }) {
  return new werift.RTCSessionDescription(init.sdp, init.type);
};
Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Mozilla/5.0 Chrome/120.0.0.0' }, configurable: true });

interface PeerLike {
  id: string;
  open: boolean;
  on(event: string, fn: (...args: never[]) => void): void;
  connect(id: string, options: object): ConnLike;
  destroy(): void;
}
interface ConnLike {
  on(event: string, fn: (...args: never[]) => void): void;
  send(data: unknown): void;
}

let server: SignallingTestServer;
let Peer: new (id: string, options: object) => PeerLike;

beforeAll(async () => {
  // The package's `main` is CommonJS without named exports Node can see; the ESM build has them.
  ({ Peer } = (await import('peerjs/dist/bundler.mjs' as string)) as { Peer: typeof Peer });
  server = await SignallingTestServer.start();
});
afterAll(() => server.stop());

describe('signalling with the peerjs client over real WebRTC (werift)', () => {
  it('opens a data channel between two accounts: OFFER, ANSWER and CANDIDATEs relayed', async () => {
    const port = Number(new URL(server.url).port);
    const peers: PeerLike[] = [];
    const open = async (account: string): Promise<PeerLike> => {
      const token = await server.token(account);
      // The browser mesh client's recipe: id from GET id with the bearer token, token in peerjs's `token` option.
      const id = await server.newId(token);
      const p = new Peer(id, { host: '127.0.0.1', port, path: '/peerjs', key: 'peerjs', token, secure: false, config: { iceServers: [] } });
      peers.push(p);
      if (!p.open) await new Promise<void>((resolve, reject) => (p.on('open', () => resolve()), p.on('error', reject)));
      return p;
    };
    try {
      const a = await open('alice');
      const b = await open('bob');
      const received = new Promise<unknown>((resolve) => b.on('connection', (c: ConnLike) => c.on('data', resolve)));
      const conn = a.connect(b.id, { serialization: 'json', reliable: true });
      conn.on('open', () => conn.send({ hello: 'mesh', seq: 1 }));
      expect(await received).toEqual({ hello: 'mesh', seq: 1 });
      const { relayed, codes } = server.signalling.stats();
      expect(relayed.OFFER).toBe(1);
      expect(relayed.ANSWER).toBe(1);
      expect(relayed.CANDIDATE).toBeGreaterThan(0);
      expect(codes).toEqual({});
    } finally {
      for (const p of peers) p.destroy();
    }
  });
});
