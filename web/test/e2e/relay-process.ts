import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A relay started exactly as `npm start` runs it (the built bundle serving the built PWA). */
export interface RelayProcess {
  proc: ChildProcess;
  origin: string;
  port: number;
  loginUrl: string;
  dataDir: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startRelayProcess(options: { dataDir?: string; port?: number; args?: string[] } = {}): Promise<RelayProcess> {
  const main = join(root, 'relay/dist/main.js');
  if (!existsSync(main) || !existsSync(join(root, 'web/dist/index.html'))) {
    throw new Error('relay/dist or web/dist missing: `npm test` builds them first (npm run build)');
  }
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tickmesh-e2e-'));
  const proc = spawn(process.execPath, [main, '--port', String(options.port ?? 0), '--data-dir', dataDir, '--log-level', 'warn', ...(options.args ?? [])], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d));
  if (process.env.E2E_RELAY_LOG) {
    proc.stdout!.on('data', (d: Buffer) => process.stderr.write(`[relay] ${d}`));
    proc.stderr!.on('data', (d: Buffer) => process.stderr.write(`[relay!] ${d}`));
    proc.once('exit', (c, sig) => process.stderr.write(`[relay] exited ${c} ${sig}\n`));
  }
  const { origin, code } = await new Promise<{ origin: string; code: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start in time:\n${out}\n${err}`)), 30_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /Open (http:\/\/[^/\s]+)\/\?login=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ origin: m[1]!, code: m[2]! });
      }
    });
    proc.once('exit', (c) => {
      clearTimeout(timer);
      reject(new Error(`relay exited ${c}:\n${out}\n${err}`));
    });
  });
  const port = Number(new URL(origin).port);
  return {
    proc,
    origin,
    port,
    loginUrl: `${origin}/?login=${code}`,
    dataDir,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      }),
  };
}
