// `npm run test:stress -- N [--shuffle] [--hog P] [vitest args…]`: runs the whole suite N
// times on a loaded machine and prints which tests failed how often, so a flake is found by
// the harness instead of by a red CI run. System deps, typecheck and build run once up front (they are
// deterministic); each pass is a fresh `vitest run` with the JSON reporter.
//
// The load is one CPU hog per core, each busy P% of every 10 ms slice (default 90): bounded,
// so the suite still progresses, but timers, sockets and child processes all run late, the
// way a shared 2-core CI box makes them. `--shuffle` adds `--sequence.shuffle` (a new seed
// each pass, printed) to catch tests that depend on the order of others.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 10);
const shuffle = args.includes('--shuffle');
const hogAt = args.indexOf('--hog');
const hogPercent = hogAt >= 0 ? Number(args[hogAt + 1]) : 90;
const passThrough = args.filter((a, i) => !/^\d+$/.test(a) && a !== '--shuffle' && a !== '--hog' && i !== hogAt + 1);
if (!Number.isInteger(runs) || runs < 1 || !(hogPercent >= 0 && hogPercent <= 100)) {
  console.error('usage: npm run test:stress -- N [--shuffle] [--hog 0..100] [vitest args]');
  process.exit(2);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
for (const step of ['pretest', 'typecheck', 'build']) {
  const r = spawnSync(npm, ['run', '--silent', step], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) { console.error(`test:stress: npm run ${step} failed`); process.exit(1); }
}

// One hog per core, as worker threads of this process: they die with it, whatever happens.
const hogSource = `
  const { workerData: p } = require('node:worker_threads');
  const sab = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const t = performance.now();
    while (performance.now() - t < p / 10) {}
    if (p < 100) Atomics.wait(sab, 0, 0, 10 - p / 10);
  }`;
const hogs = hogPercent > 0 ? cpus().map(() => new Worker(hogSource, { eval: true, workerData: hogPercent })) : [];

const work = mkdtempSync(join(tmpdir(), 'tickmesh-stress-'));
const failures = new Map(); // "file > test" → [run numbers]
const summary = [];
for (let run = 1; run <= runs; run++) {
  const seed = shuffle ? Math.floor(Math.random() * 2 ** 31) : undefined;
  const out = join(work, `run-${run}.json`);
  const vitestArgs = ['vitest', 'run', '--reporter=dot', '--reporter=json', `--outputFile.json=${out}`, ...passThrough];
  if (seed !== undefined) vitestArgs.push('--sequence.shuffle', `--sequence.seed=${seed}`);
  const started = performance.now();
  const code = await new Promise((resolve) => {
    const child = spawn('npx', vitestArgs, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  const seconds = (performance.now() - started) / 1000;
  let failed = [];
  try {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    for (const file of report.testResults) {
      const rel = file.name.startsWith(root) ? file.name.slice(root.length + 1) : file.name;
      const tests = file.assertionResults.filter((t) => t.status === 'failed');
      if (tests.length === 0 && file.status === 'failed') failed.push(`${rel} > (file: ${(file.message ?? '').split('\n')[0]})`);
      for (const t of tests) failed.push(`${rel} > ${t.fullName} — ${(t.failureMessages[0] ?? '').split('\n')[0]}`);
    }
  } catch (e) {
    if (code !== 0) failed.push(`(no report: vitest exited ${code})`);
  }
  if (code !== 0 && failed.length === 0) failed.push(`(vitest exited ${code} with no failed test in its report)`);
  for (const f of failed) failures.set(f, [...(failures.get(f) ?? []), run]);
  summary.push({ run, seconds, seed, failed: failed.length });
  console.log(`\n## stress run ${run}/${runs}: ${failed.length ? `${failed.length} failed` : 'green'} in ${seconds.toFixed(0)} s${seed !== undefined ? ` (shuffle seed ${seed})` : ''}\n`);
}
for (const h of hogs) await h.terminate();
rmSync(work, { recursive: true, force: true });

console.log(`# test:stress — ${runs} runs, hog ${hogPercent}% × ${hogs.length} cores${shuffle ? ', shuffled' : ''}`);
console.log('| run | seconds | shuffle seed | failed tests |');
console.log('|---:|---:|---:|---:|');
for (const s of summary) console.log(`| ${s.run} | ${s.seconds.toFixed(0)} | ${s.seed ?? '-'} | ${s.failed} |`);
if (failures.size === 0) {
  console.log(`\nall ${runs} runs green`);
} else {
  console.log('\n| failures | runs | test — first line of the error |');
  console.log('|---:|---|---|');
  for (const [test, at] of [...failures].sort((a, b) => b[1].length - a[1].length)) console.log(`| ${at.length} | ${at.join(',')} | ${test} |`);
}
process.exit(failures.size ? 1 : 0);
