import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClosedError, DuplicateNodeError, HealthRegistry, type HealthRegistryOptions, type StateChange, UnknownNodeError } from '../src/index.js';
import { connectionReset, fakeNode } from './support/fake-node.js';

const START = 1_700_000_000_000;

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

function fleet(size: number, options: HealthRegistryOptions = {}) {
  const node = fakeNode();
  const registry = new HealthRegistry({ autoEjectHosts: true, probe: node.probe, serverRetryTimeout: 1000, probeIntervalMs: 100, probeJitter: 0, ...options });
  const ids = Array.from({ length: size }, (_, i) => `cache-${i}:11211`);
  for (const id of ids) registry.add(id);
  const events: string[] = [];
  registry.on('node:ejected', ({ node: id }) => events.push(`ejected ${id}`));
  registry.on('node:restored', ({ node: id }) => events.push(`restored ${id}`));
  const trip = (id: string) => {
    const health = registry.get(id);
    health.recordFailure(connectionReset(), 1);
    health.recordFailure(connectionReset(), 1);
  };
  return { registry, node, ids, events, trip };
}

describe('HealthRegistry', () => {
  it('announces ejection and restoration, and only those ring changes', async () => {
    const { registry, ids, events, trip } = fleet(3);
    const changes: StateChange[] = [];
    registry.on('node:state', (change) => changes.push(change));
    trip('cache-1:11211');
    expect(events).toEqual(['ejected cache-1:11211']);
    await vi.advanceTimersByTimeAsync(1200);
    expect(events).toEqual(['ejected cache-1:11211', 'restored cache-1:11211']);
    expect(changes.map(({ node, to }) => `${node} ${to}`)).toEqual(['cache-1:11211 ejected', 'cache-1:11211 probing', 'cache-1:11211 up']);
    expect(registry.nodes).toEqual(ids);
    await registry.close();
  });

  it('caps ejections at the max-ejected share; the rest stay suspect and in the ring', async () => {
    const { registry, events, trip } = fleet(4, { maxEjectedShare: 0.5 });
    expect(registry.maxEjected).toBe(2);
    for (let i = 0; i < 4; i++) trip(`cache-${i}:11211`);
    expect(events).toEqual(['ejected cache-0:11211', 'ejected cache-1:11211']);
    expect(registry.get('cache-2:11211').state).toBe('suspect');
    expect(registry.get('cache-3:11211').admits()).toBe(true);
    expect(registry.stats).toMatchObject({ ejected: 2, maxEjected: 2 });
    // Probing nodes are still out of the ring and still count against the cap.
    await vi.advanceTimersByTimeAsync(1000);
    expect(registry.get('cache-0:11211').state).toBe('probing');
    trip('cache-2:11211');
    expect(registry.get('cache-2:11211').state).toBe('suspect');
    await vi.advanceTimersByTimeAsync(200);
    expect(registry.get('cache-0:11211').state).toBe('up');
    // Once one is back, the next failure of a capped node may eject it.
    trip('cache-2:11211');
    expect(events.at(-1)).toBe('ejected cache-2:11211');
    await registry.close();
  });

  it('counts against the cap the nodes its owner says the ring still holds out (heldOut)', () => {
    const held = new Set(['cache-0:11211']);
    const { registry, events, trip } = fleet(4, { maxEjectedShare: 0.5, heldOut: (id) => held.has(id) });
    // cache-0 is up as far as health knows, but out of the ring: one more may go, not two.
    trip('cache-1:11211');
    trip('cache-2:11211');
    expect(events).toEqual(['ejected cache-1:11211']);
    expect(registry.get('cache-2:11211').state).toBe('suspect');
    expect(registry.stats).toMatchObject({ ejected: 2, maxEjected: 2 });
    // Back in the ring: the next failure of the capped node ejects it.
    held.clear();
    trip('cache-2:11211');
    expect(events.at(-1)).toBe('ejected cache-2:11211');
    expect(() => new HealthRegistry({ heldOut: 'cache-0' as unknown as () => boolean })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', message: expect.stringContaining('heldOut') }));
    void registry.destroy();
  });

  it('never ejects the only node, and ejects one node of two', () => {
    const one = fleet(1);
    expect(one.registry.maxEjected).toBe(0);
    one.trip('cache-0:11211');
    expect(one.registry.get('cache-0:11211').state).toBe('suspect');
    const two = fleet(2, { maxEjectedShare: 0.1 });
    expect(two.registry.maxEjected).toBe(1);
    void one.registry.destroy();
    void two.registry.destroy();
  });

  it('marks a node whose p99 stays above k x the others median suspect, then ejects when asked', async () => {
    const { registry, events } = fleet(4, { outlierFactor: 3, outlierWindowMs: 3000, outlierMinSamples: 20, ejectOutliers: true });
    const states: string[] = [];
    registry.on('node:state', ({ node, to, reason }) => states.push(`${node} ${to} ${reason}`));
    const traffic = (slowMs: number) => {
      for (let i = 0; i < 50; i++) {
        for (const id of registry.nodes) {
          const health = registry.get(id);
          if (health.admits()) health.recordSuccess(id === 'cache-3:11211' ? slowMs : 2 + (i % 3));
        }
      }
    };
    // 10 ms against ~4 ms: p99 of 10 > 3 x 4 is false; no outlier.
    for (let s = 0; s < 5; s++) {
      traffic(10);
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(states).toEqual([]);
    // 50 ms: an outlier from the next check; marked once it has stayed one for 3 s.
    for (let s = 0; s < 3; s++) {
      traffic(50);
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(states).toEqual([]);
    traffic(50);
    await vi.advanceTimersByTimeAsync(1000);
    expect(states).toEqual(['cache-3:11211 ejected latency']);
    expect(events).toEqual(['ejected cache-3:11211']);
    await registry.close();
  });

  it('marks an outlier suspect only, and clears it when its latency falls back', async () => {
    const { registry } = fleet(3, { outlierWindowMs: 1000, outlierMinSamples: 10, windowMs: 2000 });
    const slow = registry.get('cache-2:11211');
    const traffic = (slowMs: number) => {
      for (let i = 0; i < 20; i++) for (const id of registry.nodes) registry.get(id).recordSuccess(id === 'cache-2:11211' ? slowMs : 1 + (i % 2));
    };
    for (let s = 0; s < 3; s++) {
      traffic(100);
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(slow.state).toBe('suspect');
    expect(slow.admits()).toBe(true);
    for (let s = 0; s < 4; s++) {
      traffic(2);
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(slow.state).toBe('up');
    await registry.close();
  });

  it('caps outlier ejections too, so a fleet-wide slowdown keeps its ring', async () => {
    const { registry } = fleet(4, { outlierWindowMs: 1000, outlierMinSamples: 10, ejectOutliers: true, maxEjectedShare: 0.34 });
    const latency: Record<string, number> = { 'cache-0:11211': 1, 'cache-1:11211': 1, 'cache-2:11211': 1000, 'cache-3:11211': 1000 };
    // Each slow node's reference is the median of the other three (1, 1, 1000) = 1: both are
    // outliers, flagged at +1 s and marked at +2 s. The cap (floor(0.34 x 4) = 1) ejects one.
    for (let s = 0; s < 2; s++) {
      for (let i = 0; i < 20; i++) for (const [id, ms] of Object.entries(latency)) if (registry.get(id).admits()) registry.get(id).recordSuccess(ms);
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(registry.nodes.map((id) => registry.get(id).state)).toEqual(['up', 'up', 'ejected', 'suspect']);
    expect(registry.stats).toMatchObject({ ejected: 1, maxEjected: 1 });
    await registry.close();
  });

  it('returns frozen stats per node', async () => {
    const { registry } = fleet(2);
    registry.get('cache-0:11211').recordSuccess(3);
    await vi.advanceTimersByTimeAsync(10);
    const stats = registry.stats;
    expect(Object.isFrozen(stats)).toBe(true);
    expect(stats.nodes.map(({ node, requests, state, timeInStateMs }) => ({ node, requests, state, timeInStateMs }))).toEqual([
      { node: 'cache-0:11211', requests: 1, state: 'up', timeInStateMs: 10 },
      { node: 'cache-1:11211', requests: 0, state: 'up', timeInStateMs: 10 },
    ]);
    await registry.close();
  });

  it('adds, gets and removes nodes by id, with typed errors', async () => {
    const { registry } = fleet(2);
    expect(() => registry.add('cache-0:11211')).toThrow(DuplicateNodeError);
    expect(() => registry.get('nope')).toThrow(UnknownNodeError);
    expect(registry.has('cache-1:11211')).toBe(true);
    await registry.remove('cache-1:11211');
    expect(registry.has('cache-1:11211')).toBe(false);
    await expect(registry.remove('cache-1:11211')).rejects.toMatchObject({ code: 'ERR_UNKNOWN_NODE' });
    const overridden = registry.add('cache-9:11211', { serverFailureLimit: 1 });
    overridden.recordFailure(connectionReset(), 1);
    expect(overridden.state).toBe('ejected');
    await registry.close();
    await registry.destroy();
    expect(() => registry.add('late')).toThrow(ClosedError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('round-trips through toJSON and restore, ejection timers included', async () => {
    const { registry, trip } = fleet(3);
    trip('cache-2:11211');
    await vi.advanceTimersByTimeAsync(400);
    const saved = JSON.parse(JSON.stringify(registry)) as unknown;
    await registry.destroy();

    const node = fakeNode();
    const restored = HealthRegistry.restore(saved, { autoEjectHosts: true, probe: node.probe, serverRetryTimeout: 1000, probeIntervalMs: 100, probeJitter: 0 });
    const restoredEvents: string[] = [];
    restored.on('node:restored', ({ node: id }) => restoredEvents.push(id));
    expect(restored.nodes).toEqual(['cache-0:11211', 'cache-1:11211', 'cache-2:11211']);
    expect(restored.get('cache-2:11211').state).toBe('ejected');
    expect(restored.get('cache-2:11211').retryAt).toBe(START + 1000);
    await vi.advanceTimersByTimeAsync(599);
    expect(restored.get('cache-2:11211').state).toBe('ejected');
    await vi.advanceTimersByTimeAsync(1 + 200);
    expect(restoredEvents).toEqual(['cache-2:11211']);
    expect(() => HealthRegistry.restore({ version: 2, nodes: [] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_SNAPSHOT', field: 'version' }));
    expect(() => HealthRegistry.restore({ version: 1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_SNAPSHOT', field: 'nodes' }));
    await restored.close();
  });
});
