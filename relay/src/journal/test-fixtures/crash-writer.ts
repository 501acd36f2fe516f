/**
 * Child process for the crash test: appends sampleRecord(seq) with CONCURRENCY appends in
 * flight, forever, printing each seq once its append has resolved (is durable). The parent
 * SIGKILLs it mid-stream and checks that every printed seq survived.
 *
 *   node --import tsx crash-writer.ts <journal-path>
 */
import { Journal } from '../journal';
import { sampleRecord } from './sample-records';

const CONCURRENCY = 8;
const path = process.argv[2];
if (!path) throw new Error('usage: crash-writer <journal-path>');

const { journal, entries } = await Journal.open(path);
let next = entries.length + 1;

async function worker(): Promise<never> {
  for (;;) {
    const n = next++;
    const entry = await journal.append(sampleRecord(n));
    // Sanity: seq is assigned in call order, so the n-th append is seq n.
    if (entry.seq !== n) throw new Error(`seq ${entry.seq} for append ${n}`);
    process.stdout.write(`${entry.seq}\n`);
  }
}

await Promise.all(Array.from({ length: CONCURRENCY }, worker));
