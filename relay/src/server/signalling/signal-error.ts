import { ErrorCode } from '@tickmesh/shared';

/** WebSocket close codes of the signalling socket (4000-4999 are application-defined). */
export const SignalCloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  /** Another connection of the same account took this peer id (reclaim after reconnect). */
  Reclaimed: 4001,
  HeartbeatTimeout: 4002,
  RateLimited: 4029,
} as const;

/** A signalling failure: stable code, the close code when it ends the socket, the HTTP status when it answers a request. */
export interface SignalError {
  code: string;
  message: string;
  closeCode: number;
  httpStatus: number;
}

const table: Record<string, { closeCode: number; httpStatus: number }> = {
  [ErrorCode.SIGNAL_MALFORMED]: { closeCode: SignalCloseCode.PolicyViolation, httpStatus: 400 },
  [ErrorCode.SIGNAL_MESSAGE_TOO_LARGE]: { closeCode: SignalCloseCode.MessageTooBig, httpStatus: 413 },
  [ErrorCode.SIGNAL_RATE_LIMITED]: { closeCode: SignalCloseCode.RateLimited, httpStatus: 429 },
  [ErrorCode.SIGNAL_INVALID_KEY]: { closeCode: SignalCloseCode.PolicyViolation, httpStatus: 404 },
  [ErrorCode.SIGNAL_INVALID_ID]: { closeCode: SignalCloseCode.PolicyViolation, httpStatus: 400 },
  [ErrorCode.SIGNAL_ID_HIJACK]: { closeCode: SignalCloseCode.PolicyViolation, httpStatus: 409 },
  [ErrorCode.SIGNAL_ID_RECLAIMED]: { closeCode: SignalCloseCode.Reclaimed, httpStatus: 409 },
  [ErrorCode.SIGNAL_TOO_MANY_PEERS]: { closeCode: SignalCloseCode.PolicyViolation, httpStatus: 503 },
  [ErrorCode.SIGNAL_TOO_MANY_ACCOUNT_PEERS]: { closeCode: SignalCloseCode.PolicyViolation, httpStatus: 429 },
  [ErrorCode.SIGNAL_TOO_MANY_CONNECTIONS]: { closeCode: SignalCloseCode.PolicyViolation, httpStatus: 429 },
  [ErrorCode.SIGNAL_HEARTBEAT_TIMEOUT]: { closeCode: SignalCloseCode.HeartbeatTimeout, httpStatus: 408 },
  [ErrorCode.SIGNAL_DISCOVERY_DISABLED]: { closeCode: SignalCloseCode.PolicyViolation, httpStatus: 403 },
  [ErrorCode.SIGNAL_SHUTTING_DOWN]: { closeCode: SignalCloseCode.GoingAway, httpStatus: 503 },
  NOT_FOUND: { closeCode: SignalCloseCode.PolicyViolation, httpStatus: 404 },
};

/** The one factory of signalling errors (DESIGN.md house style 3). */
export function signalError(code: string, message: string): SignalError {
  const m = table[code] ?? { closeCode: SignalCloseCode.PolicyViolation, httpStatus: 400 };
  return { code, message, closeCode: m.closeCode, httpStatus: m.httpStatus };
}
