import { ErrorCode, fail, ok, type Result } from '@tickmesh/shared';

/**
 * Message types of the PeerJS server protocol (peerjs 1.x client, `peer` 1.x server).
 * Server → client: OPEN, ERROR, ID-TAKEN, INVALID-KEY, and the relayed OFFER, ANSWER,
 * CANDIDATE, LEAVE, EXPIRE. Client → server: HEARTBEAT, OFFER, ANSWER, CANDIDATE, LEAVE, EXPIRE.
 */
export const PeerjsType = {
  Open: 'OPEN',
  Heartbeat: 'HEARTBEAT',
  Offer: 'OFFER',
  Answer: 'ANSWER',
  Candidate: 'CANDIDATE',
  Leave: 'LEAVE',
  Expire: 'EXPIRE',
  IdTaken: 'ID-TAKEN',
  InvalidKey: 'INVALID-KEY',
  Error: 'ERROR',
} as const;

/** A client message that passed validation. `dst` is absent only on HEARTBEAT and a bare LEAVE. */
export type ClientSignal =
  | { type: 'HEARTBEAT' }
  | { type: 'OFFER' | 'ANSWER' | 'CANDIDATE'; dst: string; payload: Record<string, unknown> }
  | { type: 'LEAVE' | 'EXPIRE'; dst: string | undefined; payload: unknown };

/** What the server sends: the relayed signal carries `src` (set by the server, never trusted from the client) and `dst`. */
export interface ServerSignal {
  type: string;
  src?: string;
  dst?: string;
  payload?: unknown;
}

// Longer than any id PeerIds issues or accepts (16 + 1 + 64); anything longer is garbage.
const maxIdLength = 96;

/**
 * Parses one text frame from a peer. SIGNAL_MALFORMED for anything but a JSON object with a
 * known client type; OFFER/ANSWER/CANDIDATE need a `dst` id and an object `payload` (the
 * peerjs client reads `payload.connectionId`). Client-sent `src` is ignored: the server
 * stamps the sender's registered id.
 */
export function parseClientSignal(text: string): Result<ClientSignal> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail(ErrorCode.SIGNAL_MALFORMED, 'not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(ErrorCode.SIGNAL_MALFORMED, 'not an object');
  const m = raw as Record<string, unknown>;
  const dst = m.dst;
  const dstOk = typeof dst === 'string' && dst.length > 0 && dst.length <= maxIdLength;
  switch (m.type) {
    case PeerjsType.Heartbeat:
      return ok({ type: 'HEARTBEAT' });
    case PeerjsType.Offer:
    case PeerjsType.Answer:
    case PeerjsType.Candidate:
      if (!dstOk) return fail(ErrorCode.SIGNAL_MALFORMED, `${m.type} needs a dst`);
      if (typeof m.payload !== 'object' || m.payload === null || Array.isArray(m.payload)) return fail(ErrorCode.SIGNAL_MALFORMED, `${m.type} needs an object payload`);
      return ok({ type: m.type, dst: dst as string, payload: m.payload as Record<string, unknown> });
    case PeerjsType.Leave:
    case PeerjsType.Expire:
      if (dst !== undefined && dst !== null && !dstOk) return fail(ErrorCode.SIGNAL_MALFORMED, `${m.type} has a bad dst`);
      return ok({ type: m.type, dst: dstOk ? (dst as string) : undefined, payload: m.payload });
    default:
      return fail(ErrorCode.SIGNAL_MALFORMED, 'unknown or missing type');
  }
}

/** The refusal/error frame: peerjs shows `payload.msg`; our clients and tests read `payload.code`. */
export function errorSignal(type: 'ERROR' | 'ID-TAKEN' | 'INVALID-KEY', code: string, msg: string): ServerSignal {
  return { type, payload: { code, msg } };
}
