import { describe, expect, it } from 'vitest';
import { BreakerOpenError, IDEMPOTENT_COMMANDS, isIdempotent, NON_IDEMPOTENT_COMMANDS } from '../src/index.js';
import { createOpossumBreaker } from '../src/internal/opossum-breaker.js';
import { findOutliers } from '../src/internal/outliers.js';
import { RollingWindow } from '../src/internal/rolling-window.js';

describe('RollingWindow', () => {
  it('counts per bucket and forgets what leaves the window, keeping lifetime totals', () => {
    const window = new RollingWindow(2, 16);
    window.success(1);
    window.failure(0, false);
    window.rotate();
    window.failure(100, true);
    window.rotate();
    window.success(3);
    expect(window.counts()).toEqual({ requests: 4, failures: 2, timeouts: 1 });
    window.rotate(); // the first bucket leaves
    expect(window.counts()).toEqual({ requests: 2, failures: 1, timeouts: 1 });
    expect(window.totals()).toEqual({ requests: 4, failures: 2, timeouts: 1 });
    // Samples: 1 (gone with its bucket), 100 (a timeout), 3; the fast failure has none.
    expect(window.latency()).toEqual({ samples: 2, p50Ms: 3, p99Ms: 100 });
    window.clear();
    expect(window.counts()).toEqual({ requests: 0, failures: 0, timeouts: 0 });
    expect(window.totals()).toEqual({ requests: 4, failures: 2, timeouts: 1 });
    expect(window.latency()).toEqual({ samples: 0, p50Ms: undefined, p99Ms: undefined });
  });

  it('computes nearest-rank percentiles over the newest samples only', () => {
    const window = new RollingWindow(1, 16);
    for (let ms = 1; ms <= 40; ms++) window.success(ms);
    // Newest 16 samples: 25..40. p50 = 8th = 32, p99 = 16th = 40.
    expect(window.latency()).toEqual({ samples: 16, p50Ms: 32, p99Ms: 40 });
  });
});

describe('findOutliers', () => {
  it('compares each p99 with the median of the other nodes', () => {
    // b: others (10, 12) -> median 11; 40 > 33. d is alone above nothing.
    expect(findOutliers(new Map([['a', 10], ['b', 40], ['c', 12]]), 3, 1)).toEqual(new Set(['b']));
    // Two nodes: each is measured against the other.
    expect(findOutliers(new Map([['a', 2], ['b', 9]]), 3, 1)).toEqual(new Set(['b']));
    // Below the floor nothing counts, and one node has nobody to compare with.
    expect(findOutliers(new Map([['a', 0.1], ['b', 0.9]]), 3, 1)).toEqual(new Set());
    expect(findOutliers(new Map([['a', 100]]), 3, 1)).toEqual(new Set());
    // A uniformly slow fleet has no outlier.
    expect(findOutliers(new Map([['a', 500], ['b', 510], ['c', 490], ['d', 505]]), 3, 1)).toEqual(new Set());
  });
});

describe('the opossum breaker', () => {
  it('runs trials while closed and never opens on its own', async () => {
    const breaker = createOpossumBreaker('a', 'closed');
    for (let i = 0; i < 50; i++) await expect(breaker.trial(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(breaker.state).toBe('closed');
    breaker.destroy();
  });

  it('fails fast with ERR_BREAKER_OPEN while open, and allows one trial while half-open', async () => {
    const breaker = createOpossumBreaker('a', 'closed');
    breaker.moveTo('open');
    await expect(breaker.trial(() => Promise.resolve())).rejects.toBeInstanceOf(BreakerOpenError);
    breaker.moveTo('halfOpen');
    let release = (): void => undefined;
    const first = breaker.trial(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(breaker.trial(() => Promise.resolve())).rejects.toMatchObject({ code: 'ERR_BREAKER_OPEN', node: 'a' });
    release();
    await first;
    expect(breaker.state).toBe('closed');
    breaker.moveTo('halfOpen');
    await expect(breaker.trial(() => Promise.reject(new Error('still down')))).rejects.toThrow('still down');
    expect(breaker.state).toBe('open');
    breaker.destroy();
  });
});

describe('isIdempotent', () => {
  it('knows each command, case-insensitively, and treats unknown ones as unsafe', () => {
    expect(['get', 'SET', 'delete', 'touch', 'mget'].every(isIdempotent)).toBe(true);
    expect(['incr', 'decr', 'add', 'cas', 'append', 'prepend'].some(isIdempotent)).toBe(false);
    expect(isIdempotent('flushall')).toBe(false);
    expect(IDEMPOTENT_COMMANDS.filter((command) => NON_IDEMPOTENT_COMMANDS.includes(command))).toEqual([]);
    expect(NON_IDEMPOTENT_COMMANDS.some(isIdempotent)).toBe(false);
  });
});
