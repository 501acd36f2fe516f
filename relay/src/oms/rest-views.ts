import { moneyE8, positionPnl, unrealisedPnl, type Fill, type Instrument, type Order, type Position, type PositionPnl } from '@tickmesh/shared';

type Steps = Pick<Instrument, 'tickSize' | 'lotSize'>;
type InstrumentOf = (symbol: string) => Steps | undefined;

/**
 * What GET /api/orders, /api/fills and /api/positions answer: the domain objects as the wire
 * carries them, plus every money figure in the one money unit (1e-8 quote, fields ending in
 * `E8`; shared/src/model/money.ts). The domain fields keep their wire units (`cumNotional`,
 * `openCost`, `realizedPnl`, `unrealisedPnl` in ticks × lots; `fees`, `fee` in 1e-8 quote), so
 * existing clients read what they always read.
 */
export type OrderView = Order & { cumNotionalE8: number | null; feesE8: number };
export type FillView = Fill & { feeE8: number; notionalE8: number | null };
export type PositionView = Position & { unrealisedPnl: number; openCostE8: number | null } & NullablePnl;
type NullablePnl = { [K in keyof PositionPnl]: K extends 'feesE8' ? number : number | null };

// An instrument no venue lists any more: its ticks × lots cannot be converted, so those
// figures are null rather than a guess; fees are 1e-8 quote already and stay exact.
const convert = (inst: Steps | undefined, ticksLots: number): number | null => (inst === undefined ? null : moneyE8(inst, ticksLots));

export function orderView(o: Order, instrumentOf: InstrumentOf): OrderView {
  return { ...o, cumNotionalE8: convert(instrumentOf(o.symbol), o.cumNotional), feesE8: o.fees };
}

export function fillView(f: Fill, instrumentOf: InstrumentOf): FillView {
  return { ...f, feeE8: f.fee, notionalE8: convert(instrumentOf(f.symbol), f.price * f.qty) };
}

/** `markPrice` in ticks; NaN or 0 = no mark (unrealised 0). */
export function positionView(p: Position, markPrice: number, instrumentOf: InstrumentOf): PositionView {
  const inst = instrumentOf(p.symbol);
  const mark = markPrice > 0 ? markPrice : Number.NaN;
  const base = { ...p, unrealisedPnl: Number.isNaN(mark) ? 0 : unrealisedPnl(p, mark), openCostE8: convert(inst, p.openCost) };
  if (inst === undefined) return { ...base, realizedPnlE8: null, unrealisedPnlE8: null, grossPnlE8: null, feesE8: p.fees, netPnlE8: null };
  return { ...base, ...positionPnl(inst, p, mark) };
}
