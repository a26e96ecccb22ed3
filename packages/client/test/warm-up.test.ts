// The warm-up window alone, on a virtual clock, with a ring worked out by hand: before the
// change, keys a1 and a2 were on node A and b1 on node B; the change moved a1 and a2 to C.
import { describe, expect, it } from 'vitest';
import type { Ring } from '@shardcache/ring';
import { WarmUp } from '../src/routing/warm-up.js';
import { VirtualClock } from './model/virtual-clock.js';

const BEFORE = { locate: (placement: string) => (placement.startsWith('a') ? 'A' : 'B') } as unknown as Ring;
const WINDOW_MS = 1_000;

function opened(maxTrackedKeys = 100): { warmUp: WarmUp; clock: VirtualClock } {
  const clock = new VirtualClock();
  const warmUp = new WarmUp(clock, WINDOW_MS, maxTrackedKeys);
  warmUp.open(BEFORE);
  return { warmUp, clock };
}

describe('WarmUp', () => {
  it('reads a moved key from its previous owner, only while the window is open', async () => {
    const { warmUp, clock } = opened();
    expect(warmUp.active).toBe(true);
    expect(warmUp.source('a1', 'a1', 'C', 'C')).toBe('A');
    expect(warmUp.previousOwner('b1', 'C')).toBe('B');
    // A key that did not move has no other place to read.
    expect(warmUp.source('b1', 'b1', 'B', 'B')).toBeUndefined();
    await clock.advance(WINDOW_MS - 1);
    expect(warmUp.source('a1', 'a1', 'C', 'C')).toBe('A');
    await clock.advance(1);
    expect(warmUp.source('a1', 'a1', 'C', 'C')).toBeUndefined();
    expect(warmUp.active).toBe(false);
  });

  it('warms only the planned owner, never a failover node', () => {
    const { warmUp } = opened();
    // C is out; a1 is served by D for now: a copy there is one the rejoin guard never heard of.
    expect(warmUp.source('a1', 'a1', 'D', 'C')).toBeUndefined();
    expect(warmUp.source('a1', 'a1', 'C', 'C')).toBe('A');
  });

  it('never warms a key written or deleted since the change', () => {
    const { warmUp } = opened();
    warmUp.written('a1');
    expect(warmUp.source('a1', 'a1', 'C', 'C')).toBeUndefined();
    expect(warmUp.source('a2', 'a2', 'C', 'C')).toBe('A');
  });

  it('ends early rather than track more than maxTrackedKeys written keys', () => {
    const { warmUp } = opened(2);
    warmUp.written('x1');
    warmUp.written('x2');
    expect(warmUp.active).toBe(true);
    warmUp.written('x3');
    expect(warmUp.active).toBe(false);
    expect(warmUp.source('a1', 'a1', 'C', 'C')).toBeUndefined();
  });

  it('opens no window with warmupMs 0, and a new change starts a new window', async () => {
    const clock = new VirtualClock();
    const none = new WarmUp(clock, 0, 100);
    none.open(BEFORE);
    expect(none.active).toBe(false);
    const { warmUp, clock: later } = opened();
    warmUp.written('a1');
    await later.advance(WINDOW_MS / 2);
    warmUp.open(BEFORE);
    expect(warmUp.source('a1', 'a1', 'C', 'C')).toBe('A');
    await later.advance(WINDOW_MS - 1);
    expect(warmUp.active).toBe(true);
    expect(warmUp.hits).toBe(0);
    warmUp.hit();
    expect(warmUp.hits).toBe(1);
  });
});
