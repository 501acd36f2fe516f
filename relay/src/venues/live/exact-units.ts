/**
 * Exchange decimal strings -> integer ticks and lots, exactly. Exchanges send prices and sizes
 * as decimal strings ("27123.45000000"); parsing them as floats and dividing by the tick size
 * rounds (0.1 + 0.2), so a level could land one tick off. Here the digits are scaled by string
 * surgery and checked to be a whole multiple of the step: a value that is not is refused
 * (undefined), never rounded.
 *
 * On the feed hot path: no BigInt, no regex, one Number() per call.
 */

/** A step ("0.01", "0.00001000", "5") prepared once per instrument. */
export interface UnitStep {
  readonly step: string;
  /** Decimals that matter (trailing zeros stripped): "0.00001000" -> 5. */
  readonly places: number;
  /** The step in units of 10^-places: "0.05" -> 5. */
  readonly scaled: number;
}

/** Prepares a step; undefined when it is not a positive plain decimal. */
export function unitStep(step: string): UnitStep | undefined {
  if (!/^\d+(\.\d+)?$/.test(step)) return undefined;
  let s = step;
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  const dot = s.indexOf('.');
  const places = dot < 0 ? 0 : s.length - dot - 1;
  const scaled = Number(dot < 0 ? s : s.slice(0, dot) + s.slice(dot + 1));
  if (!Number.isSafeInteger(scaled) || scaled <= 0) return undefined;
  return { step: s, places, scaled };
}

/**
 * `value` as a count of `step`s, or undefined when it is malformed, negative, not a whole
 * multiple of the step, or too large for a safe integer.
 */
export function toUnits(value: string, step: UnitStep): number | undefined {
  const dot = value.indexOf('.');
  const whole = dot < 0 ? value : value.slice(0, dot);
  let frac = dot < 0 ? '' : value.slice(dot + 1);
  if (whole.length === 0 || (dot >= 0 && frac.length === 0)) return undefined; // "", ".5", "5."
  // Digits past the step's precision must all be zero ("27123.45000000" at 0.01).
  if (frac.length > step.places) {
    for (let i = step.places; i < frac.length; i++) if (frac.charCodeAt(i) !== 48) return undefined;
    frac = frac.slice(0, step.places);
  }
  const digits = whole + frac.padEnd(step.places, '0');
  if (!isDigits(digits)) return undefined;
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) return undefined;
  if (n % step.scaled !== 0) return undefined;
  return n / step.scaled;
}

/** Integer units -> the exchange's decimal string ("0.001" × 1234 -> "1.234"). */
export function fromUnits(units: number, step: UnitStep): string {
  const scaled = units * step.scaled;
  if (!Number.isSafeInteger(scaled) || scaled < 0) throw new RangeError(`units out of range: ${units} × ${step.step}`);
  if (step.places === 0) return String(scaled);
  const digits = String(scaled).padStart(step.places + 1, '0');
  return `${digits.slice(0, -step.places)}.${digits.slice(-step.places)}`;
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
