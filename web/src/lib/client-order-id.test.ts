import { describe, expect, it } from 'vitest';
import { createClientOrderIds } from './client-order-id';

describe('client order ids', () => {
  it('are web-<time base36>-<counter> and unique within one millisecond', () => {
    const next = createClientOrderIds(() => 1_767_225_600_000);
    const a = next();
    const b = next();
    expect(a).toBe(`web-${(1_767_225_600_000).toString(36)}-1`);
    expect(b).toBe(`web-${(1_767_225_600_000).toString(36)}-2`);
    expect(a).toMatch(/^web-[0-9a-z]+-\d+$/);
  });

  it('differ across page loads through the time part', () => {
    expect(createClientOrderIds(() => 1000)()).not.toBe(createClientOrderIds(() => 1001)());
  });
});
