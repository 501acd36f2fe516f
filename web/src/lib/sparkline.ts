/**
 * SVG polyline points ("x,y x,y …") of `values` spread over `width` × `height`, the highest at
 * the top, `pad` px kept free at the top and bottom so the stroke is not clipped. A flat series
 * is drawn through the middle; one value as a flat line across; none as ''.
 */
export function sparklinePoints(values: readonly number[], width: number, height: number, pad = 1): string {
  const n = values.length;
  if (n === 0 || !(width > 0) || !(height > 0)) return '';
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  const inner = Math.max(0, height - 2 * pad);
  const y = (v: number) => (span > 0 ? pad + ((hi - v) / span) * inner : height / 2);
  const fmt = (x: number) => String(Math.round(x * 10) / 10);
  if (n === 1) return `0,${fmt(y(values[0]!))} ${fmt(width)},${fmt(y(values[0]!))}`;
  const step = width / (n - 1);
  return values.map((v, i) => `${fmt(i * step)},${fmt(y(v))}`).join(' ');
}
