import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@tickmesh/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { AuthService } from './auth-service';
import { dataDirFiles } from './data-dir';
import { rejectUpgrade } from './reject-upgrade';
import { requirePrincipal } from './require-principal';
import { selectSubprotocol, tokenFromRequest } from './token-from-request';

let server: Server;
let base: string;
let seen: (string | undefined)[];

beforeEach(async () => {
  seen = [];
  server = createServer((req, res) => {
    seen.push(tokenFromRequest(req));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A raw request through node:http, which lets us set Sec-WebSocket-Protocol like a browser's handshake. */
function get(path: string, headers: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { headers }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('tokenFromRequest', () => {
  it('reads the Authorization bearer header, the access_token query and the bearer subprotocol', async () => {
    await get('/x', { authorization: 'Bearer aaa.bbb.ccc' });
    await get('/x', { authorization: 'bearer   low.er.case ' });
    await get('/ws?access_token=q.q.q&other=1');
    await get('/ws', { 'sec-websocket-protocol': 'tickmesh, bearer.s.s.s' });
    await get('/ws', { 'sec-websocket-protocol': 'bearer.first.only' });
    expect(seen).toEqual(['aaa.bbb.ccc', 'low.er.case', 'q.q.q', 's.s.s', 'first.only']);
  });

  it('prefers the header, then the query, then the subprotocol', async () => {
    await get('/ws?access_token=query', { authorization: 'Bearer header', 'sec-websocket-protocol': 'tickmesh, bearer.proto' });
    await get('/ws?access_token=query', { 'sec-websocket-protocol': 'tickmesh, bearer.proto' });
    expect(seen).toEqual(['header', 'query']);
  });

  it('finds nothing when no token is presented, or only in forms it does not accept', async () => {
    await get('/x');
    await get('/x', { authorization: 'Basic dXNlcjpwYXNz' });
    await get('/x', { authorization: 'Bearer' });
    await get('/x?access_token=');
    await get('/x', { 'sec-websocket-protocol': 'tickmesh, bearer.' });
    await get('/x', { 'sec-websocket-protocol': 'tickmesh' });
    expect(seen).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('WebSocket upgrade gate', () => {
  let root: string;
  let auth: AuthService;
  let wsServer: Server;
  let wsUrl: string;
  let demoKey: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tickmesh-auth-ws-'));
    auth = (await AuthService.open(join(root, 'data'))).auth;
    const creds = await readFile(join(root, 'data', dataDirFiles.credentials), 'utf8');
    demoKey = creds.split('\n').find((l) => l.startsWith('demo '))!.split(/\s+/)[2];
    // The gate as the relay wires it: check before the handshake, echo only `tickmesh`.
    const wss = new WebSocketServer({ noServer: true, handleProtocols: selectSubprotocol });
    wsServer = createServer();
    wsServer.on('upgrade', async (req: IncomingMessage, socket, head) => {
      // Node drops its own error listener on upgrade; a client leaving mid-check must not crash us.
      socket.on('error', () => socket.destroy());
      const p = await requirePrincipal(auth, req, 'trade');
      if (!p.ok) return rejectUpgrade(socket, p.reason);
      wss.handleUpgrade(req, socket, head, (ws) => ws.send(p.value.account));
    });
    await new Promise<void>((resolve) => wsServer.listen(0, '127.0.0.1', resolve));
    wsUrl = `ws://127.0.0.1:${(wsServer.address() as AddressInfo).port}/ws`;
  });
  afterEach(async () => {
    wsServer.closeAllConnections();
    await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    await rm(root, { recursive: true, force: true });
  });

  /** Connects; resolves with the first message and the negotiated subprotocol, or the refusal. */
  function connect(url: string, protocols: string[] = []): Promise<{ message?: string; protocol?: string; status?: number; code?: string }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols);
      ws.once('message', (data) => {
        resolve({ message: String(data), protocol: ws.protocol });
        ws.close();
      });
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, code: JSON.parse(body).code }));
      });
      ws.once('error', reject);
    });
  }

  it('accepts a token in the subprotocol and echoes only `tickmesh`', async () => {
    const grant = await auth.issueToken(demoKey);
    if (!grant.ok) throw new Error('no grant');
    const r = await connect(wsUrl, ['tickmesh', `bearer.${grant.value.token}`]);
    expect(r).toEqual({ message: 'demo', protocol: 'tickmesh' });
  });

  it('accepts a token in the query', async () => {
    const grant = await auth.issueToken(demoKey);
    if (!grant.ok) throw new Error('no grant');
    expect(await connect(`${wsUrl}?access_token=${grant.value.token}`)).toEqual({ message: 'demo', protocol: '' });
  });

  it('refuses the handshake: 401 without or with a bad token, 403 for a viewer', async () => {
    expect(await connect(wsUrl)).toEqual({ status: 401, code: ErrorCode.AUTH_REQUIRED });
    expect(await connect(wsUrl, ['tickmesh', 'bearer.forged.token.x'])).toEqual({ status: 401, code: ErrorCode.AUTH_INVALID_TOKEN });
    const { apiKey } = await auth.createAccount({ account: 'watcher', role: 'viewer' });
    const grant = await auth.issueToken(apiKey);
    if (!grant.ok) throw new Error('no grant');
    expect(await connect(`${wsUrl}?access_token=${grant.value.token}`)).toEqual({ status: 403, code: ErrorCode.AUTH_FORBIDDEN });
  });
});
