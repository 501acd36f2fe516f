/**
 * Decimal strings <-> integer units. Tick and lot sizes arrive as decimal strings ("0.01") so
 * they are exact; prices and sizes travel as integers of those units. Floats appear only at
 * the UI edge (display, legacy JSON).
 */

/** Number of decimals in a decimal string: "0.01" -> 2, "5" -> 0, "0.50" -> 2. */
export function decimalPlaces(step: string): number {
  const dot = step.indexOf('.');
  return dot < 0 ? 0 : step.length - dot - 1;
}

/** Integer value of a decimal string scaled by 10^places: ("0.05", 2) -> 5. */
export function scaledInteger(step: string, places: number): number {
  const [whole, frac = ''] = step.split('.');
  const digits = (whole ?? '0') + frac.padEnd(places, '0').slice(0, places);
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) throw new RangeError(`decimal out of range: ${step}`);
  return n;
}

/** Format an integer count of steps as a decimal string with the step's precision. */
export function formatUnits(units: number, step: string): string {
  const places = decimalPlaces(step);
  const scaled = units * scaledInteger(step, places);
  const neg = scaled < 0;
  const digits = Math.abs(scaled).toString().padStart(places + 1, '0');
  const out = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return neg ? `-${out}` : out;
}
