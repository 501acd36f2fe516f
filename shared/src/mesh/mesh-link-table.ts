import { ErrorCode } from '../model/codes';
import { isChannelOpen, type MeshDataChannel } from './mesh-data-channel';
import { RELAY_PEER_ID, systemMeshClock, type MeshClock, type MeshLinkHandler, type MeshTransport } from './mesh-transport';

/** The link layer under a MeshLinkTable: signalling that opens and drops WebRTC links, and the relay link. */
export interface MeshLinkLayer<C extends MeshDataChannel> {
  /** Open a link to `peerId`; the answer is `MeshLinkTable.add` or `.connectFailed` (synchronously allowed). */
  dial(peerId: string): void;
  /** Drop whatever the layer holds for `peerId` (its channels are closed already). */
  hangUp(peerId: string): void;
  /** A link to `peerId` is being set up already (so no second dial); `channels` are those held now. */
  opening?(peerId: string, channels: readonly C[]): boolean;
  /** One mesh payload to the relay (ClientMessage.mesh on the /ws session). */
  sendRelay(bytes: Uint8Array): void;
  /** Every message from a neighbour, before the node sees it (counters). */
  peerMessage?(peerId: string, bytes: Uint8Array): void;
}

/** What the adapter calls when one channel's events fire. */
export interface MeshChannelEvents {
  open(): void;
  message(bytes: Uint8Array): void;
  drain(): void;
  /** closed, closing or error. */
  closed(): void;
}

/** Dial-to-open times kept (diagnostics). */
const SETUP_SAMPLES = 32;

/**
 * Link bookkeeping for a MeshNode: a MeshTransport over data channels, one or more per
 * neighbour (more than one when both sides dialled at once; the neighbour is open while any
 * is), plus the relay link (`RELAY_PEER_ID`). The node (`handler`) is told a neighbour opened
 * once per open spell and closed when its last open channel goes.
 */
export class MeshLinkTable<C extends MeshDataChannel = MeshDataChannel> implements MeshTransport {
  /** The node links report to; undefined between sessions (opens are replayed by `reopen`). */
  handler: MeshLinkHandler | undefined;
  bytesToPeers = 0;
  private readonly channels = new Map<string, C[]>();
  private readonly dialling = new Set<string>();
  /** Neighbours the handler was told are open (onOpen given, no onClose since). */
  private readonly opened = new Set<string>();
  /** When we dialled, per peer; and recent dial-to-open times (ms). */
  private readonly dialledAt = new Map<string, number>();
  private readonly setupMs: number[] = [];

  constructor(
    private readonly layer: MeshLinkLayer<C>,
    private readonly clock: Pick<MeshClock, 'now'> = systemMeshClock,
  ) {}

  /** A channel to `peerId` (open or about to open); `wire` subscribes its events to the ones given. */
  add(peerId: string, ch: C, wire: (events: MeshChannelEvents) => void): void {
    this.dialling.delete(peerId);
    const list = this.channels.get(peerId) ?? [];
    list.push(ch);
    this.channels.set(peerId, list);
    const open = () => this.linkOpen(peerId);
    wire({
      open,
      message: (bytes) => {
        this.layer.peerMessage?.(peerId, bytes);
        this.handler?.onMessage(peerId, bytes);
      },
      drain: () => this.handler?.onDrain(peerId),
      closed: () => this.remove(peerId, ch),
    });
    if (isChannelOpen(ch)) open();
  }

  /** The link layer could not open a link to `peerId`. */
  connectFailed(peerId: string): void {
    this.dialling.delete(peerId);
    if (this.isOpen(peerId)) return;
    this.opened.delete(peerId);
    this.handler?.onClose(peerId, ErrorCode.MESH_PEER_CLOSED);
  }

  /** A new handler: tell it of every neighbour open now (links that opened while there was none). */
  reopen(): void {
    this.opened.clear();
    for (const [id, list] of this.channels) if (list.some(isChannelOpen)) this.linkOpen(id);
  }

  disconnectAll(code: string): void {
    for (const id of [...this.channels.keys()]) this.disconnect(id, code);
  }

  /** Neighbours with an open channel. */
  neighbours(): string[] {
    return [...this.channels.entries()].filter(([, l]) => l.some(isChannelOpen)).map(([id]) => id);
  }

  /** Median of recent dial-to-open times, ms (undefined before the first). */
  medianSetupMs(): number | undefined {
    return this.setupMs.length === 0 ? undefined : [...this.setupMs].sort((a, b) => a - b)[this.setupMs.length >> 1];
  }

  // ---- MeshTransport ------------------------------------------------------------------------

  connect(peerId: string): void {
    if (peerId === RELAY_PEER_ID) return;
    if (this.isOpen(peerId)) {
      // Open already, but the node queued for it (it met the neighbour before the open): tell it again.
      this.opened.delete(peerId);
      queueMicrotask(() => {
        if (this.isOpen(peerId)) this.linkOpen(peerId);
      });
      return;
    }
    if (this.dialling.has(peerId)) return;
    if (this.layer.opening?.(peerId, this.channels.get(peerId) ?? [])) return;
    this.dialling.add(peerId);
    this.dialledAt.set(peerId, this.clock.now());
    this.layer.dial(peerId);
  }

  disconnect(peerId: string, _code: string): void {
    if (peerId === RELAY_PEER_ID) return;
    this.dialling.delete(peerId);
    const list = this.channels.get(peerId) ?? [];
    this.channels.delete(peerId);
    this.opened.delete(peerId);
    for (const ch of list) {
      try {
        ch.close();
      } catch {
        // already closed
      }
    }
    this.layer.hangUp(peerId);
  }

  send(peerId: string, bytes: Uint8Array): void {
    if (peerId === RELAY_PEER_ID) {
      this.layer.sendRelay(bytes);
      return;
    }
    const ch = this.openChannel(peerId);
    if (!ch) return;
    try {
      ch.send(bytes);
      this.bytesToPeers += bytes.length;
    } catch {
      // Closing under us: the mesh repairs the gap.
    }
  }

  bufferedAmount(peerId: string): number {
    return peerId === RELAY_PEER_ID ? 0 : this.openChannel(peerId)?.bufferedAmount ?? 0;
  }

  isOpen(peerId: string): boolean {
    return peerId === RELAY_PEER_ID || this.openChannel(peerId) !== undefined;
  }

  // ---- internals ----------------------------------------------------------------------------

  private openChannel(peerId: string): C | undefined {
    const list = this.channels.get(peerId);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (isChannelOpen(list[i]!)) return list[i];
    return undefined;
  }

  private remove(peerId: string, ch: C): void {
    const l = this.channels.get(peerId);
    if (!l) return;
    const i = l.indexOf(ch);
    if (i < 0) return;
    l.splice(i, 1);
    if (l.length === 0) this.channels.delete(peerId);
    if (!l.some(isChannelOpen)) this.linkClosed(peerId);
  }

  /** The neighbour's first open channel: the handler's link opens (once until it closes). */
  private linkOpen(peerId: string): void {
    if (this.opened.has(peerId) || !this.handler) return;
    this.opened.add(peerId);
    const t0 = this.dialledAt.get(peerId);
    if (t0 !== undefined) {
      this.dialledAt.delete(peerId);
      this.setupMs.push(this.clock.now() - t0);
      if (this.setupMs.length > SETUP_SAMPLES) this.setupMs.shift();
    }
    this.handler.onOpen(peerId);
  }

  private linkClosed(peerId: string): void {
    if (!this.opened.delete(peerId)) return;
    this.handler?.onClose(peerId, ErrorCode.MESH_PEER_CLOSED);
  }
}
