import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { MeshDistribution } from '../md/mesh-distribution';
import type { MeshLink } from '../md/mesh-link';
import type { WireFrame } from '../md/wire-frame';
import type { PeerDirectory } from './peer-directory';
import { MeshDownOp, encodeMeshDown, viaBody, type MeshUp } from './mesh-wire-ops';
import { MESH_HUB_SUBJECT, meshDownSubject, meshUpSubject } from './subjects';

/** Queue group of the hubs: an edge asks once and talks to the one that answered. */
export const MESH_HUB_QUEUE = 'tickmesh-mesh-hub';

/** What the hub answers an edge: its node id (the up subject ends with it) and its market-data public key. */
export interface MeshHubInfo {
  hub: string;
  /** Base64 of the raw public key edges put in their Welcome. */
  publicKey: string;
}

const noBody = new Uint8Array(0);

/** One edge session acting as a mesh peer, as the hub's MeshDistribution drives it: every call becomes a down message. */
class RemoteMeshLink implements MeshLink {
  queuedBytes = 0;
  /**
   * The edge said the session is over its queue limit: it would drop signed frames, so they are
   * not sent across NATS at all until the edge says it drained (the mesh repairs the gap, as
   * when the session drops them). Control messages always go.
   */
  full = false;

  constructor(
    readonly account: string,
    private readonly send: (bytes: Buffer) => void,
    private readonly link: number,
    private readonly onHeldBack: () => void,
  ) {}

  sendMesh(frame: WireFrame, droppable: boolean): void {
    if (droppable && this.full) return this.onHeldBack();
    const payload = typeof frame.payload === 'string' ? Buffer.from(frame.payload) : frame.payload;
    this.send(encodeMeshDown(MeshDownOp.Send, this.link, payload, droppable ? 1 : 0));
  }

  setViaMesh(streamId: number, viaMesh: boolean): void {
    this.send(encodeMeshDown(MeshDownOp.Via, this.link, viaBody(streamId, viaMesh)));
  }

  clearMesh(): void {
    this.send(encodeMeshDown(MeshDownOp.Clear, this.link, noBody));
  }

  refuseMesh(requestId: number, code: string, message: string): void {
    this.send(encodeMeshDown(MeshDownOp.Refuse, this.link, Buffer.from(JSON.stringify({ requestId, code, message }))));
  }
}

/**
 * The cluster's market-data mesh, on the node that runs market data (md, or an oms node with
 * the simulator): its MeshDistribution (one coordinator, one signature per batch for the whole
 * cluster) takes the edges' sessions as links beside its own. So browsers on any edge, and on
 * this node, are placed in the same trees and become neighbours; PeerJS signalling between them
 * crosses relays through signal-bridge.ts.
 *
 * An edge's links end when it says a session closed, or when the directory stops hearing the
 * edge (killed, cut from NATS): the coordinator re-parents their children as for any peer gone.
 */
export class MeshHub {
  private readonly edges = new Map<string, Map<number, RemoteMeshLink>>();
  private readonly subs: Subscription[] = [];
  upMessages = 0;
  downMessages = 0;
  /** Signed frames not sent to an edge because the session was over its queue limit. */
  framesHeldBack = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly directory: PeerDirectory,
    private readonly mesh: MeshDistribution,
    private readonly log: Logger,
  ) {}

  get links(): number {
    let n = 0;
    for (const l of this.edges.values()) n += l.size;
    return n;
  }

  start(): void {
    const info: MeshHubInfo = { hub: this.directory.node, publicKey: Buffer.from(this.mesh.publicKey).toString('base64') };
    const reply = JSON.stringify(info);
    this.subs.push(this.nc.subscribe(MESH_HUB_SUBJECT, { queue: MESH_HUB_QUEUE, callback: (_err, m) => void m.respond(reply) }));
    this.subs.push(this.nc.subscribe(meshUpSubject(this.directory.node), { callback: (_err, m) => this.up(m.data) }));
    this.directory.onNodeGone((node) => this.edgeGone(node));
  }

  stop(): void {
    for (const s of this.subs.splice(0)) s.unsubscribe();
    for (const node of [...this.edges.keys()]) this.edgeGone(node);
  }

  private up(data: Uint8Array): void {
    let msg: MeshUp;
    try {
      msg = JSON.parse(new TextDecoder().decode(data)) as MeshUp;
    } catch {
      return;
    }
    if (typeof msg.edge !== 'string' || !Number.isInteger(msg.link) || typeof msg.account !== 'string') return;
    this.upMessages++;
    let links = this.edges.get(msg.edge);
    let link = links?.get(msg.link);
    if (msg.closed) {
      if (link) {
        links!.delete(msg.link);
        this.mesh.linkClosed(link);
      }
      return;
    }
    if (typeof msg.payload !== 'string') {
      // A queue report: the session crossed its queue limit one way or the other.
      if (link) this.setQueue(link, msg);
      return;
    }
    if (!link) {
      if (!links) this.edges.set(msg.edge, (links = new Map()));
      const subject = meshDownSubject(msg.edge);
      link = new RemoteMeshLink(msg.account, (bytes) => this.down(subject, bytes), msg.link, () => this.framesHeldBack++);
      links.set(msg.link, link);
    }
    this.setQueue(link, msg);
    this.mesh.receive(link, Number(msg.requestId) || 0, Buffer.from(msg.payload, 'base64'));
  }

  private setQueue(link: RemoteMeshLink, msg: MeshUp): void {
    link.queuedBytes = Number(msg.queued) || 0;
    link.full = msg.full === true;
  }

  private down(subject: string, bytes: Buffer): void {
    if (this.nc.isClosed()) return;
    this.downMessages++;
    this.nc.publish(subject, bytes);
  }

  private edgeGone(node: string): void {
    const links = this.edges.get(node);
    if (!links) return;
    this.edges.delete(node);
    this.log.info({ edge: node, links: links.size }, 'mesh hub: an edge went silent, its peers leave the mesh');
    for (const link of links.values()) this.mesh.linkClosed(link);
  }
}
