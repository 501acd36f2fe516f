import type { IncomingMessage } from 'node:http';
import { ErrorCode, fail, ok, type Result } from '@tickmesh/shared';

/**
 * Reads a request body of at most `limit` bytes and parses it as JSON.
 * CODEC_PAYLOAD_TOO_LARGE past the limit (checked against Content-Length before reading,
 * and again while reading, for chunked bodies); CODEC_MALFORMED for a body that is not
 * JSON or not sent as `application/json`. Requiring the JSON content type means a browser
 * on another origin cannot send one without a CORS preflight, which the relay never grants.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<Result<unknown>> {
  const tooLarge = () => fail(ErrorCode.CODEC_PAYLOAD_TOO_LARGE, `body over ${limit} bytes`);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    // Let the rest flow into the void; the caller answers with `connection: close`.
    req.resume();
    return Promise.resolve(tooLarge());
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => resolve(fail(ErrorCode.CODEC_MALFORMED, 'request aborted')));
    req.on('end', () => {
      if (over) return;
      if (type !== 'application/json') return resolve(fail(ErrorCode.CODEC_MALFORMED, 'content-type must be application/json'));
      try {
        resolve(ok(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown));
      } catch {
        resolve(fail(ErrorCode.CODEC_MALFORMED, 'body is not JSON'));
      }
    });
  });
}
