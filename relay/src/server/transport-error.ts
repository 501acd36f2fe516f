/**
 * The one factory for transport-level errors (DESIGN.md house style 3, as ws's createError):
 * a stable code plus the WebSocket close code and HTTP status it maps to.
 */
export interface TransportError {
  code: string;
  message: string;
  /** WebSocket close code when the error ends the connection. */
  closeCode: number;
  httpStatus: number;
}

/** Close codes the relay uses (4000-4999 are application-defined). */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  UnsupportedData: 1003,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  HeartbeatTimeout: 4002,
  SlowConsumer: 4008,
  RateLimited: 4029,
} as const;

const table: Record<string, { closeCode: number; httpStatus: number }> = {
  CODEC_MALFORMED: { closeCode: CloseCode.PolicyViolation, httpStatus: 400 },
  CODEC_UNKNOWN_MESSAGE: { closeCode: CloseCode.PolicyViolation, httpStatus: 400 },
  CODEC_INVALID_FIELD: { closeCode: CloseCode.PolicyViolation, httpStatus: 400 },
  CODEC_WRONG_FRAME_TYPE: { closeCode: CloseCode.UnsupportedData, httpStatus: 400 },
  CODEC_PAYLOAD_TOO_LARGE: { closeCode: CloseCode.MessageTooBig, httpStatus: 413 },
  SESSION_RATE_LIMITED: { closeCode: CloseCode.RateLimited, httpStatus: 429 },
  SESSION_TOO_MANY_SUBSCRIPTIONS: { closeCode: CloseCode.PolicyViolation, httpStatus: 400 },
  SESSION_SLOW_CONSUMER: { closeCode: CloseCode.SlowConsumer, httpStatus: 503 },
  SESSION_HEARTBEAT_TIMEOUT: { closeCode: CloseCode.HeartbeatTimeout, httpStatus: 408 },
  SESSION_SHUTTING_DOWN: { closeCode: CloseCode.GoingAway, httpStatus: 503 },
  NOT_FOUND: { closeCode: CloseCode.PolicyViolation, httpStatus: 404 },
};

export function transportError(code: string, message: string): TransportError {
  const m = table[code] ?? { closeCode: CloseCode.PolicyViolation, httpStatus: 400 };
  return { code, message, closeCode: m.closeCode, httpStatus: m.httpStatus };
}
