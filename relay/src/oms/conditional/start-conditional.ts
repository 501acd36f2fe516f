import { Contingency, type Order } from '@tickmesh/shared';
import { BracketOrder } from './bracket-order';
import type { ConditionalContext, ConditionalHandle, ResumeState } from './conditional-port';
import { OcoOrder } from './oco-order';
import { StopOrder } from './stop-order';

/**
 * Starts the handle of a conditional order (`order.conditional` set, validated by
 * validateConditional). `resume`: the order is being re-armed after a restart — it resumes
 * at its journaled trigger level and adopts the legs its venue kept.
 */
export function startConditional(order: Order, ctx: ConditionalContext, resume?: ResumeState): ConditionalHandle {
  const c = order.conditional!;
  const level = order.trigger?.triggerPrice ?? c.triggerPrice;
  switch (c.contingency) {
    case Contingency.OCO:
      return new OcoOrder(order, ctx, level, resume).start();
    case Contingency.Bracket:
      return new BracketOrder(order, ctx, level, resume).start();
    default:
      return new StopOrder(order, ctx, level).start();
  }
}
