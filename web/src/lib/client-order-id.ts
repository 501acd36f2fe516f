/**
 * Client order ids: `web-<epoch ms in base 36>-<counter>`. The time part keeps ids unique across
 * reloads of the page (the relay refuses a reused id with OMS_DUPLICATE_CLIENT_ORDER_ID); the
 * counter keeps them unique within one millisecond.
 */
export function createClientOrderIds(now: () => number = Date.now): () => string {
  let counter = 0;
  return () => `web-${Math.floor(now()).toString(36)}-${++counter}`;
}

/** The page's one generator. */
export const nextClientOrderId = createClientOrderIds();
