// The nemesis against real servers, shown to catch each kind of failure it reports: a fixed
// schedule with rejoin safety off must read stale values, a planted wrong value and a planted
// hang must be reported. The same fixed schedule with rejoin safety on is the control.
import { describe, expect, it } from 'vitest';
import { runNemesis } from './run-nemesis.js';
import type { Schedule } from './schedule.js';
import type { NemesisTarget } from './workload.js';

/** Pause one node well past its ejection (its keys are written elsewhere meanwhile), then resume it. */
const pausePastEjection = (nodes: readonly string[]): Schedule => ({
  initialRing: nodes.slice(0, -1),
  actions: [{ kind: 'fault', atMs: 300, durationMs: 1500, node: nodes[0] ?? '', fault: { type: 'pause' } }],
});
const quiet = (nodes: readonly string[]): Schedule => ({ initialRing: nodes.slice(0, -1), actions: [] });

describe('nemesis control runs', () => {
  it('reports stale reads when rejoin safety is off, and none with it on (memcached)', async () => {
    const off = await runNemesis({ backend: 'memcached', seconds: 3.5, seed: 1, schedule: pausePastEjection, client: { rejoin: { enabled: false, stableMs: 100 } } });
    expect(off.history.faults).toHaveLength(1);
    expect(off.verdict.stale.length).toBeGreaterThan(0);
    const on = await runNemesis({ backend: 'memcached', seconds: 3.5, seed: 1, schedule: pausePastEjection });
    expect(on.verdict.stale).toEqual([]);
  }, 60_000);

  it('reports a planted wrong value: a read answering another key\'s value', async () => {
    let hits = 0;
    let last: { key: string; value: unknown } | undefined;
    let planted: string | undefined;
    const swapKeys = (target: NemesisTarget): NemesisTarget => ({
      ...bound(target),
      get: async (key) => {
        const value = await target.get(key);
        if (value === undefined) return value;
        hits += 1;
        // From the 50th hit on, once: the previous hit's value (another key's) as this key's.
        if (hits >= 50 && planted === undefined && last !== undefined && last.key !== key) {
          planted = key;
          return last.value;
        }
        last = { key, value };
        return value;
      },
    });
    const run = await runNemesis({ backend: 'redis', seconds: 1.5, seed: 2, schedule: quiet, wrap: swapKeys });
    expect(planted).toBeDefined();
    expect(run.verdict.wrong.map((finding) => finding.what)).toEqual([expect.stringContaining(`for ${planted}:`)]);
    expect(run.verdict.stale).toEqual([]);
  }, 60_000);

  it('reports a planted hang: a call that never settles is late', async () => {
    let sets = 0;
    const hangOnce = (target: NemesisTarget): NemesisTarget => ({
      ...bound(target),
      set: async (key, value) => {
        sets += 1;
        if (sets === 20) return new Promise<void>(() => undefined);
        return target.set(key, value);
      },
    });
    const run = await runNemesis({ backend: 'memcached', seconds: 1.5, seed: 3, schedule: quiet, wrap: hangOnce });
    expect(run.verdict.late.map((finding) => finding.what)).toEqual([expect.stringMatching(/^set .* never settled$/)]);
  }, 60_000);
});

/** The target's methods bound to it, so a wrapper can replace one and keep the rest. */
function bound(target: NemesisTarget): NemesisTarget {
  return {
    get: (key) => target.get(key),
    getMany: (keys) => target.getMany(keys),
    set: (key, value) => target.set(key, value),
    delete: (key) => target.delete(key),
    incr: (key) => target.incr(key),
  };
}
