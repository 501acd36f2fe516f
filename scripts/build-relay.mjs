// Bundles the relay (with the isomorphic shared/ code and the generated protobuf module)
// into relay/dist/main.js, and the replay command (relay/src/replay-main.ts) into
// relay/dist/replay.js. Runtime dependencies with native or worker-thread parts stay
// external and load from node_modules.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// One bundle per command: the relay (`npm start`) and the replay server (`npm run replay`).
for (const [entry, out] of [['relay/src/main.ts', 'relay/dist/main.js'], ['relay/src/replay-main.ts', 'relay/dist/replay.js']]) {
  await build({
    entryPoints: [join(root, entry)],
    outfile: join(root, out),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    // CommonJS packages that require() node builtins stay external too (an ESM bundle cannot require them);
    // werift (the order peer's WebRTC) is one, and loads its native-free stack from node_modules.
    external: ['ws', 'werift', 'pino', 'prom-client', 'bufferutil', 'utf-8-validate', 'proper-lockfile', '@nats-io/transport-node', '@nats-io/jetstream', '@nats-io/kv'],
    logLevel: 'warning',
  });
}
