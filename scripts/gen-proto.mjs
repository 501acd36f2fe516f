// Generates the protobufjs static module (JS + .d.ts) from proto/*.proto into
// shared/src/codec/gen/. The output is git-ignored: proto/ is the only source of truth.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(root, 'proto');
const outDir = join(root, 'shared/src/codec/gen');
const outJs = join(outDir, 'tickmesh.js');
const outDts = join(outDir, 'tickmesh.d.ts');
const protos = readdirSync(protoDir).filter((f) => f.endsWith('.proto')).sort().map((f) => join(protoDir, f));

const newest = Math.max(...protos.map((p) => statSync(p).mtimeMs), statSync(fileURLToPath(import.meta.url)).mtimeMs);
if (existsSync(outJs) && existsSync(outDts) && statSync(outDts).mtimeMs >= newest) process.exit(0);

mkdirSync(outDir, { recursive: true });
const bin = (name) => join(root, 'node_modules/.bin', name);
// --force-number: 64-bit fields decode to JS numbers (prices/sizes are safe integers; checked at the codec edge).
// No verify/convert/delimited helpers: the codec only needs encode/decode, which keeps the bundle small.
execFileSync(bin('pbjs'), [
  '-t', 'static-module', '-w', 'es6', '--force-number', '--no-verify', '--no-convert', '--no-delimited',
  '--no-beautify', '-o', outJs, ...protos,
], { stdio: 'inherit' });
execFileSync(bin('pbts'), ['--no-comments', '-o', outDts, outJs], { stdio: 'inherit' });
console.log(`gen: ${protos.length} proto file(s) -> ${outDir}`);
