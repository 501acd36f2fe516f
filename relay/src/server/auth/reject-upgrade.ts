import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Reason } from '@tickmesh/shared';
import { httpStatusOf } from './auth-http-status';
import { bearerChallenge } from './http-reply';

/**
 * Refuses a WebSocket upgrade with a plain HTTP response (401/403/...) carrying the
 * `{ code, message }` JSON body, then closes the socket. Refusing before the handshake,
 * rather than accepting and closing, means an unauthenticated client never holds a session.
 */
export function rejectUpgrade(socket: Duplex, reason: Reason): void {
  const status = httpStatusOf(reason.code);
  const body = JSON.stringify({ code: reason.code, message: reason.message });
  const challenge = bearerChallenge(reason.code);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json',
    'Cache-Control: no-store',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(challenge ? [`WWW-Authenticate: ${challenge}`] : []),
  ];
  if (socket.writable) socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  else socket.destroy();
}
