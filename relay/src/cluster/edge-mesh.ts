import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { ErrorCode, encodeMeshControl } from '@tickmesh/shared';
import type { Logger } from 'pino';
import type { MeshLink, MeshPort } from '../md/mesh-link';
import { meshWireFrame } from '../md/session-mesh-transport';
import { WireFrame } from '../md/wire-frame';
import type { MeshHubInfo } from './mesh-hub';
import type { PeerDirectory } from './peer-directory';
import { decodeMeshDown, type MeshUp } from './mesh-wire-ops';
import { MESH_HUB_SUBJECT, meshDownSubject, meshUpSubject } from './subjects';

/** How often an edge without a hub asks again. */
const HUB_RETRY_MS = 2000;
/**
 * How often an edge looks whether a mesh session went over its send-queue limit or back under
 * it, and tells the hub. A session's queue fills and drains without the session saying anything,
 * so its mesh messages alone would leave the hub with a figure long gone.
 */
export const QUEUE_REPORT_MS = 100;

/**
 * An edge's mesh (the session's MeshPort): its sessions' mesh messages go to the cluster's mesh
 * hub (mesh-hub.ts), and what the hub's coordinator does to them comes back and is applied to
 * the session: signed frames written as they came, mesh delivery switched on or off per stream,
 * refusals. The Welcome carries the hub's key, so frames verify alike on every edge.
 *
 * Without a hub (none answered yet, NATS down, the hub went silent) a hello is refused with
 * MESH_NO_HUB and the session stays on direct delivery; sessions in the mesh when the hub is
 * lost get goodbye MESH_PEER_CLOSED and direct delivery again (a fresh snapshot, no gap).
 */
export class EdgeMesh implements MeshPort {
  private hub: { node: string; key: Uint8Array } | undefined;
  private readonly links = new Map<number, MeshLink>();
  private readonly numbers = new Map<MeshLink, number>();
  /** Link numbers the hub was last told are over their queue limit. */
  private readonly full = new Set<number>();
  private nextLink = 1;
  private sub: Subscription | undefined;
  private retry: NodeJS.Timeout | undefined;
  private queueReports: NodeJS.Timeout | undefined;
  private asking = false;
  private stopped = false;

  constructor(
    private readonly nc: NatsConnection,
    /** This edge's node id (the directory's): the hub sends to `tickmesh.mesh.down.<node>`. */
    private readonly node: string,
    private readonly log: Logger,
    /** The sessions' queue limit (`queueLimitBytes`): above it a session drops signed frames itself. */
    private readonly queueLimitBytes: number,
  ) {}

  get publicKey(): Uint8Array {
    return this.hub?.key ?? new Uint8Array(0);
  }

  /** The hub's node id, once one answered. */
  get hubNode(): string | undefined {
    return this.hub?.node;
  }

  /** The cluster's peers as this edge hears them (set by start). */
  directory: PeerDirectory | undefined;

  start(directory: PeerDirectory): void {
    this.directory = directory;
    this.sub = this.nc.subscribe(meshDownSubject(this.node), { callback: (_err, m) => this.down(m.data) });
    directory.onNodeGone((node) => node === this.hub?.node && this.lost('the mesh hub went silent'));
    this.retry = setInterval(() => this.hub === undefined && void this.findHub(), HUB_RETRY_MS);
    this.retry.unref();
    this.queueReports = setInterval(() => this.reportQueues(), QUEUE_REPORT_MS);
    this.queueReports.unref();
    void this.findHub();
  }

  /** Resolves once a hub answered (tests; start() asks by itself). */
  async ready(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.hub) {
      if (Date.now() > until) throw new Error('no mesh hub answered');
      await this.findHub();
      if (!this.hub) await new Promise((r) => setTimeout(r, 50));
    }
  }

  onNatsStatus(status: 'disconnect' | 'reconnect'): void {
    if (status === 'disconnect') this.lost('NATS is down');
    else void this.findHub();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.retry);
    clearInterval(this.queueReports);
    this.sub?.unsubscribe();
  }

  receive(link: MeshLink, requestId: number, bytes: Uint8Array): void {
    const hub = this.hub;
    if (!hub) return link.refuseMesh(requestId, ErrorCode.MESH_NO_HUB, 'this edge reaches no mesh hub right now; market data stays direct');
    let n = this.numbers.get(link);
    if (n === undefined) {
      n = this.nextLink++;
      this.numbers.set(link, n);
      this.links.set(n, link);
    }
    const full = this.isFull(link, n);
    this.up(hub.node, { edge: this.node, link: n, account: link.account, requestId, payload: Buffer.from(bytes).toString('base64'), queued: link.queuedBytes, full });
  }

  linkClosed(link: MeshLink): void {
    const n = this.numbers.get(link);
    if (n === undefined) return;
    this.numbers.delete(link);
    this.links.delete(n);
    this.full.delete(n);
    if (this.hub) this.up(this.hub.node, { edge: this.node, link: n, account: link.account, requestId: 0, queued: 0, closed: true });
  }

  /** Whether the session is over its limit now; remembered as what the hub was told. */
  private isFull(link: MeshLink, n: number): boolean {
    const full = link.queuedBytes > this.queueLimitBytes;
    if (full) this.full.add(n);
    else this.full.delete(n);
    return full;
  }

  /** A queue report (an up message without payload) for every session that crossed its limit either way. */
  private reportQueues(): void {
    const hub = this.hub;
    if (!hub) return;
    for (const [n, link] of this.links) {
      const was = this.full.has(n);
      const full = this.isFull(link, n);
      if (full !== was) this.up(hub.node, { edge: this.node, link: n, account: link.account, requestId: 0, queued: link.queuedBytes, full });
    }
  }

  private up(hub: string, msg: MeshUp): void {
    if (!this.nc.isClosed()) this.nc.publish(meshUpSubject(hub), JSON.stringify(msg));
  }

  private async findHub(): Promise<void> {
    if (this.asking || this.stopped || this.nc.isClosed()) return;
    this.asking = true;
    try {
      const r = await this.nc.request(MESH_HUB_SUBJECT, '', { timeout: 1000 });
      const info = JSON.parse(new TextDecoder().decode(r.data)) as MeshHubInfo;
      if (typeof info.hub === 'string' && typeof info.publicKey === 'string' && info.hub !== this.hub?.node) {
        if (this.hub) this.lost('another mesh hub answered');
        this.hub = { node: info.hub, key: new Uint8Array(Buffer.from(info.publicKey, 'base64')) };
        this.log.info({ hub: info.hub }, 'edge mesh: hub found');
      }
    } catch {
      // No hub yet (no md node, or NATS down): asked again every HUB_RETRY_MS.
    } finally {
      this.asking = false;
    }
  }

  private down(data: Uint8Array): void {
    const m = decodeMeshDown(data);
    const link = m && this.links.get(m.link);
    if (!m || !link) return;
    switch (m.op) {
      case 'send':
        return link.sendMesh(new WireFrame(m.frame, true), m.droppable);
      case 'via':
        return link.setViaMesh(m.streamId, m.on);
      case 'clear':
        return link.clearMesh();
      case 'refuse':
        return link.refuseMesh(m.requestId, m.code, m.message);
    }
  }

  /** Every mesh session of this edge leaves the mesh: told so, and fed direct again. */
  private lost(why: string): void {
    if (!this.hub) return;
    this.hub = undefined;
    if (this.links.size > 0) this.log.warn({ why, links: this.links.size }, 'edge mesh: hub lost, mesh sessions back to direct delivery');
    const goodbye = meshWireFrame(encodeMeshControl({ type: 'goodbye', code: ErrorCode.MESH_PEER_CLOSED }));
    for (const link of this.links.values()) {
      link.sendMesh(goodbye, false);
      link.clearMesh();
    }
    this.links.clear();
    this.numbers.clear();
    this.full.clear();
  }
}
