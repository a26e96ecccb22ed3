import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BreakerOpenError, ClosedError, NodeHealth, type NodeHealthOptions, type StateChange } from '../src/index.js';
import { connectionReset, fakeNode, timedOut, type FakeNode } from './support/fake-node.js';

const START = 1_700_000_000_000;

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(options: NodeHealthOptions = {}, node: FakeNode = fakeNode()) {
  // No jitter: every probe time below can be worked out by hand.
  const health = new NodeHealth('cache-a:11211', {
    autoEjectHosts: true,
    probe: node.probe,
    serverFailureLimit: 2,
    serverRetryTimeout: 1000,
    probeIntervalMs: 100,
    probeJitter: 0,
    successThreshold: 3,
    ...options,
  });
  const changes: StateChange[] = [];
  health.on('state', (change) => changes.push(change));
  const path = () => changes.map(({ to, reason }) => `${to}:${reason}`);
  return { health, node, changes, path };
}

describe('NodeHealth transitions', () => {
  it('stays up through successes and isolated failures, emitting nothing', () => {
    const { health, changes } = setup();
    health.recordSuccess(1);
    health.recordFailure(connectionReset(), 1);
    health.recordSuccess(1);
    health.recordFailure(connectionReset(), 1);
    expect(health.state).toBe('up');
    expect(health.admits()).toBe(true);
    expect(changes).toEqual([]);
  });

  it('walks up -> ejected -> probing -> up, with the breaker failing fast in between', async () => {
    const { health, node, changes, path } = setup();
    node.healthy = false;
    health.recordFailure(connectionReset(), 1);
    health.recordFailure(connectionReset(), 1);
    expect(health.state).toBe('ejected');
    expect(health.admits()).toBe(false);
    expect(health.retryAt).toBe(START + 1000);
    const error: unknown = (() => {
      try {
        health.gate();
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(BreakerOpenError);
    expect(error).toMatchObject({ code: 'ERR_BREAKER_OPEN', node: 'cache-a:11211', retryAt: START + 1000 });
    expect(changes[0]).toEqual({ node: 'cache-a:11211', from: 'up', to: 'ejected', reason: 'failures', at: START, retryAt: START + 1000 });

    // No probes while ejected: twemproxy's retry timeout is a penalty, not a probe interval.
    await vi.advanceTimersByTimeAsync(999);
    expect(health.state).toBe('ejected');
    expect(node.probes).toBe(0);
    node.healthy = true;
    await vi.advanceTimersByTimeAsync(1);
    expect(health.state).toBe('probing');
    expect(health.admits()).toBe(false);
    // Probes at +0, +100, +200 (no jitter); the third success restores the node.
    await vi.advanceTimersByTimeAsync(199);
    expect(health.state).toBe('probing');
    expect(node.probes).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(health.state).toBe('up');
    expect(node.probes).toBe(3);
    expect(path()).toEqual(['ejected:failures', 'probing:retry-timeout', 'up:probes-passed']);
    expect(health.admits()).toBe(true);
    expect(() => health.gate()).not.toThrow();
    // Probes stop once up (probeAlways is off).
    await vi.advanceTimersByTimeAsync(1000);
    expect(node.probes).toBe(3);
  });

  it('goes back to ejected when a probe fails, doubling the ejection each time up to maxEjectionMs', async () => {
    const { health, node, path } = setup({ maxEjectionMs: 3000 });
    node.healthy = false;
    health.recordFailure(connectionReset(), 1);
    health.recordFailure(connectionReset(), 1);
    expect(health.retryAt).toBe(START + 1000);
    await vi.advanceTimersByTimeAsync(1000); // probing, and the first probe fails at once
    expect(health.state).toBe('ejected');
    expect(health.retryAt).toBe(Date.now() + 2000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(health.state).toBe('ejected');
    expect(health.retryAt).toBe(Date.now() + 3000); // 4000, capped at 3000
    expect(health.stats.ejectionStreak).toBe(3);
    expect(path()).toEqual(['ejected:failures', 'probing:retry-timeout', 'ejected:probe-failed', 'probing:retry-timeout', 'ejected:probe-failed']);
  });

  it('needs successThreshold probes in a row: one failure among them re-ejects', async () => {
    const { health, node, path } = setup();
    health.recordFailure(connectionReset(), 1);
    health.recordFailure(connectionReset(), 1);
    await vi.advanceTimersByTimeAsync(1000 + 100); // probing; probes at +1000 and +1100 passed
    node.healthy = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(path()).toEqual(['ejected:failures', 'probing:retry-timeout', 'ejected:probe-failed']);
  });

  it('starts a new ejection streak once the node has stayed up for maxEjectionMs', async () => {
    const { health } = setup({ maxEjectionMs: 5000 });
    const eject = () => {
      health.recordFailure(connectionReset(), 1);
      health.recordFailure(connectionReset(), 1);
    };
    eject();
    await vi.advanceTimersByTimeAsync(1000 + 200); // probes pass at +1000, +1100, +1200
    expect(health.state).toBe('up');
    eject();
    expect(health.retryAt).toBe(Date.now() + 2000);
    await vi.advanceTimersByTimeAsync(2000 + 200);
    expect(health.state).toBe('up');
    await vi.advanceTimersByTimeAsync(4999);
    eject();
    expect(health.retryAt).toBe(Date.now() + 4000); // up for less than 5000: the streak goes on
    await vi.advanceTimersByTimeAsync(4000 + 200 + 5000);
    eject();
    expect(health.stats.ejectionStreak).toBe(1);
    expect(health.retryAt).toBe(Date.now() + 1000);
  });

  it('marks the node suspect instead when autoEjectHosts is off, probes it, and recovers it', async () => {
    const { health, node, path } = setup({ autoEjectHosts: false });
    node.healthy = false;
    health.recordFailure(connectionReset(), 1);
    health.recordFailure(connectionReset(), 1);
    health.recordFailure(connectionReset(), 1);
    expect(health.state).toBe('suspect');
    expect(health.admits()).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(health.state).toBe('suspect');
    expect(node.probes).toBeGreaterThan(0);
    node.healthy = true;
    await vi.advanceTimersByTimeAsync(300);
    expect(path()).toEqual(['suspect:failures', 'up:recovered']);
  });

  it('recovers a suspect node through request successes too, without a probe', () => {
    const health = new NodeHealth('b', { serverFailureLimit: 1, successThreshold: 2 });
    health.recordFailure(connectionReset(), 1);
    expect(health.state).toBe('suspect');
    health.recordSuccess(1);
    expect(health.state).toBe('suspect');
    health.recordSuccess(1);
    expect(health.state).toBe('up');
  });

  it('stays suspect with reason ejection-capped when it may not be ejected', () => {
    let allowed = false;
    const { health, path } = setup({ canEject: () => allowed });
    health.recordFailure(connectionReset(), 1);
    health.recordFailure(connectionReset(), 1);
    health.recordFailure(connectionReset(), 1);
    expect(path()).toEqual(['suspect:ejection-capped']);
    allowed = true;
    health.recordFailure(connectionReset(), 1);
    expect(path()).toEqual(['suspect:ejection-capped', 'ejected:failures']);
  });

  it('trips on the error rate once the window holds minimumVolume requests', () => {
    const { health, path } = setup({ serverFailureLimit: 100, minimumVolume: 10, errorRateThreshold: 0.5 });
    for (let i = 0; i < 4; i++) {
      health.recordSuccess(1);
      health.recordFailure(connectionReset(), 1);
    }
    expect(health.state).toBe('up'); // 4 of 8: below the volume
    health.recordSuccess(1);
    health.recordFailure(connectionReset(), 1); // 5 of 10
    expect(path()).toEqual(['ejected:error-rate']);
  });

  it('forgets failures that have left the window', async () => {
    const { health } = setup({ serverFailureLimit: 100, minimumVolume: 4, errorRateThreshold: 0.5, windowMs: 2000, bucketMs: 1000 });
    health.recordFailure(connectionReset(), 1);
    health.recordFailure(connectionReset(), 1);
    health.recordFailure(connectionReset(), 1);
    expect(health.stats.failures).toBe(3);
    await vi.advanceTimersByTimeAsync(3000);
    expect(health.stats).toMatchObject({ failures: 0, totalFailures: 3 });
    health.recordFailure(connectionReset(), 1);
    expect(health.state).toBe('up');
  });

  it('counts timeouts as failures, and cache semantics as successes', () => {
    const { health } = setup({ serverFailureLimit: 3 });
    const notStored = Object.assign(new Error('NOT_STORED'), { code: 'NOT_STORED' });
    const tooLarge = Object.assign(new Error('EXISTS'), { code: 'EXISTS' });
    health.recordFailure(timedOut(), 1000);
    health.recordFailure(timedOut(), 1000);
    health.recordFailure(notStored, 1); // the node answered: the streak of failures ends
    health.recordFailure(tooLarge, 1);
    health.recordFailure(new TypeError('key must be a string'), 0);
    health.recordFailure(timedOut(), 1000);
    expect(health.state).toBe('up');
    expect(health.stats).toMatchObject({ requests: 6, failures: 3, timeouts: 3, lastErrorCode: 'ETIMEDOUT', consecutiveFailures: 1 });
  });

  it('takes a custom errorFilter', () => {
    const { health } = setup({ serverFailureLimit: 1, errorFilter: (error) => error instanceof RangeError });
    health.recordFailure(new RangeError('miss'), 1);
    expect(health.state).toBe('up');
    health.recordFailure(new Error('boom'), 1);
    expect(health.state).toBe('ejected');
    expect(health.stats.lastErrorCode).toBe('Error');
  });

  it('probes an idle node when probeAlways is on, and ejects it when probes time out', async () => {
    const node = fakeNode();
    const { health, path } = setup({ probeAlways: true, timeout: 50, probe: (_id, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))) }, node);
    // Probes start at +0 and +100 (paced by the interval); each times out after 50 ms.
    await vi.advanceTimersByTimeAsync(149);
    expect(health.state).toBe('up');
    await vi.advanceTimersByTimeAsync(1);
    expect(path()).toEqual(['ejected:failures']);
    expect(health.stats.lastErrorCode).toBe('ERR_ATTEMPT_TIMEOUT');
  });

  it('reports stats with latency percentiles over the window', async () => {
    const { health } = setup({ windowMs: 2000, bucketMs: 1000 });
    for (let ms = 1; ms <= 100; ms++) health.recordSuccess(ms);
    health.recordFailure(connectionReset(), 0);
    await vi.advanceTimersByTimeAsync(250);
    expect(health.stats).toEqual({
      node: 'cache-a:11211',
      state: 'up',
      requests: 101,
      failures: 1,
      timeouts: 0,
      totalRequests: 101,
      totalFailures: 1,
      totalTimeouts: 0,
      latencySamples: 100,
      p50Ms: 50,
      p99Ms: 99,
      lastErrorCode: 'ECONNRESET',
      timeInStateMs: 250,
      consecutiveFailures: 1,
      ejectionStreak: 0,
    });
    expect(Object.isFrozen(health.stats)).toBe(true);
    await vi.advanceTimersByTimeAsync(3000);
    expect(health.stats).toMatchObject({ requests: 0, latencySamples: 0, p50Ms: undefined, p99Ms: undefined, totalRequests: 101 });
  });

  it('keeps only the newest latencySamples samples', () => {
    const { health } = setup({ latencySamples: 16 });
    for (let ms = 1; ms <= 100; ms++) health.recordSuccess(ms);
    expect(health.stats).toMatchObject({ latencySamples: 16, p50Ms: 92, p99Ms: 100 });
  });

  it('stops its timers on close; gate then fails with ERR_CLIENT_CLOSED', async () => {
    const { health } = setup({ probeAlways: true });
    await vi.advanceTimersByTimeAsync(10);
    await health.close();
    await health.close();
    await health.destroy();
    expect(vi.getTimerCount()).toBe(0);
    expect(health.admits()).toBe(false);
    expect(() => health.gate()).toThrow(ClosedError);
  });
});
