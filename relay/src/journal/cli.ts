/**
 * Operator tool for journal files.
 *
 *   npm run journal -- verify <file>                      OK + record count + head hash, or the damage (exit 1)
 *   npm run journal -- dump <file> [--from N] [--limit N] records as JSON lines: {"seq","hash","record"}
 *   npm run journal -- surveil <file>                     market-abuse alerts as JSON lines (relay/src/surveillance)
 *
 * Exit codes: 0 ok, 1 damaged journal, 2 usage or I/O error. Both commands are read-only.
 */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { JournalError } from './journal-error';
import { resolveJournalOptions } from './journal-options';
import { decodeJournalRecord } from '@tickmesh/shared';
import { scanJournal, type OnRecord } from './journal-scanner';
import { verifyJournal } from './verify-journal';
import { Surveillance } from '../surveillance/index';

const USAGE = 'usage: journal verify <file>\n       journal dump <file> [--from N] [--limit N]\n       journal surveil <file>';

async function main(argv: string[]): Promise<number> {
  const [command, arg, ...rest] = argv;
  if (!arg || (command !== 'verify' && command !== 'dump' && command !== 'surveil')) return usage();
  // `npm run` moves to the repo root; resolve the path against where the operator typed it.
  const file = resolve(process.env.INIT_CWD ?? process.cwd(), arg);
  if (command === 'verify') {
    const r = await verifyJournal(file);
    if (r.ok) {
      const torn = r.tornBytes > 0 ? ` (torn tail of ${r.tornBytes} bytes, truncated on next open)` : '';
      console.log(`OK ${r.records} records, head ${r.headHash}${torn}`);
      return 0;
    }
    console.log(`FAIL ${r.code} record ${r.record} offset ${r.offset}: ${r.message}`);
    return 1;
  }

  if (command === 'surveil') return rest.length === 0 ? surveil(file) : usage();

  let from = 1;
  let limit = Infinity;
  for (let i = 0; i < rest.length; i += 2) {
    const n = Number(rest[i + 1]);
    if (!Number.isSafeInteger(n) || n < 0) return usage();
    if (rest[i] === '--from') from = n;
    else if (rest[i] === '--limit') limit = n;
    else return usage();
  }
  return streamVerified(file, (seq, payload, hash) => {
    if (seq < from || seq >= from + limit) return;
    const record = decodeJournalRecord(payload);
    process.stdout.write(JSON.stringify({ seq, hash: hash.toString('hex'), record }) + '\n');
  });
}

/**
 * Every alert surveillance raises over the journal, in journal order, one JSON line each; a
 * summary on stderr.
 */
function surveil(file: string): Promise<number> {
  const surveillance = new Surveillance();
  return streamVerified(
    file,
    (seq, payload) => {
      for (const alert of surveillance.observe(seq, decodeJournalRecord(payload))) process.stdout.write(JSON.stringify(alert) + '\n');
    },
    (records) => console.error(`surveilled ${records} records: ${surveillance.events} trading events, ${surveillance.alerts} alerts`),
  );
}

/**
 * Streams the journal's records to `onRecord` while verifying them: everything handed on
 * belongs to the verified prefix, and damage after it is reported on stderr with exit 1.
 */
async function streamVerified(file: string, onRecord: OnRecord, done: (records: number) => void = () => {}): Promise<number> {
  const handle = await open(file, 'r');
  try {
    done((await scanJournal(handle, resolveJournalOptions(), onRecord)).records);
    return 0;
  } catch (e) {
    if (!(e instanceof JournalError)) throw e;
    console.error(`FAIL ${e.code} record ${e.record ?? 0} offset ${e.offset ?? 0}: ${e.message}`);
    return 1;
  } finally {
    await handle.close();
  }
}

function usage(): number {
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    console.error((e as Error).message);
    process.exitCode = 2;
  },
);
