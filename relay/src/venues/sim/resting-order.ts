import type { Side } from '@tickmesh/shared';
import type { PriceLevel } from './price-level';

/**
 * One live order in the matching engine: a node of its level's intrusive FIFO. Instances are
 * pooled and reused by the engine, so nothing outside the engine may hold on to one.
 */
export class RestingOrder {
  id = 0;
  account = 0;
  side: Side = 1;
  /** Limit price in ticks. */
  price = 0;
  /** Total order quantity in lots (as last set by submit or replace). */
  qty = 0;
  /** Lots filled so far, across replaces. */
  filled = 0;
  /** Lots still open: qty - filled while resting. */
  remaining = 0;
  postOnly = false;
  level: PriceLevel | null = null;
  prev: RestingOrder | null = null;
  next: RestingOrder | null = null;
}
