/**
 * Bench output: every bench prints one or more tables of measured figures, with the peer
 * library's figure beside ours where one exists. Targets are printed for reference, never asserted.
 */
export interface BenchRow {
  [column: string]: string | number;
}

export function printTable(title: string, rows: BenchRow[], note?: string): void {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | number | undefined) => (v === undefined ? '' : typeof v === 'number' ? formatNumber(v) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => '| ' + vals.map((v, i) => v.padEnd(widths[i]!)).join(' | ') + ' |';
  console.log(`\n## ${title}`);
  console.log(line(cols));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(cols.map((c) => cell(r[c]))));
  if (note) console.log(note);
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  if (Number.isInteger(n)) return String(n);
  return n.toPrecision(4);
}

/** Runs `fn` repeatedly for at least `minMs`, returning operations per second. */
export function opsPerSecond(fn: () => number, minMs = 1000): number {
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    ops += fn();
    elapsed = performance.now() - start;
  }
  return (ops * 1000) / elapsed;
}

/** Percentile (0..100) of an unsorted sample, nearest-rank. */
export function percentile(sample: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(sample).sort();
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
