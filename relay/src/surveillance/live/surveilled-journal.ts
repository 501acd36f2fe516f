import type { JournalEntry, JournalRecord } from '@tickmesh/shared';
import type { Logger } from 'pino';
import type { Surveillance } from '../surveillance';
import { fromSurveillance, type AlertDesk } from './alert-desk';

/**
 * The OMS's journal port with live surveillance behind it: each record, once durable, goes to
 * the detectors with its journal seq (the evidence an alert cites), in journal order, and the
 * alerts it completes go to the desk. The OMS gets the journal's own promise, so its
 * durability rule (no report before the record is stored) and its error handling are as before.
 * The detectors run in a setImmediate after the records became durable, never between a
 * record and its report: surveillance costs microseconds per record that the order path
 * (budget p99 100 µs) must not wait for.
 */
export function surveilledJournal(
  journal: { append(record: JournalRecord): Promise<JournalEntry> },
  surveillance: Surveillance,
  desk: AlertDesk,
  log: Logger,
): { append(record: JournalRecord): Promise<JournalEntry> } {
  let queue: JournalEntry[] = [];
  const drain = () => {
    const entries = queue;
    queue = [];
    for (const entry of entries) {
      try {
        for (const a of surveillance.observe(entry.seq, entry.record)) desk.raise(fromSurveillance(a));
      } catch (err) {
        // A detector bug must not touch the order path; it costs that record its surveillance.
        log.error({ err, seq: entry.seq }, 'surveillance failed on a journal record');
      }
    }
  };
  const enqueue = (entry: JournalEntry) => {
    if (queue.push(entry) === 1) setImmediate(drain);
  };
  return {
    append(record) {
      const stored = journal.append(record);
      // A failed append is the OMS's to handle (it already has this promise): nothing to surveil.
      stored.then(enqueue, () => {});
      return stored;
    },
  };
}
