import { Contingency, TriggerSource, TriggerType, type OrderConditional, type ReportTrigger } from '../model/conditional';
import { checkEnum, checkInt, checkUint } from './field-checks';

/**
 * The conditional fields of NewOrder (13-20) and ExecutionReport (25-30), one mapping used by
 * the wire codec and the journal codec. All zero on the wire means an ordinary order, so an
 * old client's or an old journal's orders decode without `conditional` / `trigger`.
 */

const TRIGGER_TYPES: readonly TriggerType[] = Object.values(TriggerType);
const TRIGGER_SOURCES: readonly TriggerSource[] = Object.values(TriggerSource);
const CONTINGENCIES: readonly Contingency[] = Object.values(Contingency);

/** Wire NewOrder conditional fields (all-absent for an ordinary order). */
export interface PbConditional {
  triggerType?: number | null;
  triggerSource?: number | null;
  triggerPrice?: number | null;
  trailOffset?: number | null;
  trailBps?: number | null;
  contingency?: number | null;
  takeProfitPrice?: number | null;
  stopLimitPrice?: number | null;
}

export function conditionalToProto(c: OrderConditional | undefined): PbConditional {
  if (c === undefined) return {};
  return {
    triggerType: c.triggerType, triggerSource: c.triggerSource, triggerPrice: c.triggerPrice, trailOffset: c.trailOffset,
    trailBps: c.trailBps, contingency: c.contingency, takeProfitPrice: c.takeProfitPrice, stopLimitPrice: c.stopLimitPrice,
  };
}

/**
 * The conditional part of a decoded NewOrder, undefined when it has neither a trigger nor a
 * contingency. `strict`: range-check every field (untrusted wire input; throws DecodeError);
 * the journal's own records are taken as written.
 */
export function conditionalFromProto(b: PbConditional, field: string, strict: boolean): OrderConditional | undefined {
  if (!b.triggerType && !b.contingency) return undefined;
  const e = <T extends number>(v: number | null | undefined, allowed: readonly T[], f: string): T =>
    (strict ? checkEnum(v ?? 0, allowed, `${field}.${f}`) : ((v ?? 0) as T));
  const int = (v: number | null | undefined, f: string) => (strict ? checkInt(v ?? 0, `${field}.${f}`) : (v ?? 0));
  const uint = (v: number | null | undefined, f: string) => (strict ? checkUint(v ?? 0, `${field}.${f}`) : (v ?? 0));
  return {
    triggerType: e(b.triggerType, TRIGGER_TYPES, 'triggerType'),
    triggerSource: e(b.triggerSource, TRIGGER_SOURCES, 'triggerSource'),
    triggerPrice: int(b.triggerPrice, 'triggerPrice'),
    trailOffset: uint(b.trailOffset, 'trailOffset'),
    trailBps: uint(b.trailBps, 'trailBps'),
    contingency: e(b.contingency, CONTINGENCIES, 'contingency'),
    takeProfitPrice: int(b.takeProfitPrice, 'takeProfitPrice'),
    stopLimitPrice: int(b.stopLimitPrice, 'stopLimitPrice'),
  };
}

/** Wire ExecutionReport trigger fields. */
export interface PbReportTrigger {
  triggerType?: number | null;
  triggerSource?: number | null;
  contingency?: number | null;
  triggerPrice?: number | null;
  firedTrigger?: number | null;
  firedPrice?: number | null;
}

export function reportTriggerToProto(t: ReportTrigger | undefined): PbReportTrigger {
  if (t === undefined) return {};
  return {
    triggerType: t.triggerType, triggerSource: t.triggerSource, contingency: t.contingency,
    triggerPrice: t.triggerPrice, firedTrigger: t.firedTrigger, firedPrice: t.firedPrice,
  };
}

/** The trigger of a decoded report; undefined for an ordinary order's. See conditionalFromProto for `strict`. */
export function reportTriggerFromProto(b: PbReportTrigger, field: string, strict: boolean): ReportTrigger | undefined {
  if (!b.triggerType && !b.contingency) return undefined;
  const e = <T extends number>(v: number | null | undefined, allowed: readonly T[], f: string): T =>
    (strict ? checkEnum(v ?? 0, allowed, `${field}.${f}`) : ((v ?? 0) as T));
  const int = (v: number | null | undefined, f: string) => (strict ? checkInt(v ?? 0, `${field}.${f}`) : (v ?? 0));
  return {
    triggerType: e(b.triggerType, TRIGGER_TYPES, 'triggerType'),
    triggerSource: e(b.triggerSource, TRIGGER_SOURCES, 'triggerSource'),
    contingency: e(b.contingency, CONTINGENCIES, 'contingency'),
    triggerPrice: int(b.triggerPrice, 'triggerPrice'),
    firedTrigger: e(b.firedTrigger, TRIGGER_TYPES, 'firedTrigger'),
    firedPrice: int(b.firedPrice, 'firedPrice'),
  };
}
