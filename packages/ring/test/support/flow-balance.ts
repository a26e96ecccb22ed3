import { expect } from 'vitest';
import type { Ring, RingDiff } from '../../src/index.js';

/**
 * A diff's bookkeeping: its flows add up to `moved`, and every node's share in `b` is its share in
 * `a` minus what flows out plus what flows in (to 1e-12).
 */
export function expectFlowsBalance(a: Ring, b: Ring, d: RingDiff): void {
  expect(d.flows.reduce((s, f) => s + f.share, 0)).toBeCloseTo(d.moved, 12);
  expect(d.moved).toBeLessThanOrEqual(1);
  for (const id of new Set([...a.nodes, ...b.nodes].map((n) => n.id))) {
    const out = d.flows.filter((f) => f.from === id).reduce((s, f) => s + f.share, 0);
    const inflow = d.flows.filter((f) => f.to === id).reduce((s, f) => s + f.share, 0);
    expect(b.shareOf(id)).toBeCloseTo(a.shareOf(id) - out + inflow, 12);
  }
}
