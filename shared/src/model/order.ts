/** Numbering of these enums matches proto/orders.proto so the codec maps 1:1. */
export const OrderType = { Limit: 1, Market: 2 } as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

export const TimeInForce = { GTC: 1, IOC: 2, FOK: 3, Day: 4 } as const;
export type TimeInForce = (typeof TimeInForce)[keyof typeof TimeInForce];

/** `Denied` = refused by our risk; `Rejected` = refused by the venue. */
export const OrderStatus = {
  Initialized: 1,
  Denied: 2,
  Submitted: 3,
  Accepted: 4,
  Rejected: 5,
  PendingUpdate: 6,
  PendingCancel: 7,
  PartiallyFilled: 8,
  Filled: 9,
  Canceled: 10,
  Expired: 11,
  Triggered: 12,
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

export const ExecType = {
  New: 1,
  Trade: 2,
  Canceled: 3,
  Replaced: 4,
  Rejected: 5,
  Denied: 6,
  Expired: 7,
  PendingCancel: 8,
  PendingReplace: 9,
  CancelRejected: 10,
  Status: 11,
} as const;
export type ExecType = (typeof ExecType)[keyof typeof ExecType];
