import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { RelayedSignal, RemotePeers, Signalling } from '../server/signalling/index';
import type { PeerDirectory } from './peer-directory';
import { signalSubject } from './subjects';

/** One signal between relays: from a peer of `fromNode` (its id stamped by that relay's signalling) to `signal.dst`. */
interface BridgedSignal {
  fromNode: string;
  from: string;
  signal: RelayedSignal;
}

/**
 * PeerJS signalling across the relays of a cluster, so two browsers on different edges can be
 * WebRTC neighbours: a signal to an id this relay's signalling does not hold goes to
 * `tickmesh.signal.<node>` of the node the directory says holds it, and that node's signalling
 * delivers it as if the sender were its own peer. The sender's relay has authenticated it and
 * stamped its id; nodes trust each other (NATS credentials keep others off the subjects).
 * A signal that finds no peer there is answered with EXPIRE, as a single relay does.
 */
export class SignalBridge implements RemotePeers {
  private sub: Subscription | undefined;
  forwarded = 0;
  delivered = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly directory: PeerDirectory,
    private readonly signalling: Signalling,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.signalling.attachRemote(this);
    this.directory.onGone((id) => this.signalling.remotePeerGone(id));
    this.sub = this.nc.subscribe(signalSubject(this.directory.node), { callback: (_err, m) => this.receive(m.data) });
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  forward(from: { id: string }, signal: RelayedSignal): boolean {
    const node = this.directory.nodeOf(signal.dst);
    if (node === undefined || this.nc.isClosed()) return false;
    this.send(node, { fromNode: this.directory.node, from: from.id, signal });
    this.forwarded++;
    return true;
  }

  private send(node: string, msg: BridgedSignal): void {
    this.nc.publish(signalSubject(node), JSON.stringify(msg));
  }

  private receive(data: Uint8Array): void {
    let msg: BridgedSignal;
    try {
      msg = JSON.parse(new TextDecoder().decode(data)) as BridgedSignal;
    } catch {
      return;
    }
    const s = msg?.signal;
    if (typeof msg?.fromNode !== 'string' || typeof msg.from !== 'string' || typeof s?.dst !== 'string' || typeof s.type !== 'string') return;
    if (!['OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE', 'EXPIRE'].includes(s.type)) return;
    if (this.signalling.deliverRemote({ id: msg.from }, s)) {
      this.delivered++;
      return;
    }
    // The peer left between the directory's word and this signal: the sender hears EXPIRE.
    if (s.type === 'OFFER' || s.type === 'ANSWER' || s.type === 'CANDIDATE') {
      this.log.debug({ dst: s.dst, from: msg.from }, 'cluster signal to a peer no longer here');
      this.send(msg.fromNode, { fromNode: this.directory.node, from: s.dst, signal: { type: 'EXPIRE', dst: msg.from, payload: undefined } });
    }
  }
}
