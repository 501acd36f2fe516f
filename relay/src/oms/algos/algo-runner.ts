import { Algo, type Order, type OrderIntent, type Result } from '@tickmesh/shared';
import type { AlgoContext, AlgoRouter, OmsAlgos } from './algo-port';
import { resolveAlgoOptions, type AlgoRunnerOptions, type ResolvedAlgoOptions } from './algo-options';
import type { ChildAlgo } from './child-algo';
import { IcebergAlgo } from './iceberg-algo';
import { TwapAlgo } from './twap-algo';
import { validateAlgo } from './validate-algo';
import { VwapAlgo } from './vwap-algo';

/** Starts the execution algo a parent order names (`parent.algo`). */
export class AlgoRunner implements OmsAlgos {
  readonly options: ResolvedAlgoOptions;

  /**
   * `router` (the relay's `SmartOrderRouter`) splits the clips of parents on venue '' into
   * venue legs, so every child sent names a venue; without it children keep venue ''.
   * Throws RangeError on an invalid option (configuration is checked at startup).
   */
  constructor(
    options: AlgoRunnerOptions = {},
    private readonly router?: AlgoRouter,
  ) {
    this.options = resolveAlgoOptions(options);
  }

  /** Business check of a parent's algo parameters; fails with `OMS_ALGO_INVALID_PARAMS`. */
  validate(intent: OrderIntent): Result<true, string> {
    return validateAlgo(intent);
  }

  /**
   * Starts the algo; nothing is sent before the first timer fires (0 ms), so the OMS can
   * register the returned handle first. Throws RangeError when `validate` would fail: the
   * OMS validates before accepting the parent, so that is a bug.
   */
  start(parent: Order, ctx: AlgoContext): ChildAlgo {
    const v = validateAlgo(parent);
    if (!v.ok) throw new RangeError(`${v.reason.code}: ${v.reason.message}`);
    switch (parent.algo) {
      case Algo.TWAP:
        return new TwapAlgo(parent, ctx, this.options, this.router);
      case Algo.VWAP:
        return new VwapAlgo(parent, ctx, this.options, this.router);
      default:
        return new IcebergAlgo(parent, ctx, this.router);
    }
  }
}
