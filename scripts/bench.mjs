// Runs every bench/*.bench.ts in its own process (a fresh V8, so one bench's JIT state and
// garbage do not colour the next) and lets each print its tables. `npm run bench -- book`
// runs only the benches whose file name contains "book".
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv[2] ?? '';
const files = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.ts') && f.includes(filter)).sort();
console.log(`# Tickmesh benchmarks — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString()}`);
let failed = 0;
for (const f of files) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', f)], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) { failed++; console.error(`bench ${f} failed (exit ${r.status})`); }
}
process.exit(failed ? 1 : 0);
