import type { IncomingMessage } from 'node:http';
import { ErrorCode, ORDER_CHANNEL_CONNECT_OPTIONS, RELAY_ORDER_PEER_ID, encodeServer } from '@tickmesh/shared';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { AuthService, Principal } from '../auth/index';
import type { LocalPeer, Signalling } from '../signalling/index';
import { ChannelSocket } from './channel-socket';
import { OrderChannelGuard } from './order-channel-guard';
import { PeerjsAnswerer, readPeerjsOffer } from './peerjs-answerer';

/** Limits of the order peer, each with a safe default. */
export interface OrderPeerOptions {
  /** Open or negotiating channels in all. Default 2000. */
  maxChannels: number;
  /** Open or negotiating channels per account (tabs, reconnects). Default 8. */
  maxChannelsPerAccount: number;
  /** A connection not open by then is dropped. Default 15 000 ms. */
  negotiationTimeoutMs: number;
  /** Frames over this go to the session unchecked, which closes with CODEC_PAYLOAD_TOO_LARGE (the relay's --max-payload). Default 64 KiB. */
  maxPayloadBytes: number;
}

export const defaultOrderPeerOptions: OrderPeerOptions = { maxChannels: 2000, maxChannelsPerAccount: 8, negotiationTimeoutMs: 15_000, maxPayloadBytes: 64 << 10 };

/** Hands an open, admitted channel to the relay, which makes it a Session like a /ws socket. */
export type AcceptChannel = (ws: WebSocket, principal: Principal, req: IncomingMessage) => void;

interface Held {
  account: string;
  answerer: PeerjsAnswerer;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The relay as a peer on its own signalling server, under RELAY_ORDER_PEER_ID: answers the
 * PeerJS data connections of signed-in browsers (werift) and turns each open channel into a
 * session of the account its peer id signed in with. Orders and reports then travel on the
 * channel, the browser and the relay being its only two ends: signalling relays the
 * handshake, no other peer is ever on the path.
 *
 * A channel that cannot be admitted (limits, options other than ORDER_CHANNEL_CONNECT_OPTIONS)
 * opens, gets one Error ServerMessage with the code and is closed: a data channel has no
 * close code, and a peerjs client treats any signalling ERROR as fatal.
 */
export class RelayOrderPeer implements LocalPeer {
  private readonly held = new Map<string, Held>();
  private readonly perAccount = new Map<string, number>();
  private readonly detach: () => void;
  private readonly o: OrderPeerOptions;
  private closed = false;

  constructor(
    private readonly signalling: Signalling,
    private readonly auth: Pick<AuthService, 'account'>,
    options: Partial<OrderPeerOptions>,
    private readonly log: Logger,
    private readonly accept: AcceptChannel,
  ) {
    this.o = { ...defaultOrderPeerOptions, ...options };
    this.detach = signalling.attachLocal(RELAY_ORDER_PEER_ID, this);
  }

  /** Channels open or negotiating. */
  get channelCount(): number {
    return this.held.size;
  }

  receive(from: { id: string; principal: Principal }, signal: Parameters<LocalPeer['receive']>[1]): void {
    if (this.closed) return;
    const payload = (signal.payload ?? {}) as Record<string, unknown>;
    const key = `${from.id} ${String(payload.connectionId)}`;
    switch (signal.type) {
      case 'OFFER':
        return this.offer(from, key, payload);
      case 'CANDIDATE': {
        const h = this.held.get(key);
        if (h) void h.answerer.candidate(payload.candidate).catch((err: unknown) => this.log.debug({ err }, 'order channel: bad candidate'));
        return;
      }
      default:
        // LEAVE / EXPIRE: the browser left signalling; an open channel lives on (or dies by ICE), a negotiation cannot complete.
        for (const [k, h] of this.held) if (k.startsWith(`${from.id} `) && h.timer !== undefined) h.answerer.close();
    }
  }

  private offer(from: { id: string; principal: Principal }, key: string, payload: Record<string, unknown>): void {
    const offer = readPeerjsOffer(payload);
    if (!offer || this.held.has(key)) return;
    const account = from.principal.account;
    const refusal = this.refusal(account, offer);
    const answerer = new PeerjsAnswerer(offer, {
      signal: (frame) => this.signalling.send(from.id, { ...frame, src: RELAY_ORDER_PEER_ID, dst: from.id }),
      open: (channel) => {
        clearTimeout(held.timer);
        held.timer = undefined;
        if (refusal) return this.refuse(answerer, channel, refusal.code, refusal.message);
        const guard = new OrderChannelGuard(account, () => this.signalling.principalOf(from.id), from.principal, this.o.maxPayloadBytes, (a) => this.auth.account(a)?.role);
        const socket = new ChannelSocket(
          channel,
          () => answerer.connected,
          (data, isBinary) => {
            const r = guard.check(data, isBinary);
            if (r) socket.send(encoded({ type: 'error', ...r }));
            return r === undefined;
          },
          () => answerer.close(),
        );
        this.log.info({ account, peer: from.id }, 'order channel open');
        this.accept(socket.asWebSocket(), guard.principal, channelRequest(answerer.remoteAddress));
      },
      closed: () => this.release(key, held),
    });
    const held: Held = { account, answerer, timer: setTimeout(() => answerer.close(), this.o.negotiationTimeoutMs).unref() };
    this.held.set(key, held);
    this.perAccount.set(account, (this.perAccount.get(account) ?? 0) + 1);
    answerer.answer().catch((err: unknown) => {
      this.log.debug({ err, peer: from.id }, 'order channel: negotiation failed');
      answerer.close();
    });
  }

  private refusal(account: string, offer: { serialization: string; reliable: boolean }): { code: string; message: string } | undefined {
    if (offer.serialization !== ORDER_CHANNEL_CONNECT_OPTIONS.serialization || !offer.reliable) {
      return { code: ErrorCode.CODEC_INVALID_FIELD, message: 'order channels are serialization "raw", reliable' };
    }
    // Counted before this offer is added: a refused channel still holds a slot until it is closed.
    if (this.held.size >= this.o.maxChannels) return { code: ErrorCode.SIGNAL_TOO_MANY_CONNECTIONS, message: 'the relay is at its order-channel limit' };
    if ((this.perAccount.get(account) ?? 0) >= this.o.maxChannelsPerAccount) return { code: ErrorCode.SIGNAL_TOO_MANY_CONNECTIONS, message: `at most ${this.o.maxChannelsPerAccount} order channels per account` };
    return undefined;
  }

  private refuse(answerer: PeerjsAnswerer, channel: { send(b: Buffer): void; bufferedAmount: number }, code: string, message: string): void {
    this.log.info({ code }, 'order channel refused');
    channel.send(encoded({ type: 'error', requestId: 0, code, message }));
    const started = Date.now();
    const wait = (): void => {
      if (channel.bufferedAmount > 0 && Date.now() - started < 2000) return void setTimeout(wait, 10).unref();
      answerer.close();
    };
    wait();
  }

  private release(key: string, held: Held): void {
    clearTimeout(held.timer);
    if (this.held.get(key) !== held) return;
    this.held.delete(key);
    const n = (this.perAccount.get(held.account) ?? 1) - 1;
    if (n > 0) this.perAccount.set(held.account, n);
    else this.perAccount.delete(held.account);
  }

  /** Leaves signalling and closes every channel (their sessions see the close). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.detach();
    for (const h of [...this.held.values()]) h.answerer.close();
  }
}

function encoded(msg: Parameters<typeof encodeServer>[0]): Buffer {
  const b = encodeServer(msg);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** The relay's accept() logs the client's address from a request; a channel has only its ICE pair's. */
function channelRequest(remoteAddress: string | undefined): IncomingMessage {
  return { headers: {}, socket: { remoteAddress } } as unknown as IncomingMessage;
}
