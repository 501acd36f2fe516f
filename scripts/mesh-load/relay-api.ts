/** HTTP helpers against a running relay: token exchange, PeerJS ids, /metrics. */

/** POST /api/auth/token {apiKey} -> access token. */
export async function tokenFromApiKey(url: string, apiKey: string): Promise<string> {
  const res = await fetch(new URL('/api/auth/token', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey }),
  });
  const body = (await res.json()) as { token?: string; code?: string; message?: string };
  if (!res.ok || !body.token) throw new Error(`token exchange failed: ${res.status} ${body.code ?? ''} ${body.message ?? ''}`);
  return body.token;
}

/** GET /peerjs/peerjs/id with the bearer token: a PeerJS id bound to the token's account. */
export async function newPeerId(url: string, token: string): Promise<string> {
  const res = await fetch(new URL('/peerjs/peerjs/id', url), { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET /peerjs/peerjs/id: ${res.status} ${await res.text()}`);
  return res.text();
}

/** The relay's STUN/TURN list for mesh peers (GET /api/mesh/ice); empty = host candidates only. */
export async function iceServers(url: string, token: string): Promise<Array<{ urls: string[]; username?: string; credential?: string }>> {
  const res = await fetch(new URL('/api/mesh/ice', url), { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET /api/mesh/ice: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { iceServers: Array<{ urls: string[]; username?: string; credential?: string }> }).iceServers;
}

/** The relay's market-data egress counters (sums over labels). */
export interface EgressCounters {
  /** tickmesh_md_direct_bytes_total: batch bytes sent directly on sessions. */
  directBytes: number;
  directFrames: number;
  /** tickmesh_mesh_frame_bytes_sent_total: signed frames sent to mesh peers (seed, fallback, repair). */
  meshFrameBytes: number;
  /** tickmesh_mesh_control_bytes_sent_total. */
  meshControlBytes: number;
  meshPeers: number;
}

export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('tickmesh_')) continue;
    const m = /^([a-z_]+)(?:\{[^}]*\})?\s+([-+0-9.eE]+|NaN)/.exec(line);
    if (!m) continue;
    const v = Number(m[2]);
    if (Number.isFinite(v)) out.set(m[1]!, (out.get(m[1]!) ?? 0) + v);
  }
  return out;
}

export async function fetchEgress(url: string): Promise<EgressCounters> {
  const res = await fetch(new URL('/metrics', url));
  if (!res.ok) throw new Error(`GET /metrics: ${res.status}`);
  const m = parseMetrics(await res.text());
  return {
    directBytes: m.get('tickmesh_md_direct_bytes_total') ?? 0,
    directFrames: m.get('tickmesh_md_direct_frames_total') ?? 0,
    meshFrameBytes: m.get('tickmesh_mesh_frame_bytes_sent_total') ?? 0,
    meshControlBytes: m.get('tickmesh_mesh_control_bytes_sent_total') ?? 0,
    meshPeers: m.get('tickmesh_mesh_peers') ?? 0,
  };
}

export function wsUrl(url: string, path: string, token: string): string {
  const u = new URL(path, url);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.searchParams.set('access_token', token);
  return u.toString();
}
