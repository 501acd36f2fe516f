import { Algo, ErrorCode, OrderType, TimeInForce, fail, ok, type OrderIntent, type Result } from '@tickmesh/shared';

/**
 * Checks an algo parent's parameters before the OMS accepts it; `AlgoRunner.start` assumes
 * they passed. TWAP/VWAP: positive integer qty, finite `durationMs` >= 0 (0 = the default
 * horizon). Iceberg: a limit order, positive integer `displayQty`, GTC or Day (it rests).
 */
export function validateAlgo(intent: OrderIntent): Result<true, typeof ErrorCode.OMS_ALGO_INVALID_PARAMS> {
  const bad = (why: string) => fail(ErrorCode.OMS_ALGO_INVALID_PARAMS, why);
  if (!Number.isSafeInteger(intent.qty) || intent.qty <= 0) return bad('qty must be a positive integer');
  switch (intent.algo) {
    case Algo.TWAP:
    case Algo.VWAP:
      if (!Number.isFinite(intent.durationMs) || intent.durationMs < 0) return bad('durationMs must be >= 0');
      return ok(true);
    case Algo.Iceberg:
      if (intent.orderType !== OrderType.Limit) return bad('iceberg must be a limit order');
      if (!Number.isSafeInteger(intent.displayQty) || intent.displayQty <= 0) return bad('displayQty must be a positive integer');
      if (intent.timeInForce !== TimeInForce.GTC && intent.timeInForce !== TimeInForce.Day) {
        return bad('iceberg must be GTC or Day');
      }
      return ok(true);
    default:
      return bad(`not an algo: ${intent.algo}`);
  }
}
