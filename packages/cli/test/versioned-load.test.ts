import { describe, expect, it } from 'vitest';
import { VersionedLoad, type LoadCall, type LoadTarget } from '../src/demo/versioned-load.js';
import { VirtualClock } from './support/virtual-clock.js';

/** A cache in a Map; `corrupt` decides what a read returns instead of the stored value. */
function mapTarget(stopAfter: number, controller: AbortController, corrupt: (key: string, value: string | undefined) => unknown = (_, value) => value): LoadTarget & { store: Map<string, string> } {
  const store = new Map<string, string>();
  let calls = 0;
  const count = (): void => {
    if (++calls >= stopAfter) controller.abort();
  };
  return {
    store,
    get: (key) => {
      count();
      return Promise.resolve(corrupt(key, store.get(key)));
    },
    set: (key, value) => {
      count();
      store.set(key, value);
      return Promise.resolve();
    },
    add: (key, value) => {
      if (store.has(key)) return Promise.resolve(false);
      store.set(key, value);
      return Promise.resolve(true);
    },
    setMany: (entries) => {
      for (const { key, value } of entries) store.set(key, value);
      return Promise.resolve([]);
    },
  };
}

async function run(corrupt?: (key: string, value: string | undefined) => unknown, options: { preload?: boolean } = {}) {
  const controller = new AbortController();
  const target = mapTarget(2000, controller, corrupt);
  const load = new VersionedLoad({ keys: 50, opsPerSecond: 1000, concurrency: 4, clock: new VirtualClock() });
  if (options.preload !== false) await load.preload(target);
  await load.run(target, controller.signal);
  return { totals: load.totals, target };
}

describe('the versioned load', () => {
  it('writes key@version values and judges every read a hit against a sound cache', async () => {
    const { totals, target } = await run();
    expect(totals.ops).toBeGreaterThanOrEqual(2000);
    expect(totals.gets + totals.sets).toBe(totals.ops);
    expect(totals.hits).toBe(totals.gets);
    expect([totals.misses, totals.wrong, totals.stale, totals.errors]).toEqual([0, 0, 0, 0]);
    expect(target.store.get('demo:key-0')).toMatch(/^demo:key-0@\d+$/);
  });

  it('counts another key’s value, and bytes that are not our string, as wrong', async () => {
    const { totals } = await run((key, value) => (key === 'demo:key-1' ? 'demo:key-2@1' : key === 'demo:key-3' ? Buffer.from(value ?? '') : value));
    expect(totals.wrong).toBeGreaterThan(0);
    expect(totals.stale).toBe(0);
  });

  it('counts an older version than the last acknowledged write as stale', async () => {
    const { totals } = await run((key, value) => (key === 'demo:key-4' ? 'demo:key-4@1' : value));
    expect(totals.stale).toBeGreaterThan(0);
    expect(totals.wrong).toBe(0);
  });

  it('refills a miss with the newest acknowledged version, so later reads hit', async () => {
    let dropped = false;
    const { totals } = await run((key, value) => {
      // The first read of key-5 misses once, as after an eviction.
      if (key === 'demo:key-5' && !dropped) {
        dropped = true;
        return undefined;
      }
      return value;
    });
    expect(totals.misses).toBe(1);
    expect(totals.wrong + totals.stale).toBe(0);
  });

  it('tells onCall of every call, with the node its key was on, the outcome and its times', async () => {
    const controller = new AbortController();
    const target = { ...mapTarget(500, controller, (key, value) => (key === 'demo:key-4' ? 'demo:key-4@1' : value)), locate: (key: string) => `node-${key.length % 2}` };
    const clock = new VirtualClock();
    const calls: LoadCall[] = [];
    const load = new VersionedLoad({ keys: 50, opsPerSecond: 1000, concurrency: 4, clock, onCall: (call) => calls.push(call) });
    await load.preload(target);
    await load.run(target, controller.signal);
    const { totals } = load;
    expect(calls).toHaveLength(totals.ops);
    expect(calls.filter((call) => call.kind === 'get')).toHaveLength(totals.gets);
    expect(calls.filter((call) => call.outcome === 'stale')).toHaveLength(totals.stale);
    expect(calls.filter((call) => call.outcome === 'hit' || call.outcome === 'stale')).toHaveLength(totals.hits);
    expect(new Set(calls.map((call) => call.node))).toEqual(new Set(['node-0', 'node-1']));
    expect(calls.every((call) => call.endedAt >= call.startedAt && call.errorCode === undefined)).toBe(true);
  });

  it('counts failures by code', async () => {
    const { totals } = await run((key, value) => {
      if (key === 'demo:key-6') throw Object.assign(new Error('refused'), { code: 'ERR_CONNECTION' });
      return value;
    });
    expect(totals.errorsByCode).toEqual({ ERR_CONNECTION: totals.errors });
    expect(totals.errors).toBeGreaterThan(0);
  });
});
