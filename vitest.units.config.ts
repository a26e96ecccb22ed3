// The unit suites, which `npm test` runs again on Node 22 and 24 (scripts/test.mjs; README,
// "Node versions"): every project's files except those that need real servers or real time,
// and the client's model checker. What is left is the core tested alone (STYLE.md): in-memory
// nodes, injected clocks, the wire parsers on bytes, property tests; deterministic, so a failure
// on one Node and not another is a difference between Nodes. Real servers prove the wire and the
// whole on the machine's Node in the main run; repeating them twice more would cost ~170 s each.
// The integration project (test/) is left out whole: it checks the repository's files and
// scripts, or needs real servers.
//
// A new test file runs here unless it is added below, with its reason.
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { sourceResolution, timeouts } from './vitest.shared.js';

/** The project of the main run whose files are in `root`, less `exclude` (paths from `root`). */
function units(name: string, root: string, exclude: readonly string[] = []): TestProjectInlineConfiguration {
  return {
    ...sourceResolution,
    test: {
      ...timeouts,
      name,
      root,
      include: ['**/*.test.ts'],
      exclude: ['**/node_modules/**', ...exclude],
      // Files share their worker's modules instead of importing every source again: ~42 s -> ~23 s
      // a run here, most of it imports. Safe for these files (no servers, no process-wide hooks),
      // and the main run still isolates each file: a test that passes only on another's leftover
      // state fails there.
      isolate: false,
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      units('ring', 'packages/ring'),
      units('health', 'packages/health'),
      units('patterns', 'packages/patterns', ['test/cluster.test.ts', 'test/stampede.test.ts']),
      units('client', 'packages/client', [
        // ~115 s of CPU by itself: the main run has it (it checks every case both ways).
        'test/model.test.ts',
        // Real servers, real time.
        'test/cache-node.test.ts',
        'test/credentials.test.ts',
        'test/etcd-fleet.test.ts',
        'test/etcd-membership.test.ts',
        'test/failover.test.ts',
        'test/failure-semantics.test.ts',
        'test/health.test.ts',
        'test/item-size.test.ts',
        'test/membership-epochs.test.ts',
        'test/membership.test.ts',
        'test/memcached-node-faults.test.ts',
        'test/memcached-node.test.ts',
        'test/migration-writes.test.ts',
        'test/migration.test.ts',
        'test/observability.test.ts',
        'test/options.test.ts',
        'test/rejoin.test.ts',
        'test/sharded-client.test.ts',
        'test/ttl-bounds.test.ts',
        'test/twemproxy-pool.test.ts',
        'test/warmup.test.ts',
      ]),
      // The built CLI in a subprocess, against fleets.
      units('cli', 'packages/cli', ['test/bench.test.ts', 'test/chaos.test.ts', 'test/commands.test.ts', 'test/demo.test.ts', 'test/membership-command.test.ts', 'test/migration-guide.test.ts']),
      // Server processes, fault proxies, watchdogs.
      units('chaos', 'packages/chaos', ['test/etcd-cluster.test.ts', 'test/faults.test.ts', 'test/fleet-node.test.ts', 'test/fleet.test.ts', 'test/scenario.test.ts', 'test/server-options.test.ts', 'test/server-process.test.ts', 'test/watchdog.test.ts']),
    ],
    pool: 'forks',
    maxWorkers: 2,
  },
});
