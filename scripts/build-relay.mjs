// Bundles the relay (with the isomorphic shared/ code and the generated protobuf module)
// into relay/dist/main.js, and the replay command (relay/src/replay-main.ts) into
// relay/dist/replay.js. Runtime dependencies with native or worker-thread parts stay
// external and load from node_modules.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(root, 'relay/src/main.ts')],
  outfile: join(root, 'relay/dist/main.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  external: ['ws', 'pino', 'prom-client', 'bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
});

await build({
  entryPoints: [join(root, 'relay/src/replay-main.ts')],
  outfile: join(root, 'relay/dist/replay.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  external: ['ws', 'pino', 'prom-client', 'bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
});
