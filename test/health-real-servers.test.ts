// @shardcache/health against real servers. It lives here, not in the health package: starting
// the servers takes @shardcache/chaos, and chaos depends on health (for its Clock).
import { ServerProcess, startFleet, watchEventLoop, type Fleet, type FleetNode } from '@shardcache/chaos';
import { HealthRegistry, type HealthRegistryOptions, type StateChange } from '@shardcache/health';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tcpProbe, type ProbeTarget } from './support/tcp-probe.js';

// Real time here (real servers), but no sleeps: every wait polls a condition with a bound.
const TIMEOUT = 200;
const FAILURE_LIMIT = 2;
const PROBE_INTERVAL = 100;
const JITTER = 0.2;
const SUCCESS_THRESHOLD = 3;
const RETRY_TIMEOUT = 500;
const MAX_EJECTION = 1000;

const OPTIONS: HealthRegistryOptions = {
  autoEjectHosts: true,
  serverFailureLimit: FAILURE_LIMIT,
  timeout: TIMEOUT,
  serverRetryTimeout: RETRY_TIMEOUT,
  maxEjectionMs: MAX_EJECTION,
  probeIntervalMs: PROBE_INTERVAL,
  probeJitter: JITTER,
  successThreshold: SUCCESS_THRESHOLD,
  // No client traffic in this test: probes are the traffic, so a hung node is noticed.
  probeAlways: true,
};

/**
 * Ejection deadline from the issue: timeout x serverFailureLimit plus one probe interval. Each
 * bound is a chain of timers (probe waits and deadlines), so it is checked late by this
 * process's event-loop stalls added up over the wait (`watchEventLoop`), never by a guessed slack.
 */
const EJECTED_WITHIN = TIMEOUT * FAILURE_LIMIT + PROBE_INTERVAL * (1 + JITTER);
/** Back within the longest ejection plus successThreshold probes (and one probe deadline). */
const RESTORED_WITHIN = MAX_EJECTION + TIMEOUT + SUCCESS_THRESHOLD * PROBE_INTERVAL * (1 + JITTER);
const WAIT = { timeout: 10_000, interval: 5 };

let fleet: Fleet;
const restarted: ServerProcess[] = [];
const stopped = new Set<number>();

beforeAll(async () => {
  // memcached[1] is a bystander that stays healthy: a registry never ejects the only node.
  fleet = await startFleet({ memcached: 2, redis: 1 });
}, 30_000);

afterAll(async () => {
  // A stopped server cannot act on SIGTERM: continue it first.
  for (const pid of stopped) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // Already gone.
    }
  }
  await Promise.all([fleet.stop(), ...restarted.map((server) => server.stop())]);
});

/** A registry watching one node (and the bystander), with the node's changes and passing probes. */
function watch(node: string, watched: ProbeTarget) {
  const bystander = fleet.memcached[1];
  if (bystander === undefined) throw new Error('the fleet has no bystander');
  const targets = new Map([
    [node, watched],
    ['bystander', target(bystander)],
  ]);
  const probe = tcpProbe(targets);
  const passedAt: number[] = [];
  const registry = new HealthRegistry({
    ...OPTIONS,
    probe: async (id, signal) => {
      await probe(id, signal);
      if (id === node) passedAt.push(Date.now());
    },
  });
  registry.add('bystander');
  const health = registry.add(node);
  const changes: StateChange[] = [];
  registry.on('node:state', (change) => {
    if (change.node === node) changes.push(change);
  });
  const first = (to: string, after: number) => changes.find((change) => change.to === to && change.at >= after);
  return { registry, health, targets, passedAt, first };
}

const target = (server: FleetNode | ServerProcess): ProbeTarget => ({ kind: server.kind, host: server.host, port: server.port });

// Each test waits for an ejection and a restoration in real time; the default is 20 s (vitest.shared.ts).
describe.each(['memcached', 'redis'] as const)('%s', { timeout: 30_000 }, (kind) => {
  it('is ejected when SIGSTOPped and restored after SIGCONT once probes pass', async () => {
    const server = fleet[kind][0];
    if (server === undefined) throw new Error('the fleet has no server of this kind');
    const { registry, health, passedAt, first } = watch(`${kind}-stopped`, target(server));
    try {
      await vi.waitFor(() => expect(passedAt.length).toBeGreaterThanOrEqual(2), WAIT);
      expect(health.state).toBe('up');

      const stoppedAt = Date.now();
      let watch = watchEventLoop();
      process.kill(server.pid, 'SIGSTOP');
      stopped.add(server.pid);
      const ejected = await vi.waitFor(() => first('ejected', stoppedAt) ?? expect.fail('not ejected yet'), WAIT);
      expect(ejected.at - stoppedAt).toBeLessThanOrEqual(EJECTED_WITHIN + watch.stop().totalMs);
      expect(health.stats.lastErrorCode).toBe('ERR_ATTEMPT_TIMEOUT');

      const resumedAt = Date.now();
      watch = watchEventLoop();
      process.kill(server.pid, 'SIGCONT');
      stopped.delete(server.pid);
      const restored = await vi.waitFor(() => first('up', resumedAt) ?? expect.fail('not restored yet'), WAIT);
      expect(restored).toMatchObject({ from: 'probing', reason: 'probes-passed' });
      expect(restored.at - resumedAt).toBeLessThanOrEqual(RESTORED_WITHIN + watch.stop().totalMs);
      expect(passedAt.filter((at) => at >= resumedAt && at <= restored.at).length).toBeGreaterThanOrEqual(SUCCESS_THRESHOLD);
    } finally {
      await registry.close();
    }
  });

  it('is ejected when killed and restored when restarted (on a new port, same id)', async () => {
    const server = fleet[kind][0];
    if (server === undefined) throw new Error('the fleet has no server of this kind');
    const node = `${kind}-killed`;
    const { registry, targets, passedAt, first } = watch(node, target(server));
    try {
      await vi.waitFor(() => expect(passedAt.length).toBeGreaterThanOrEqual(2), WAIT);
      const killedAt = Date.now();
      let watch = watchEventLoop();
      await server.kill();
      // Refused connections fail at once: two probes.
      const ejected = await vi.waitFor(() => first('ejected', killedAt) ?? expect.fail('not ejected yet'), WAIT);
      expect(ejected.at - killedAt).toBeLessThanOrEqual(EJECTED_WITHIN + watch.stop().totalMs);
      expect(registry.get(node).stats.lastErrorCode).toBe('ECONNREFUSED');

      const replacement = await ServerProcess.start(kind);
      restarted.push(replacement);
      const restartedAt = Date.now();
      watch = watchEventLoop();
      targets.set(node, target(replacement));
      const restored = await vi.waitFor(() => first('up', restartedAt) ?? expect.fail('not restored yet'), WAIT);
      expect(restored).toMatchObject({ from: 'probing', reason: 'probes-passed' });
      expect(restored.at - restartedAt).toBeLessThanOrEqual(RESTORED_WITHIN + watch.stop().totalMs);
    } finally {
      await registry.close();
    }
  });
});
