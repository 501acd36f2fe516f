import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { errors, type NatsConnection } from '@nats-io/transport-node';
import { ErrorCode } from '@tickmesh/shared';
import { ClusterOrderCode } from './order-rpc';
import { OMS_API_SUBJECT } from './subjects';

/**
 * A session's REST calls (`/api/orders`, `/fills`, `/positions`, `/risk/limits`, admin ...)
 * reach the OMS node through NATS: an edge forwards the request as it came (method, path and
 * query, the headers the routes read, the body), and the OMS node runs its own routes on it,
 * token check included (every node verifies with the one signing secret), and sends back the
 * response as it would have written it. So a route is written once, in api-routes.ts.
 */

/** The request as it travels. */
interface ApiRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body, base64. */
  body: string;
}

/** The response as it travels. */
interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The only headers the routes read: the token, the body's type and length. */
const FORWARDED_HEADERS = ['authorization', 'content-type', 'content-length'] as const;

/** Largest request body forwarded (the routes' own limits are smaller: 4 KiB for admin actions). */
const MAX_BODY_BYTES = 64 * 1024;

/** The routes of the OMS node, as createApiRoutes returns them. */
export type ApiRoutes = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** Edge side: forwards one `/api/` request to the OMS node and writes its answer. */
export async function forwardApi(nc: NatsConnection, req: IncomingMessage, res: ServerResponse, timeoutMs = 5000): Promise<void> {
  const body = await readBody(req);
  if (body === undefined) return reply(res, 413, ErrorCode.CODEC_PAYLOAD_TOO_LARGE, `body over ${MAX_BODY_BYTES} bytes`);
  const headers: Record<string, string> = {};
  for (const h of FORWARDED_HEADERS) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  const request: ApiRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers, body: body.toString('base64') };
  try {
    const m = await nc.request(OMS_API_SUBJECT, new TextEncoder().encode(JSON.stringify(request)), { timeout: timeoutMs });
    const answer = JSON.parse(new TextDecoder().decode(m.data)) as ApiResponse;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  } catch (err) {
    const none = (err instanceof errors.RequestError && err.isNoResponders()) || err instanceof errors.NoRespondersError;
    if (none) return reply(res, 503, ClusterOrderCode.OMS_UNAVAILABLE, 'no OMS is running in the cluster');
    if (err instanceof errors.TimeoutError) return reply(res, 504, ClusterOrderCode.OMS_TIMEOUT, `no answer from the OMS within ${timeoutMs} ms`);
    reply(res, 503, ClusterOrderCode.CLUSTER_NATS_DOWN, 'the relay has lost its connection to the cluster');
  }
}

/**
 * OMS node side: runs `routes` on a forwarded request and returns the response's bytes, or a
 * CLUSTER_REPLY_TOO_LARGE answer when they would not fit one NATS message (`maxPayload`).
 */
export async function answerApi(routes: ApiRoutes, data: Uint8Array, maxPayload: number): Promise<Uint8Array> {
  let request: ApiRequest;
  try {
    request = JSON.parse(new TextDecoder().decode(data)) as ApiRequest;
    if (typeof request.method !== 'string' || typeof request.url !== 'string' || typeof request.body !== 'string' || typeof request.headers !== 'object') throw new Error('shape');
  } catch {
    return encode(failure(400, ErrorCode.CODEC_MALFORMED, 'not a forwarded API request'));
  }
  const body = Buffer.from(request.body, 'base64');
  // The routes read method, url, headers and the body stream, and write with writeHead and end.
  const req = Object.assign(Readable.from(body.length > 0 ? [body] : []), { method: request.method, url: request.url, headers: request.headers }) as unknown as IncomingMessage;
  const res = new RecordedResponse();
  const url = new URL(request.url, 'http://x');
  const handled = await routes(req, res as unknown as ServerResponse, url);
  const answer = handled ? res.recorded() : failure(404, 'NOT_FOUND', `no route for ${request.method} ${url.pathname}`);
  const bytes = encode(answer);
  // Room for NATS's own framing of the reply.
  if (bytes.length > maxPayload - 1024) return encode(failure(502, ClusterOrderCode.CLUSTER_REPLY_TOO_LARGE, `the answer (${bytes.length} bytes) is larger than the cluster carries in one message (${maxPayload}): ask for less (limit=)`));
  return bytes;
}

/** What the routes write, kept: they call writeHead once and end once. */
class RecordedResponse {
  private status = 200;
  private readonly headers: Record<string, string> = {};
  private body = '';

  setHeader(name: string, value: string): this {
    this.headers[name.toLowerCase()] = String(value);
    return this;
  }

  writeHead(status: number, headers: Record<string, string> = {}): this {
    this.status = status;
    for (const [k, v] of Object.entries(headers)) this.setHeader(k, v);
    return this;
  }

  end(body?: string | Buffer): this {
    this.body = body === undefined ? '' : body.toString();
    return this;
  }

  recorded(): ApiResponse {
    return { status: this.status, headers: this.headers, body: this.body };
  }
}

function failure(status: number, code: string, message: string): ApiResponse {
  return { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify({ code, message }) };
}

function encode(r: ApiResponse): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(r));
}

function reply(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ code, message }));
}

/** The body, or undefined past MAX_BODY_BYTES. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', () => resolve(Buffer.alloc(0)));
  });
}
