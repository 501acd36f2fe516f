/** Order/aggressor side. Numbering matches tickmesh.v1.Side so the codec maps it 1:1. */
export const Side = { Buy: 1, Sell: 2 } as const;
export type Side = (typeof Side)[keyof typeof Side];

export function oppositeSide(side: Side): Side {
  return side === Side.Buy ? Side.Sell : Side.Buy;
}

export function isSide(v: unknown): v is Side {
  return v === Side.Buy || v === Side.Sell;
}
