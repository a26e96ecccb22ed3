// `shardcache bench` as a user runs it (the built CLI in a subprocess).
import { describe, expect, it } from 'vitest';
import { isRunning, runCli } from './support/run-cli.js';
import { runMain } from './support/run-main.js';

describe('shardcache bench ring', () => {
  it('prints a table with every algorithm', async () => {
    const { code, stdout } = await runCli(['bench', 'ring', '--nodes', '20', '--keys', '5000']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^20 nodes, 5,000 keys, node v\d+/);
    expect(stdout).toMatch(/algorithm\s+lookups\/s\s+build ms\s+max\/mean/);
    for (const name of ['ketama', 'modula', 'maglev', 'rendezvous', 'jump', 'multi-probe']) expect(stdout).toMatch(new RegExp(`^ *${name}\\s+[\\d,]+\\s+\\d+\\.\\d\\d\\s+\\d\\.\\d{3}`, 'm'));
  });

  it('gives the same numbers as JSON for chosen algorithms', async () => {
    const { code, stdout } = await runCli(['bench', 'ring', '--nodes', '10', '--keys', '2000', '--algorithms', 'ketama,jump', '--json']);
    expect(code).toBe(0);
    const results = JSON.parse(stdout) as { algorithm: string; nodes: number; keys: number; lookupsPerSecond: number; buildMs: number; maxOverMean: number }[];
    expect(results.map((r) => [r.algorithm, r.nodes, r.keys])).toEqual([['ketama', 10, 2000], ['jump', 10, 2000]]);
    for (const result of results) {
      expect(result.lookupsPerSecond).toBeGreaterThan(0);
      expect(result.maxOverMean).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('shardcache bench client', () => {
  it('runs get, set and mget through ShardedClient on a local fleet, then stops it', async () => {
    const { code, stdout, pids } = await runCli(['bench', 'client', '--nodes', '2', '--duration', '0.5', '--concurrency', '8', '--keys', '500', '--json']);
    expect(code).toBe(0);
    const results = JSON.parse(stdout) as { workload: string; calls: number; callsPerSecond: number; p50Ms: number; p99Ms: number; errors: number }[];
    expect(results.map((r) => r.workload)).toEqual(['get', 'set', 'mget']);
    for (const result of results) {
      expect(result.calls).toBeGreaterThan(0);
      expect(result.errors).toBe(0);
      expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
    }
    expect(pids.filter((record) => record.comm !== 'node')).toHaveLength(2);
    await expect.poll(() => pids.filter(isRunning), { timeout: 5000, interval: 50 }).toEqual([]);
  }, 30_000);

  it('prints a table', async () => {
    const { code, stdout } = await runCli(['bench', 'client', '--backend', 'redis', '--nodes', '1', '--duration', '0.5', '--workloads', 'mget', '--keys', '200']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^bench client: 1 redis server on free loopback ports, concurrency 64, 0\.5 s per workload/);
    expect(stdout).toMatch(/^ *mget x100\s+[\d,]+\s+\d+\.\d\d\s+\d+\.\d\d\s+[\d,]+\s+0/m);
  }, 30_000);
});

describe('shardcache bench: bad arguments', () => {
  it('exits 2 from the built CLI with the message and the usage, starting nothing', async () => {
    const { code, stderr, pids } = await runCli(['bench', 'client', '--concurrency', '0']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^shardcache: --concurrency must be an integer from 1 to 1024, got "0"/);
    expect(stderr).toMatch(/Usage: shardcache bench ring/);
    expect(pids).toEqual([]);
  });

  it.each([
    [['bench'], /bench needs "ring" or "client"/],
    [['bench', 'disk'], /unknown benchmark "disk" \(expected ring or client\)/],
    [['bench', 'ring', '--algorithms', 'ketama,chord'], /unknown algorithm "chord"/],
    [['bench', 'ring', '--nodes', '0'], /--nodes must be an integer from 1 to 10000, got "0"/],
    [['bench', 'ring', '--keys', 'lots'], /--keys must be an integer from 1000 to 10000000, got "lots"/],
    [['bench', 'client', '--concurrency', '0'], /--concurrency must be an integer from 1 to 1024, got "0"/],
    [['bench', 'client', '--duration', '0.1'], /--duration must be a number of seconds from 0.5 to 600, got "0.1"/],
    [['bench', 'client', '--workloads', 'get,delete'], /--workloads: unknown workload "delete"/],
    [['bench', 'client', '--backend', 'mongo'], /--backend must be memcached or redis/],
    [['bench', 'ring', '--colour'], /Unknown option '--colour'/],
  ])('%j exits 2 and says what is wrong', async (args, message) => {
    const { code, err } = await runMain(args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});
