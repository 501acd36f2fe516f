import * as werift from 'werift';
import type { ServerSignal } from '../signalling/index';

/** What the answerer needs of the browser's OFFER payload (peerjs 1.x DataConnection). */
export interface PeerjsOffer {
  connectionId: string;
  sdp: string;
  label: string;
  reliable: boolean;
  serialization: string;
}

/**
 * Reads the payload of a PeerJS data-connection OFFER; undefined when it is not one (a media
 * call, a missing SDP, an id too long to be peerjs's own `dc_<random>`).
 */
export function readPeerjsOffer(payload: Record<string, unknown>): PeerjsOffer | undefined {
  const sdp = payload.sdp as { type?: unknown; sdp?: unknown } | undefined;
  const { connectionId, label, reliable, serialization } = payload;
  if (payload.type !== 'data' || typeof connectionId !== 'string' || connectionId.length === 0 || connectionId.length > 64) return undefined;
  if (typeof sdp !== 'object' || sdp === null || sdp.type !== 'offer' || typeof sdp.sdp !== 'string') return undefined;
  return { connectionId, sdp: sdp.sdp, label: typeof label === 'string' ? label : '', reliable: reliable === true, serialization: typeof serialization === 'string' ? serialization : '' };
}

export interface AnswererEvents {
  /** A signalling frame for the browser (ANSWER, CANDIDATE); `src` is stamped by the caller. */
  signal(frame: ServerSignal): void;
  /** The browser's data channel is open. */
  open(channel: werift.RTCDataChannel): void;
  /** Negotiation failed or the connection ended (once, whether it opened or not). */
  closed(): void;
}

/**
 * The relay's side of one PeerJS data connection, on werift: answers the browser's OFFER,
 * trickles candidates both ways, and hands over the channel the browser created (peerjs
 * creates it in-band on the offering side). No STUN or TURN: the relay is the server, its host
 * candidates are the addresses browsers reach it on; where UDP to it is blocked the browser
 * falls back to /ws.
 */
export class PeerjsAnswerer {
  private readonly pc: werift.RTCPeerConnection;
  /** Candidates that arrived before the remote description was set (werift needs it first). */
  private early: werift.RTCIceCandidateInit[] | undefined = [];
  private done = false;
  /** Our candidates gathered before the ANSWER went out. */
  private held: werift.RTCIceCandidate[] | undefined = [];

  constructor(
    readonly offer: PeerjsOffer,
    private readonly events: AnswererEvents,
  ) {
    // Explicitly none: werift would otherwise ask a public STUN server, telling a third party who trades here.
    this.pc = new werift.RTCPeerConnection({ iceServers: [] });
    this.pc.onIceCandidate.subscribe((c) => {
      if (!c?.candidate) return;
      // A browser refuses a candidate before it has the answer (werift gathers while it makes it).
      if (this.held) this.held.push(c);
      else this.sendCandidate(c);
    });
    this.pc.onDataChannel.subscribe((ch) => {
      if (ch.readyState === 'open') return this.events.open(ch);
      ch.stateChanged.subscribe((s) => s === 'open' && !this.done && this.events.open(ch));
    });
    this.pc.connectionStateChange.subscribe((s) => {
      if (s === 'failed' || s === 'closed') this.close();
    });
  }

  /** Sets the offer and sends the ANSWER. */
  async answer(): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: this.offer.sdp });
    for (const c of this.early ?? []) await this.pc.addIceCandidate(c);
    this.early = undefined;
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    if (this.done) return;
    const sdp = this.pc.localDescription?.sdp ?? answer.sdp;
    this.events.signal({ type: 'ANSWER', payload: { sdp: { type: 'answer', sdp }, type: 'data', connectionId: this.offer.connectionId } });
    // Those the answer carries already are not trickled: after its end-of-candidates Chromium refuses more.
    const held = this.held ?? [];
    this.held = undefined;
    for (const c of held) if (!sdp.includes(c.candidate)) this.sendCandidate(c);
  }

  private sendCandidate(c: werift.RTCIceCandidate): void {
    if (!this.done) this.events.signal({ type: 'CANDIDATE', payload: { candidate: c.toJSON(), type: 'data', connectionId: this.offer.connectionId } });
  }

  /** A CANDIDATE from the browser. */
  async candidate(init: unknown): Promise<void> {
    if (typeof init !== 'object' || init === null || typeof (init as { candidate?: unknown }).candidate !== 'string') return;
    const c = init as werift.RTCIceCandidateInit;
    if (this.early) this.early.push(c);
    else await this.pc.addIceCandidate(c);
  }

  /** Whether ICE/DTLS are up: the transport's own consent checks stand in for a WebSocket's pong. */
  get connected(): boolean {
    return this.pc.connectionState === 'connected';
  }

  /** The browser's address on the selected candidate pair, for logs. */
  get remoteAddress(): string | undefined {
    try {
      return this.pc.iceTransports[0]?.connection.nominated?.remoteCandidate.host;
    } catch {
      return undefined;
    }
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    void this.pc.close().catch(() => undefined);
    this.events.closed();
  }
}
