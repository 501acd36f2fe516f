import { decimalPlaces, formatUnits, fromTicks, groupDigits, type Instrument, OrderStatus, OrderType, TimeInForce, Algo, Side } from './model';

/**
 * Display formatting at the UI edge. Integer ticks/lots go through the shared `formatUnits`
 * (exact: no float drift in the last digit); only derived values (averages, P&L) use toFixed.
 */

type Steps = Pick<Instrument, 'tickSize' | 'lotSize'>;

/** "50012.34" -> "50,012.34": the shared grouping the refusal texts use too. */
export const groupThousands = groupDigits;

/** Price in ticks -> "50,012.34". Non-integer ticks (average prices) are rounded to the tick's decimals. */
export function formatPrice(inst: Pick<Instrument, 'tickSize'>, ticks: number): string {
  if (!Number.isFinite(ticks)) return '–';
  if (Number.isInteger(ticks)) return groupThousands(formatUnits(ticks, inst.tickSize));
  return groupThousands(fromTicks(inst, ticks).toFixed(decimalPlaces(inst.tickSize)));
}

/** Size in lots -> "1.2500" with the lot's decimals (no grouping: sizes stay short). */
export function formatQty(inst: Pick<Instrument, 'lotSize'>, lots: number): string {
  if (!Number.isFinite(lots)) return '–';
  return formatUnits(Math.round(lots), inst.lotSize);
}

/** Money in quote units, signed: "+1,234.56", "-12.00", "0.00". */
export function formatPnl(value: number, places = 2): string {
  if (!Number.isFinite(value)) return '–';
  const fixed = Math.abs(value).toFixed(places);
  const zero = Number(fixed) === 0;
  return `${zero ? '' : value > 0 ? '+' : '-'}${groupThousands(fixed)}`;
}

/**
 * Money in 1e-8 quote (fees), exact: as many decimals as it needs, at least `minPlaces`:
 * 2313000000 -> "23.13", 12345 -> "0.00012345", -50 -> "-0.0000005".
 */
export function formatMoneyE8(e8: number, minPlaces = 2): string {
  if (!Number.isFinite(e8)) return '–';
  const text = formatUnits(Math.round(e8), '0.00000001');
  const dot = text.indexOf('.');
  let end = text.length;
  while (end > dot + 1 + minPlaces && text[end - 1] === '0') end--;
  return groupThousands(text.slice(0, end));
}

const countFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Whole counts for status bars: 12345 -> "12,345". One cached Intl formatter (toLocaleString builds one per call). */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? countFormat.format(n) : '–';
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Microseconds since the epoch -> local "HH:MM:SS.mmm". */
export function formatTimeUs(timeUs: number): string {
  if (!Number.isFinite(timeUs) || timeUs <= 0) return '–';
  const d = new Date(Math.floor(timeUs / 1000));
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

const statusNames = new Map<number, string>(
  Object.entries(OrderStatus).map(([name, value]): [number, string] => [value, name.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase()]),
);

/** OrderStatus -> "FILLED", "PARTIALLY FILLED", "PENDING CANCEL" … */
export function statusName(status: number): string {
  return statusNames.get(status) ?? `STATUS ${status}`;
}

/** Statuses in which an order can still trade (and be canceled or modified). */
const openStatuses = new Set<number>([
  OrderStatus.Initialized,
  OrderStatus.Submitted,
  OrderStatus.Accepted,
  OrderStatus.PendingUpdate,
  OrderStatus.PendingCancel,
  OrderStatus.PartiallyFilled,
  OrderStatus.Triggered,
  // A conditional order armed at the relay: open (it can be canceled), nothing at a venue yet.
  OrderStatus.PendingTrigger,
]);

export function isOpenStatus(status: number): boolean {
  return openStatuses.has(status);
}

export function sideName(side: number): 'BUY' | 'SELL' {
  return side === Side.Sell ? 'SELL' : 'BUY';
}

export function orderTypeName(type: number): string {
  return type === OrderType.Market ? 'MKT' : 'LMT';
}

const tifNames = new Map<number, string>(Object.entries(TimeInForce).map(([name, value]): [number, string] => [value, name.toUpperCase()]));
export function tifName(tif: number): string {
  return tifNames.get(tif) ?? '';
}

const algoNames = new Map<number, string>([
  [Algo.TWAP, 'TWAP'],
  [Algo.VWAP, 'VWAP'],
  [Algo.Iceberg, 'ICEBERG'],
]);
export function algoName(algo: number): string {
  return algoNames.get(algo) ?? '';
}

const typeWords = new Map<number, string>([
  [OrderType.Limit, 'Limit'],
  [OrderType.Market, 'Market'],
]);
const tifWords = new Map<number, string>([
  [TimeInForce.GTC, 'GTC'],
  [TimeInForce.IOC, 'IOC'],
  [TimeInForce.FOK, 'FOK'],
  [TimeInForce.Day, 'Day'],
]);
const algoWords = new Map<number, string>([
  [Algo.TWAP, 'TWAP'],
  [Algo.VWAP, 'VWAP'],
  [Algo.Iceberg, 'Iceberg'],
]);

/**
 * The blotter's type cell, in words with separators: "Limit · GTC · TWAP", "Market · IOC".
 * An unknown value is left out rather than shown as a number.
 */
export function orderTypeLabel(o: { orderType: number; timeInForce: number; algo: number }): string {
  return [typeWords.get(o.orderType), tifWords.get(o.timeInForce), algoWords.get(o.algo)].filter((w) => w !== undefined).join(' · ');
}

/** '' is smart order routing (orders) or the consolidated book (market data). */
export function venueLabel(venue: string, empty = 'SMART'): string {
  return venue === '' ? empty : venue;
}

/** Milliseconds -> "3 s" / "850 ms" for countdowns and RTT. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  return ms >= 1000 ? `${Math.ceil(ms / 1000)} s` : `${Math.round(ms)} ms`;
}

export type { Steps };
