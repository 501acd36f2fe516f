/**
 * The genuine peerjs 1.5 browser client in Node on werift's WebRTC, as in
 * relay/src/server/signalling/signalling-webrtc.test.ts: browser globals stand in, and
 * peerjs builds RTCSessionDescription from an init dict while werift's constructor takes
 * (sdp, type), hence the adapter.
 */
import * as werift from 'werift';
import { WebSocket } from 'ws';

/** The parts of peerjs's DataConnection the load tool uses. */
export interface ConnLike {
  readonly peer: string;
  readonly peerConnection: werift.RTCPeerConnection;
  on(event: 'open' | 'close', fn: () => void): void;
  on(event: 'error', fn: (e: Error) => void): void;
  close(): void;
}

/** The parts of peerjs's Peer the load tool uses. */
export interface PeerLike {
  readonly id: string;
  readonly open: boolean;
  readonly destroyed: boolean;
  on(event: 'open', fn: (id: string) => void): void;
  on(event: 'connection', fn: (c: ConnLike) => void): void;
  on(event: 'error' | 'disconnected' | 'close', fn: (e?: Error) => void): void;
  connect(id: string, options: object): ConnLike;
  destroy(): void;
}

export type PeerCtor = new (id: string, options: object) => PeerLike;

let loaded: Promise<PeerCtor> | undefined;

/** Installs the browser globals (once) and loads peerjs's ESM build. */
export function loadPeerJs(): Promise<PeerCtor> {
  if (loaded) return loaded;
  const g = globalThis as Record<string, unknown>;
  g.window ??= globalThis;
  g.WebSocket ??= WebSocket;
  g.RTCPeerConnection = werift.RTCPeerConnection;
  g.RTCIceCandidate = werift.RTCIceCandidate;
  g.RTCSessionDescription = function RTCSessionDescription(init: { sdp: string; type: 'offer' | 'answer' }) {
    return new werift.RTCSessionDescription(init.sdp, init.type);
  };
  if (!(globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent?.includes('Chrome')) {
    Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Mozilla/5.0 Chrome/120.0.0.0' }, configurable: true });
  }
  // The package's `main` is CommonJS without named exports Node can see; the ESM build has them.
  loaded = (import('peerjs/dist/bundler.mjs' as string) as Promise<{ Peer: PeerCtor }>).then((m) => m.Peer);
  return loaded;
}
