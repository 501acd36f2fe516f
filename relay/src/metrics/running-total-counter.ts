import { Counter, type Registry } from 'prom-client';

export type Labels = Record<string, string>;

/**
 * A Prometheus counter over running totals kept elsewhere as plain numbers (hot paths bump a
 * field; shared code has no prom-client): each scrape adds what each series grew since the
 * last one. A series is zeroed at first sight, so it exists before anything happened.
 */
export function runningTotalCounter<L extends string>(name: string, help: string, labelNames: L[], registers: Registry[], totals: () => Iterable<[Labels, number]>): Counter<L> {
  const reported = new Map<string, number>();
  return new Counter<L>({
    name,
    help,
    labelNames,
    registers,
    collect() {
      for (const [given, total] of totals()) {
        const labels = given as Partial<Record<L, string>>;
        const key = labelNames.map((l) => given[l]).join('\u0000');
        const before = reported.get(key);
        if (before === undefined) this.inc(labels, 0);
        if (total > (before ?? 0)) this.inc(labels, total - (before ?? 0));
        reported.set(key, total);
      }
    },
  });
}
