import { describe, expect, it } from 'vitest';
import { applyFault, formatReport, InvalidOptionError, runScenario, startFleet, type ScenarioTarget } from '../src/index.js';
import { ManualClock } from './support/manual-clock.js';
import { rawRequest } from './support/raw-request.js';
import { seededRandom } from '../src/seeded-random.js';

const mapTarget = (): ScenarioTarget => {
  const map = new Map<string, string>();
  return { get: async (key) => map.get(key), set: async (key, value) => void map.set(key, value) };
};

describe('runScenario against known targets', () => {
  it('a target that always misses: hit rate 0, no stale reads, no wrong values, no errors', async () => {
    const report = await runScenario({ target: { get: async () => undefined, set: async () => undefined }, maxOps: 300, random: seededRandom(1) });
    expect(report).toMatchObject({ ops: 300, hits: 0, hitRate: 0, staleReads: 0, wrongValues: 0, errors: 0, stoppedBy: 'maxOps', timeToFirstErrorMs: null });
    expect(report.misses).toBe(report.gets);
    expect(report.phases.before.ops).toBe(300);
  });

  it('a correct map-backed target: no wrong values, no stale reads', async () => {
    const report = await runScenario({ target: mapTarget(), maxOps: 500, keys: 5, random: seededRandom(2) });
    expect(report).toMatchObject({ ops: 500, wrongValues: 0, staleReads: 0, errors: 0 });
    expect(report.hitRate).toBeGreaterThan(0.5);
  });

  it('asks nodeOf where each key is, so the timeline has a line per node adding up to the fleet', async () => {
    const report = await runScenario({ target: mapTarget(), maxOps: 500, keys: 10, random: seededRandom(2), nodeOf: (key) => (key.endsWith('0') ? undefined : `node-${Number(key.slice(4)) % 3}`) });
    const { samples, nodes } = report.timeline;
    expect(nodes.map(({ node }) => node)).toEqual(['node-0', 'node-1', 'node-2']);
    const total = (buckets: readonly { ops: number }[]): number => buckets.reduce((sum, bucket) => sum + bucket.ops, 0);
    expect(total(samples)).toBe(500);
    // key-0 has no node: its calls count only fleet-wide.
    expect(nodes.reduce((sum, { samples: buckets }) => sum + total(buckets), 0)).toBeLessThan(500);
    expect(nodes.every(({ samples: buckets }) => buckets.length === samples.length)).toBe(true);
  });

  it('detects stale reads and wrong values', async () => {
    const first = new Map<string, string>();
    const stale: ScenarioTarget = {
      // Keeps only the first write of each key: later reads return an old version.
      get: async (key) => first.get(key),
      set: async (key, value) => void (first.has(key) ? undefined : first.set(key, value)),
    };
    const report = await runScenario({ target: stale, maxOps: 400, keys: 3, concurrency: 1, random: seededRandom(3) });
    expect(report.staleReads).toBeGreaterThan(0);
    expect(report.wrongValues).toBe(0);
    const swapped = await runScenario({ target: { get: async () => 'other-key@1', set: async () => undefined }, maxOps: 50, random: seededRandom(4) });
    expect(swapped.wrongValues).toBe(swapped.gets);
  });

  it('counts errors by code, times them against the schedule, and always stops (injected clock)', async () => {
    const clock = new ManualClock();
    let failing = false;
    const target: ScenarioTarget = {
      // Whether the call fails is decided when it starts; advancing the clock may then fire the schedule.
      get: async () => {
        const down = failing;
        clock.advance(1);
        if (down) throw Object.assign(new Error('down'), { code: 'ECONNREFUSED' });
        return undefined;
      },
      set: async () => {
        const down = failing;
        clock.advance(1);
        if (down) throw new TypeError('no');
      },
    };
    const fakeFault = { node: 'fake-0', fault: { type: 'blackhole' as const }, counters: () => ({ connections: 0, bytesForwarded: 0, bytesHeld: 0, bytesDropped: 7, bytesAltered: 0, connectionsReset: 0, requestsFailed: 0, kills: 0, pauses: 0, restarts: 0, flaps: 0 }) };
    const report = await runScenario({
      target, clock, concurrency: 1, maxOps: 1_000_000, durationMs: 300, random: seededRandom(5),
      faults: [{ atMs: 100, durationMs: 100, apply: async () => { failing = true; return { ...fakeFault, revert: async () => { failing = false; } }; } }],
    });
    expect(report.stoppedBy).toBe('duration');
    expect(report.durationMs).toBeGreaterThanOrEqual(300);
    expect(report.phases.during.ops).toBeGreaterThan(50);
    expect(report.phases.during.errors).toBe(report.phases.during.ops);
    expect(report.phases.before.errors + report.phases.after.errors).toBe(0);
    expect(Object.keys(report.errorsByCode).sort()).toEqual(['ECONNREFUSED', 'TypeError']);
    expect(report.timeToFirstErrorMs).toBeLessThanOrEqual(2);
    expect(report.timeToRecoveryMs).toBeLessThanOrEqual(3);
    expect(report.faults).toEqual([expect.objectContaining({ node: 'fake-0', type: 'blackhole', appliedAtMs: expect.any(Number), counters: expect.objectContaining({ bytesDropped: 7 }) })]);
    expect(formatReport(report)).toMatch(/during fault +\d+ ops, \d+ errors/);
  });

  it('in an open loop, starts calls at the rate whatever the answers take, skipping starts over the cap (injected clock)', async () => {
    const clock = new ManualClock();
    const slow = new Set<() => void>();
    let started = 0;
    const target: ScenarioTarget = {
      // Every tenth call hangs until released: in a closed loop it would hold its caller.
      get: () => (++started % 10 === 0 ? new Promise((resolve) => slow.add(() => resolve(undefined))) : Promise.resolve(undefined)),
      set: () => (++started % 10 === 0 ? new Promise((resolve) => slow.add(() => resolve())) : Promise.resolve()),
    };
    const running = runScenario({ target, clock, ratePerSec: 1000, concurrency: 20, maxOps: 1_000_000, durationMs: 400, callTimeoutMs: 100_000, random: seededRandom(6) });
    for (let ms = 0; ms < 400; ms++) {
      await new Promise((resolve) => setImmediate(resolve));
      clock.advance(1);
    }
    for (const release of slow) release();
    for (let ms = 0; ms < 5; ms++) {
      await new Promise((resolve) => setImmediate(resolve));
      clock.advance(1);
    }
    const report = await running;
    expect(report.stoppedBy).toBe('duration');
    // 1000/s for 0.4 s: 400 starts, of which those finding 20 calls in flight (the hung tenth
    // reaches 20 after ~200 starts) are skipped.
    expect(report.ops + report.skippedStarts).toBeGreaterThanOrEqual(399);
    expect(report.ops + report.skippedStarts).toBeLessThanOrEqual(401);
    expect(report.ops).toBeGreaterThanOrEqual(200);
    expect(report.skippedStarts).toBeGreaterThan(150);
    // The clock moved 1 ms a turn: every start was reached on time, none was bunched by a stall.
    expect(report.skippedLateStarts).toBe(0);
  });

  it('counts apart the skipped starts a stall bunched into one turn', async () => {
    const clock = new ManualClock();
    const hung: (() => void)[] = [];
    const hang = <T>(value: T): Promise<T> => new Promise((resolve) => hung.push(() => resolve(value)));
    const target: ScenarioTarget = { get: () => hang(undefined), set: () => hang(undefined) };
    const running = runScenario({ target, clock, ratePerSec: 1000, concurrency: 50, maxOps: 1_000_000, durationMs: 150, callTimeoutMs: 100_000, random: seededRandom(7) });
    const turn = async (ms: number, stalled = false): Promise<void> => {
      await new Promise((resolve) => setImmediate(resolve));
      if (stalled) clock.stall(ms);
      else clock.advance(ms);
    };
    // 10 starts on time, then a 100 ms stall: at 110 ms the starts due at 10-109 ms come at once,
    // 40 find room and 60 are skipped, of which those due by 100 ms (51) were 10 ms late or more;
    // then, 50 calls hanging, every start on time is skipped too, none of them late.
    for (let ms = 0; ms < 10; ms++) await turn(1);
    await turn(100, true);
    for (let ms = 110; ms < 155; ms++) await turn(1);
    for (const release of hung) release();
    await turn(1);
    const report = await running;
    expect(report.ops).toBe(50);
    expect(report.skippedLateStarts).toBe(51);
    expect(report.skippedStarts).toBeGreaterThanOrEqual(60 + 38);
    expect(report.skippedStarts).toBeLessThanOrEqual(60 + 41);
  });

  it('times out a call that never settles', async () => {
    const report = await runScenario({ target: { get: () => new Promise(() => undefined), set: () => new Promise(() => undefined) }, maxOps: 2, concurrency: 2, callTimeoutMs: 50 });
    expect(report.errorsByCode).toEqual({ ERR_CALL_TIMEOUT: 2 });
    expect(report.maxCallMs).toBeGreaterThanOrEqual(45);
  });

  it.each([
    [{ maxOps: 0 }, 'maxOps'],
    [{ readShare: 2 }, 'readShare'],
    [{ ratePerSec: 0 }, 'ratePerSec'],
    [{ nodeOf: 'node-1' as unknown as () => string }, 'nodeOf'],
    [{ faults: [{ atMs: -1, durationMs: 1, apply: () => Promise.reject(new Error('unused')) }] }, 'faults[0].atMs'],
  ])('rejects %j naming %s', async (options, option) => {
    await expect(runScenario({ target: mapTarget(), ...options })).rejects.toThrow(expect.objectContaining({ option }));
    await expect(runScenario({ target: mapTarget(), ...options })).rejects.toBeInstanceOf(InvalidOptionError);
  });
});

describe('runScenario against a real node through its proxy', () => {
  it('reports a pause as call timeouts during the fault and recovery after it', async () => {
    const fleet = await startFleet({ redis: 1 });
    try {
      const node = fleet.redis[0];
      if (node === undefined) throw new Error('no redis node');
      const port = node.proxy?.port ?? 0;
      const target: ScenarioTarget = {
        get: async (key) => {
          const reply = await rawRequest(port, `GET ${key}\r\n`, { timeoutMs: 5000, until: (b) => /^(\$-1\r\n|\$\d+\r\n.*\r\n)/s.test(b.toString()) });
          if (reply.outcome !== 'reply') throw Object.assign(new Error(reply.outcome), { code: reply.outcome });
          return reply.text.startsWith('$-1') ? undefined : reply.text.split('\r\n')[1];
        },
        set: async (key, value) => {
          const reply = await rawRequest(port, `SET ${key} ${value}\r\n`, { timeoutMs: 5000 });
          if (reply.text !== '+OK\r\n') throw Object.assign(new Error(reply.outcome), { code: reply.outcome });
        },
      };
      const report = await runScenario({
        target, maxOps: 100_000, durationMs: 1500, callTimeoutMs: 200, concurrency: 2, keys: 10,
        faults: [{ atMs: 300, durationMs: 400, apply: () => applyFault(node, { type: 'pause' }) }],
      });
      expect(report.errorsByCode['ERR_CALL_TIMEOUT']).toBeGreaterThan(0);
      // Only the paused window can produce timeouts; other errors (a loaded machine) are not asserted.
      expect(report.phases.during.errors).toBeGreaterThan(0);
      expect(report.wrongValues).toBe(0);
      expect(report.timeToRecoveryMs).not.toBeNull();
      expect(report.phases.after.ops).toBeGreaterThan(report.phases.after.errors);
      expect(report.faults[0]?.counters.pauses).toBe(1);
      expect(node.paused).toBe(false);
    } finally {
      await fleet.stop();
    }
  });
});
