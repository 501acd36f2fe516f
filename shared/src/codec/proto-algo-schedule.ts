import type { AlgoSchedule } from '../model/order';
import { checkUint } from './field-checks';

/**
 * An algo parent's clock in ExecutionReport (fields 31-32), one mapping used by the wire codec
 * and the journal codec. Both zero means no schedule (every other order, and reports written
 * before the fields existed).
 */
interface PbAlgoSchedule {
  nextSliceUs?: number | null;
  endsUs?: number | null;
}

export function scheduleToProto(s: AlgoSchedule | undefined): PbAlgoSchedule {
  return s === undefined ? {} : { nextSliceUs: s.nextSliceUs, endsUs: s.endsUs };
}

/** `strict` (the wire): a field that is not a whole number of µs is refused (CODEC_INVALID_FIELD); the journal's own records are taken as written. */
export function scheduleFromProto(b: PbAlgoSchedule, field: string, strict: boolean): AlgoSchedule | undefined {
  if (!b.nextSliceUs && !b.endsUs) return undefined;
  const uint = (v: number | null | undefined, f: string) => (strict ? checkUint(v ?? 0, `${field}.${f}`) : (v ?? 0));
  return { nextSliceUs: uint(b.nextSliceUs, 'nextSliceUs'), endsUs: uint(b.endsUs, 'endsUs') };
}
