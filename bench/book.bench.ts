/**
 * L2 book throughput: FastBook vs ReferenceBook vs ccxt's ws order book (the structure ccxt
 * keeps for every watchOrderBook stream), all replaying the SAME deterministic stream. The
 * books must end identical before any figure is printed. Budget (DESIGN.md): >= 20 M level
 * updates/s and >= 10x ccxt. Printed for reference, never asserted.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FastBook, ReferenceBook, type L2Book } from '../shared/src/book/index';
import { mulberry32, randomInt, Side } from '../shared/src/model/index';
import { formatNumber, opsPerSecond, printTable } from './table';

// ---------------------------------------------------------------- stream

interface Stream {
  side: Uint8Array;
  price: Float64Array;
  size: Float64Array;
  length: number;
}

const UPDATES = 2_000_000;
const BOOK_LEVELS = 1000;

/**
 * A feed-like stream: ~1000 levels per side around a random-walk mid (spread 2 ticks).
 * 80% of updates land within 10 levels of the top, the rest anywhere in the book; 10% are
 * deletes (holes that later updates refill); every mid move deletes the old best ask or bid,
 * inserts a new top level on the other side and trims / extends the far ends, as a real
 * book scrolls. Starts with the levels of an initial snapshot.
 */
function makeStream(count: number, seed: number): Stream {
  const rand = mulberry32(seed);
  const s: Stream = { side: new Uint8Array(count), price: new Float64Array(count), size: new Float64Array(count), length: 0 };
  const push = (side: Side, price: number, size: number) => {
    const i = s.length++;
    s.side[i] = side;
    s.price[i] = price;
    s.size[i] = size;
  };
  let mid = 5_000_000;
  for (let d = 0; d < BOOK_LEVELS; d++) {
    push(Side.Buy, mid - 1 - d, randomInt(rand, 1, 1000));
    push(Side.Sell, mid + 1 + d, randomInt(rand, 1, 1000));
  }
  while (s.length < count - 4) {
    if (rand() < 0.02) {
      const up = rand() < 0.5;
      if (up) {
        push(Side.Sell, mid + 1, 0); // best ask lifted
        push(Side.Buy, mid, randomInt(rand, 1, 1000)); // new best bid
        push(Side.Buy, mid - BOOK_LEVELS, 0); // far bid falls out of the window
        push(Side.Sell, mid + 1 + BOOK_LEVELS, randomInt(rand, 1, 1000)); // far ask enters
        mid++;
      } else {
        push(Side.Buy, mid - 1, 0);
        push(Side.Sell, mid, randomInt(rand, 1, 1000));
        push(Side.Sell, mid + BOOK_LEVELS, 0);
        push(Side.Buy, mid - 1 - BOOK_LEVELS, randomInt(rand, 1, 1000));
        mid--;
      }
      continue;
    }
    const side = rand() < 0.5 ? Side.Buy : Side.Sell;
    const d = rand() < 0.8 ? randomInt(rand, 0, 9) : randomInt(rand, 10, BOOK_LEVELS - 1);
    const size = rand() < 0.1 ? 0 : randomInt(rand, 1, 1000);
    push(side, side === Side.Buy ? mid - 1 - d : mid + 1 + d, size);
  }
  return s;
}

// ---------------------------------------------------------------- replays
// One function per implementation so each call site stays monomorphic, as in production.

function replayFast(book: FastBook, s: Stream): number {
  const { side, price, size, length } = s;
  for (let i = 0; i < length; i++) book.apply(side[i] as Side, price[i]!, size[i]!);
  return length;
}

function replayReference(book: ReferenceBook, s: Stream): number {
  const { side, price, size, length } = s;
  for (let i = 0; i < length; i++) book.apply(side[i] as Side, price[i]!, size[i]!);
  return length;
}

/** The parts of ccxt's ws OrderBook (js/src/base/ws/OrderBook.js) this bench uses. */
interface CcxtSide extends Array<[number, number]> {
  store(price: number, size: number): void;
}
interface CcxtOrderBook {
  bids: CcxtSide;
  asks: CcxtSide;
}
type CcxtOrderBookCtor = new (snapshot?: object, depth?: number) => CcxtOrderBook;

function replayCcxt(book: CcxtOrderBook, s: Stream): number {
  const { side, price, size, length } = s;
  const bids = book.bids;
  const asks = book.asks;
  // store(price, size) is what ccxt's exchange handlers call per level (handleDelta).
  for (let i = 0; i < length; i++) (side[i] === Side.Buy ? bids : asks).store(price[i]!, size[i]!);
  return length;
}

// ---------------------------------------------------------------- verify

function levelsOf(book: L2Book, side: Side): Array<[number, number]> {
  const { price, size } = book.levels(side);
  return price.map((p, i) => [p, size[i]!]);
}

function assertSameLevels(name: string, got: Array<[number, number]>, want: Array<[number, number]>): void {
  if (got.length !== want.length) throw new Error(`${name}: depth ${got.length} != ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    if (got[i]![0] !== want[i]![0] || got[i]![1] !== want[i]![1]) {
      throw new Error(`${name}: level ${i} is ${got[i]} != ${want[i]}`);
    }
  }
}

// ---------------------------------------------------------------- main

// ccxt's package entry loads every exchange (~0.5 s) and does not export the ws book, so the
// module file is imported directly (package "exports" would refuse the bare subpath).
const ccxtFile = join(process.cwd(), 'node_modules/ccxt/js/src/base/ws/OrderBook.js');
const { OrderBook } = (await import(pathToFileURL(ccxtFile).href)) as { OrderBook: CcxtOrderBookCtor };

const stream = makeStream(UPDATES, 20240611);

const fast = new FastBook();
const reference = new ReferenceBook();
const ccxt = new OrderBook({});
replayFast(fast, stream);
replayReference(reference, stream);
replayCcxt(ccxt, stream);
fast.validateInternalState();
for (const side of [Side.Buy, Side.Sell]) {
  const want = levelsOf(reference, side);
  assertSameLevels(`FastBook ${side}`, levelsOf(fast, side), want);
  const ccxtSide = side === Side.Buy ? ccxt.bids : ccxt.asks;
  assertSameLevels(`ccxt ${side}`, ccxtSide.map(([p, q]) => [p, q] as [number, number]), want);
}
if (fast.checksum() !== reference.checksum() || fast.stateHash() !== reference.stateHash()) {
  throw new Error('FastBook and ReferenceBook disagree on checksum / stateHash');
}


const MIN_MS = 2000;
const ccxtRate = opsPerSecond(() => replayCcxt(new OrderBook({}), stream), MIN_MS);
const refRate = opsPerSecond(() => replayReference(new ReferenceBook(), stream), MIN_MS);
const fastRate = opsPerSecond(() => replayFast(new FastBook(), stream), MIN_MS);

printTable(
  `L2 book: ${formatNumber(stream.length)} level updates (~${BOOK_LEVELS} levels/side, 80% within 10 levels of the top), node ${process.version}`,
  [
    { implementation: 'FastBook', 'updates/s': fastRate, 'ratio vs ccxt': `${(fastRate / ccxtRate).toFixed(1)}x` },
    { implementation: 'ReferenceBook (Map)', 'updates/s': refRate, 'ratio vs ccxt': `${(refRate / ccxtRate).toFixed(1)}x` },
    { implementation: 'ccxt ws OrderBook (store)', 'updates/s': ccxtRate, 'ratio vs ccxt': '1.0x' },
  ],
  [
    `Books verified identical (all ${fast.depth(Side.Buy)} bid / ${fast.depth(Side.Sell)} ask levels) before timing. Budget: >= 20 M/s and >= 10x ccxt.`,
    'ReferenceBook only writes a hash map per update and sorts on read, so its figure is not that of',
    'an ordered book: it pays at every bestBid()/levels() call instead (the worker reads the top each frame).',
  ].join('\n'),
);

let sink = 0;
const CALLS = 20_000;
const checksumRate = opsPerSecond(() => {
  for (let i = 0; i < CALLS; i++) sink ^= fast.checksum();
  return CALLS;
}, 1000);
const hashRate = opsPerSecond(() => {
  for (let i = 0; i < 200; i++) sink ^= fast.stateHash().length;
  return 200;
}, 1000);
printTable('Book digests (FastBook, final book of the stream)', [
  { digest: 'checksum() top 25/side CRC32', 'calls/s': checksumRate, 'µs/call': 1e6 / checksumRate },
  { digest: `stateHash() all ${fast.depth(Side.Buy) + fast.depth(Side.Sell)} levels`, 'calls/s': hashRate, 'µs/call': 1e6 / hashRate },
]);
if (sink === 0.5) console.log(sink); // keep the loops observable
