import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the built PWA from `root`. Unknown paths without an extension fall back to
 * index.html (client-side routes). Hashed assets are cached for a year; the shell and the
 * service worker are revalidated on every load so an update reaches users at once.
 * Returns false when it did not handle the request.
 */
export function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): boolean {
  if (!root || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const url = new URL(req.url ?? '/', 'http://x');
  let rel: string;
  try {
    rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
  } catch {
    return false;
  }
  if (rel.split(sep).includes('..')) return false;
  let file = join(root, rel || 'index.html');
  if (!isFile(file)) {
    if (extname(rel) !== '') return false;
    file = join(root, 'index.html');
    if (!isFile(file)) return false;
  }
  const hashed = /[/\\]assets[/\\]/.test(file);
  res.writeHead(200, {
    'content-type': types[extname(file)] ?? 'application/octet-stream',
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
  return true;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
