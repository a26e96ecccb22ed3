import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NodeHealth, type NodeHealthOptions } from '../src/index.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const FLAP_MS = 300;
const RUN_MS = 10_000;
const REQUEST_EVERY_MS = 10;

/** Healthy for 300 ms, failing for 300 ms, and so on: clock time decides. */
const healthyNow = (): boolean => Math.floor(Date.now() / FLAP_MS) % 2 === 0;

/** Drives a request every 10 ms for 10 s against a flapping node; counts ejections and returns. */
async function flap(options: NodeHealthOptions) {
  const probe = async (): Promise<void> => {
    if (!healthyNow()) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
  };
  // A fixed random sequence keeps the jittered probe times reproducible.
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const health = new NodeHealth('flappy', { autoEjectHosts: true, probe, random, ...options });
  let ejections = 0;
  let restorations = 0;
  health.on('state', ({ from, to }) => {
    if (to === 'ejected' && from !== 'probing') ejections++;
    if (from === 'probing' && to === 'up') restorations++;
  });
  for (let t = 0; t < RUN_MS; t += REQUEST_EVERY_MS) {
    if (health.admits()) {
      if (healthyNow()) health.recordSuccess(1);
      else health.recordFailure(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 1);
    }
    await vi.advanceTimersByTimeAsync(REQUEST_EVERY_MS);
  }
  await health.destroy();
  return { ejections, restorations };
}

describe('a node failing and recovering every 300 ms for 10 s', () => {
  it('causes at most 2 eject/restore cycles with the defaults (twemproxy: 30 s retry)', async () => {
    const { ejections, restorations } = await flap({});
    expect(ejections).toBe(1);
    expect(restorations).toBe(0);
  });

  it('never comes back while flapping when successThreshold probes span more than a healthy spell', async () => {
    // Three probes 160-240 ms apart span at least 320 ms > 300 ms: one always lands in a bad spell.
    const { ejections, restorations } = await flap({ serverRetryTimeout: 1000, probeIntervalMs: 200, successThreshold: 3 });
    expect(ejections).toBe(1);
    expect(restorations).toBe(0);
  });

  it('is held to 2 cycles by the doubling ejection time even with a single passing probe', async () => {
    // Ejections last 500, 1000, 2000, 4000 ms...: restored at ~0.8 s and ~1.9 s, then the
    // ejections outlast the run.
    const { ejections, restorations } = await flap({ serverRetryTimeout: 500, probeIntervalMs: 100, probeJitter: 0, successThreshold: 1 });
    expect(restorations).toBeLessThanOrEqual(2);
    expect(ejections).toBeLessThanOrEqual(3);
  });
});
