// `shardcache chaos` as a user runs it (the built CLI in a subprocess), and its checks.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport, startFleet, type OperationSample } from '@shardcache/chaos';
import { checkScenario, PLANS } from '../src/chaos/chaos-scenarios.js';
import { isRunning, runCli } from './support/run-cli.js';
import { runMain } from './support/run-main.js';

const scratch = mkdtempSync(join(tmpdir(), 'cli-chaos-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('shardcache chaos', () => {
  it('kill: runs the scenario on a local fleet, prints the report and the checks, writes the page, exits 0, stops its servers', async () => {
    const page = join(scratch, 'kill.html');
    const { code, stdout, stderr, pids } = await runCli(['chaos', 'kill', '--duration', '3', '--nodes', '3', '--html', page]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^shardcache chaos kill: SIGKILL one node and keep it down, on a local fleet of 3 memcached servers/);
    expect(stdout).toMatch(/^wrong values +0$/m);
    expect(stdout).toMatch(/^fault kill +memcached-1 .*kills 1/m);
    expect(stdout).toMatch(/^ {2}ok {4}no wrong value read \(wrong values 0\)$/m);
    expect(stdout).toMatch(/^ {2}ok {4}the fault took effect \(kills 1 \(at least 1\)\)$/m);
    expect(stdout).toMatch(/^passed: 5 of 5 checks hold$/m);
    expect(stdout).toMatch(new RegExp(`^page: ${page}$`, 'm'));
    // The page (drawn in a browser by the integration suite's report-pages test): the run, its fault, the ejection, the verdicts.
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<body data-verdict="pass">');
    expect(html.match(/<rect class="fault" data-fault-node="memcached-1" data-fault-type="kill"/g)).toHaveLength(5);
    expect(html).toMatch(/<line class="mark mark-ejected" data-event="ejected"/);
    expect(html.match(/<tr class="check" data-verdict="pass">/g)).toHaveLength(5);
    // One line per node of the 3 in each chart (the fleet's line too), named as the fault names them: the load knew where each key went.
    const nodes = [...html.matchAll(/data-series="([^"]+)"/g)].map((match) => match[1] ?? '').filter((series) => series !== 'all' && !series.startsWith('code:'));
    expect(new Set(nodes)).toEqual(new Set(['memcached-0', 'memcached-1', 'memcached-2']));
    expect(html).toMatch(/<line class="mark mark-ejected" data-event="ejected" data-at="[\d.]+"[^>]*><title>ejected memcached-1/);
    // Three servers (the victim restarted when the fault was reverted at the end) and a watchdog.
    expect(pids.filter((record) => record.comm !== 'node').length).toBeGreaterThanOrEqual(3);
    expect(pids.filter((record) => record.comm !== 'node').filter(isRunning)).toEqual([]);
    await expect.poll(() => pids.filter(isRunning), { timeout: 5000, interval: 50 }).toEqual([]);
  }, 30_000);

  it('corrupt --servers: plays the fault through a proxy in front of given servers, as JSON', async () => {
    const fleet = await startFleet({ redis: 2, proxy: false });
    try {
      const servers = fleet.redis.map((server) => server.address);
      const { code, stdout } = await runCli(['chaos', 'corrupt', '--backend', 'redis', '--servers', servers.join(','), '--duration', '2', '--json']);
      expect(code).toBe(0);
      const result = JSON.parse(stdout) as { victims: string[]; passed: boolean; report: { wrongValues: number; faults: { counters: { bytesAltered: number } }[] }; checks: { name: string; ok: boolean }[] };
      expect(result.victims).toEqual([servers[0]]);
      expect(result.report.wrongValues).toBe(0);
      expect(result.report.faults[0]?.counters.bytesAltered).toBeGreaterThan(0);
      expect(result.checks.map((check) => check.ok)).toEqual(result.checks.map(() => true));
      expect(result.passed).toBe(true);
    } finally {
      await fleet.stop();
    }
  }, 30_000);

  it('latency --rate: an open loop starts calls at the rate while one server is slow', async () => {
    const fleet = await startFleet({ redis: 2, proxy: false });
    try {
      const servers = fleet.redis.map((server) => server.address);
      const { code, stdout } = await runCli(['chaos', 'latency', '--backend', 'redis', '--servers', servers.join(','), '--duration', '2', '--rate', '300', '--concurrency', '64', '--json']);
      expect(code).toBe(0);
      const { report } = JSON.parse(stdout) as { report: { ops: number; skippedStarts: number; skippedLateStarts: number; maxCallMs: number } };
      // 300 calls/s for 2 s, though half of them wait 200 ms once the fault plays.
      expect(report.ops + report.skippedStarts).toBeGreaterThanOrEqual(580);
      expect(report.ops + report.skippedStarts).toBeLessThanOrEqual(601);
      // Nothing is skipped at steady state (about 30 in flight under a cap of 64). A stall of the
      // CLI's process bunches the starts due meanwhile into one turn, and those past the cap are
      // skipped: the loop reports them as late (37 once, with another process busy on a core).
      // The rest, 5 % of the starts, still fails a loop that cannot keep up (a cap of 30 skipped 295).
      expect(report.skippedStarts - report.skippedLateStarts).toBeLessThanOrEqual(30);
      expect(report.maxCallMs).toBeGreaterThanOrEqual(200);
    } finally {
      await fleet.stop();
    }
  }, 30_000);

  it('fails a check on a wrong value, a hung call or an untyped error, and when the fault never bit', () => {
    const sample = (outcome: OperationSample['outcome'], errorCode?: string): OperationSample => ({ kind: 'get', phase: 'during', startMs: 0, endMs: 1, ...(outcome === undefined ? {} : { outcome }), ...(errorCode === undefined ? {} : { errorCode }) });
    const counters = { connections: 0, bytesForwarded: 0, bytesHeld: 0, bytesDropped: 0, bytesAltered: 0, connectionsReset: 0, requestsFailed: 0, kills: 0, pauses: 0, restarts: 0, flaps: 0 };
    const report = buildReport([sample('hit'), sample('wrong'), sample(undefined, 'ERR_CALL_TIMEOUT'), sample(undefined, 'TypeError')], [{ node: 'memcached-1', type: 'kill', appliedAtMs: 0, revertedAtMs: 1, counters }], 2, 'duration');
    const checks = checkScenario(PLANS.kill, report, 1);
    expect(checks.filter((check) => !check.ok).map((check) => check.name)).toEqual([
      'no wrong value read',
      'no call hung past its deadline',
      'every failure has a client error code',
      'the fault took effect',
    ]);
  });
});

describe('shardcache chaos: bad arguments', () => {
  it('exits 2 from the built CLI with the message and the command\'s usage, starting nothing', async () => {
    const { code, stderr, pids } = await runCli(['chaos', 'meltdown']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^shardcache: unknown scenario "meltdown" \(expected kill, pause, latency, blackhole, flap, corrupt, kill-half, kill-all\)/);
    expect(stderr).toMatch(/Usage: shardcache chaos <scenario>/);
    expect(pids).toEqual([]);
  });

  it.each([
    [['chaos'], /chaos needs a scenario: kill, pause, latency, blackhole, flap, corrupt, kill-half, kill-all/],
    [['chaos', 'kill', 'pause'], /chaos runs one scenario, got also "pause"/],
    [['chaos', 'kill', '--servers', '127.0.0.1:1'], /--servers: "kill" needs a fleet this command starts/],
    [['chaos', 'flap', '--servers', '127.0.0.1:1'], /--servers: "flap" needs a fleet/],
    [['chaos', 'latency', '--servers', 'nowhere'], /--servers: expected "host:port/],
    [['chaos', 'kill', '--duration', '0'], /--duration must be a number of seconds from 2 to 600, got "0"/],
    [['chaos', 'kill', '--nodes', '1'], /--nodes must be an integer from 2 to 12, got "1"/],
    [['chaos', 'kill', '--rate', '0'], /--rate must be an integer from 1 to 100000, got "0"/],
    [['chaos', 'kill', '--backend', 'mongo'], /--backend must be memcached or redis, got "mongo"/],
    [['chaos', 'kill', '--html='], /--html needs a file name, got ""/],
    [['chaos', 'kill', '--html', '/no/such/folder/page.html'], /--html: folder "\/no\/such\/folder" does not exist/],
  ])('%j exits 2 and says what is wrong', async (args, message) => {
    const { code, err } = await runMain(args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toMatch(/Usage: shardcache chaos <scenario>/);
  });
});
