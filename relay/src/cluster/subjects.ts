/**
 * The NATS subjects of the cluster, in one place. Market data: one subject per stream carrying
 * the md node's encoded frames (batches, and snapshots when a stream starts a new epoch), the
 * very bytes /ws sessions get. Requests: the instrument list and a stream's current snapshot.
 */

/** Root of every subject of the cluster. */
export const SUBJECT_ROOT = 'tickmesh';

/** A NATS subject token must not hold '.', '*', '>' or whitespace: anything else becomes '_'. */
export function subjectToken(s: string): string {
  const t = s.replace(/[.*>\s]/g, '_');
  return t === '' ? '_' : t;
}

/** The frames of one stream: `tickmesh.md.<venue>.<streamId>`. */
export function streamSubject(venue: string, streamId: number): string {
  return `${SUBJECT_ROOT}.md.${subjectToken(venue)}.${streamId}`;
}

/** Every stream's frames (what an edge subscribes to). */
export const ALL_STREAMS_SUBJECT = `${SUBJECT_ROOT}.md.*.*`;

/** Request: the md node's instruments, answered as JSON `Instrument[]`. */
export const INSTRUMENTS_SUBJECT = `${SUBJECT_ROOT}.rpc.md.instruments`;

/** Request: a stream's snapshot at its current seq: `tickmesh.rpc.md.snapshot.<streamId>`. */
export function snapshotSubject(streamId: number): string {
  return `${SUBJECT_ROOT}.rpc.md.snapshot.${streamId}`;
}

/** The md node's heartbeat: an edge that hears neither it nor a frame for a while shows its books stale. */
export const MD_HEARTBEAT_SUBJECT = `${SUBJECT_ROOT}.hb.md`;

/** Every stream's snapshot requests (what the md node answers). */
export const ALL_SNAPSHOTS_SUBJECT = `${SUBJECT_ROOT}.rpc.md.snapshot.*`;

/** The stream id a stream or snapshot subject ends with, or undefined when it names none. */
export function streamIdOf(subject: string): number | undefined {
  const tail = subject.slice(subject.lastIndexOf('.') + 1);
  if (!/^[1-9][0-9]{0,9}$/.test(tail)) return undefined;
  const id = Number(tail);
  return id <= 0xffff_ffff ? id : undefined;
}

/**
 * Request: one order request (new, cancel, replace, cancel-all) from an edge, answered by the
 * active OMS (queue group OMS_QUEUE) as JSON `{ ok } | { ok: false, code, message }`.
 */
export const OMS_ORDER_SUBJECT = `${SUBJECT_ROOT}.rpc.oms.order`;

/** Request: one REST call of a session's `/api/...` (orders, fills, positions, admin), answered by the OMS node. */
export const OMS_API_SUBJECT = `${SUBJECT_ROOT}.rpc.oms.api`;

/** Queue group of the OMS responders: each request is answered by one OMS node, never two. */
export const OMS_QUEUE = 'tickmesh-oms';

/** One account's execution reports (JSON ExecutionReportMsg): `tickmesh.reports.<account>`. */
export function reportSubject(account: string): string {
  return `${SUBJECT_ROOT}.reports.${subjectToken(account)}`;
}

/** Every account's execution reports (what an edge subscribes to). */
export const ALL_REPORTS_SUBJECT = `${SUBJECT_ROOT}.reports.*`;

/** Each edge's sessions per account (cancel-on-disconnect across the cluster: session-presence.ts). */
export const PRESENCE_SUBJECT = `${SUBJECT_ROOT}.presence`;

/** Each relay's PeerJS peers (ids and accounts): cross-relay signalling and mesh registration (peer-directory.ts). */
export const PEER_DIRECTORY_SUBJECT = `${SUBJECT_ROOT}.peers`;

/** Signals for the PeerJS peers held by one relay of the cluster: `tickmesh.signal.<node>`. */
export function signalSubject(node: string): string {
  return `${SUBJECT_ROOT}.signal.${subjectToken(node)}`;
}

/** Request: which node runs the cluster's mesh coordinator, and its market-data public key (mesh-hub.ts). */
export const MESH_HUB_SUBJECT = `${SUBJECT_ROOT}.rpc.mesh.hub`;

/** Mesh control from the edges' sessions to the hub: `tickmesh.mesh.up.<hub>`. */
export function meshUpSubject(hub: string): string {
  return `${SUBJECT_ROOT}.mesh.up.${subjectToken(hub)}`;
}

/** What the hub sends one edge's sessions (signed frames, control, delivery switches): `tickmesh.mesh.down.<edge>`. */
export function meshDownSubject(edge: string): string {
  return `${SUBJECT_ROOT}.mesh.down.${subjectToken(edge)}`;
}
