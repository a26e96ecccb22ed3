// Every command as a user runs it: a subprocess, its output and its exit code.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startFleet } from '@shardcache/chaos';
import { ShardedClient } from '@shardcache/client';
import { runCli, type CliRun } from './support/run-cli.js';

const FIXTURES = fileURLToPath(new URL('../../ring/test/fixtures/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'cli-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = (args: readonly string[], stdin = ''): Promise<CliRun> => runCli(args, { stdin });

interface Fixture {
  pool: { servers: string[]; hash?: string; distribution?: string };
  assignments: Record<string, string>;
}
const fixture = (name: string): Fixture => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Fixture;

describe('shardcache locate', () => {
  it('places keys read from stdin exactly where real nutcracker did, from a YAML pool', async () => {
    const { pool, assignments } = fixture('mc_ketama_md5_w');
    const yaml = `beta:\n  hash: ${pool.hash ?? 'fnv1a_64'}\n  distribution: ${pool.distribution ?? 'ketama'}\n  servers:\n${pool.servers.map((server) => `    - ${server}`).join('\n')}\n`;
    const config = join(scratch, 'nutcracker.yml');
    writeFileSync(config, yaml);
    const keys = Object.keys(assignments).filter((key) => key !== '' && !key.includes('\n')).slice(0, 300);
    const { code, stdout } = await run(['locate', '--config', config, '--pool', 'beta', '--json'], keys.join('\n'));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(keys.map((key) => ({ key, node: assignments[key] })));
  });

  it('takes --servers with --distribution and --hash, and prints a table', async () => {
    const { pool, assignments } = fixture('mc_modula_md5_eq');
    const keys = ['user:1', 'user:2', 'user:3'];
    const { code, stdout } = await run(['locate', '--servers', pool.servers.join(','), '--distribution', 'modula', '--hash', 'md5', ...keys]);
    expect(code).toBe(0);
    for (const key of keys) expect(stdout).toMatch(new RegExp(`${key}\\s+${assignments[key] ?? 'missing'}`));
  });
});

describe('shardcache locate --libmemcached', () => {
  it('places keys exactly where pylibmc (libmemcached 1.1.4) did, weights included', async () => {
    const { assignments } = fixture('lm_ketama_md5_w');
    const servers = ['127.0.0.1:21211:1', '127.0.0.1:21212:1', '127.0.0.1:21213:2', '127.0.0.1:21214:1', '127.0.0.1:21215:3'];
    const keys = Object.keys(assignments).filter((key) => key !== '' && !key.includes('\n')).slice(0, 300);
    const { code, stdout } = await run(['locate', '--servers', servers.join(','), '--libmemcached', 'consistent ketama', '--hash', 'md5', '--json'], keys.join('\n'));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(keys.map((key) => ({ key, node: assignments[key] })));
  });
});

describe('shardcache simulate', () => {
  it('simulates a twemproxy pool from its YAML: an ejection with weights moves keys between survivors', async () => {
    const config = join(scratch, 'weighted.yml');
    writeFileSync(config, 'alpha:\n  hash: md5\n  distribution: ketama\n  servers:\n    - 10.0.0.1:11211:1\n    - 10.0.0.2:11211:2\n    - 10.0.0.3:11211:3\n');
    const { code, stdout } = await run(['simulate', '--config', config, '--remove', '10.0.0.1:11211', '--json']);
    expect(code).toBe(0);
    const [result] = JSON.parse(stdout) as { algorithm: string; moved: number; flows: { from: string; to: string; share: number }[] }[];
    expect(result?.algorithm).toBe('twemproxy ketama md5');
    const survivors = result?.flows.filter((flow) => flow.from !== '10.0.0.1:11211') ?? [];
    expect(survivors.length).toBeGreaterThan(0);
    expect(result?.moved).toBeGreaterThan(1 / 6);
  });

  it('reports the exact share moving to a new node, per algorithm', async () => {
    const servers = ['10.0.0.1:11211', '10.0.0.2:11211', '10.0.0.3:11211', '10.0.0.4:11211'];
    const { code, stdout } = await run(['simulate', '--servers', servers.join(','), '--add', '10.0.0.5:11211', '--compare', 'ketama,maglev,rendezvous', '--json']);
    expect(code).toBe(0);
    const results = JSON.parse(stdout) as { algorithm: string; moved: number; flows: { from: string; to: string; share: number }[]; load: { node: string; after: number }[] }[];
    expect(results.map((result) => result.algorithm)).toEqual(['ketama', 'maglev', 'rendezvous']);
    for (const result of results) {
      expect(result.moved).toBeGreaterThan(0.15);
      expect(result.moved).toBeLessThan(0.25);
      expect(result.flows.reduce((sum, flow) => sum + flow.share, 0)).toBeCloseTo(result.moved, 9);
      expect(result.load.reduce((sum, row) => sum + row.after, 0)).toBeCloseTo(1, 9);
    }
    // Consistent hashing: everything that moves on ketama goes to the new node.
    expect(new Set(results[0]?.flows.map((flow) => flow.to))).toEqual(new Set(['10.0.0.5:11211']));
  });

  it('prints tables of moves and load', async () => {
    const { code, stdout } = await run(['simulate', '--servers', 'a:1,b:1,c:1', '--remove', 'b:1', '--keys', '1000']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/ketama\s+\d+\.\d+%\s+\d+\s+yes/);
    expect(stdout).toContain('ketama: where the moving keys go');
    expect(stdout).toMatch(/b:1\s+(a|c):1/);
  });
});

describe('shardcache stats', () => {
  it.each(['memcached', 'redis'] as const)('shows every %s node from its own counters, and a dead one as down', async (backend) => {
    const fleet = await startFleet({ [backend]: 2 });
    try {
      const [live, dead] = fleet.servers;
      if (live === undefined || dead === undefined) throw new Error('fleet too small');
      await dead.kill();
      const { code, stdout } = await run(['stats', '--backend', backend, '--servers', `${live.address},${dead.address}`, '--json']);
      expect(code).toBe(0);
      const views = JSON.parse(stdout) as { node: string; up: boolean; version?: string; uptimeSeconds?: number; items?: number }[];
      expect(views.map((v) => [v.node, v.up])).toEqual([[live.address, true], [dead.address, false]]);
      expect(views[0]?.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(views[0]?.items).toBe(0);
      const table = await run(['stats', '--backend', backend, '--servers', live.address]);
      expect(table.stdout).toMatch(new RegExp(`${live.address}\\s+up\\s+\\d+\\.\\d+\\.\\d+`));
    } finally {
      await fleet.stop();
    }
  });
});

describe('shardcache verify', () => {
  it.each(['memcached', 'redis'] as const)('finds the %s keys stored on a node the ring would not choose', async (backend) => {
    const fleet = await startFleet({ [backend]: 3 });
    const servers = fleet.servers.map((server) => server.address);
    const [first] = servers;
    const right = new ShardedClient({ backend, nodes: servers });
    // A client that knows only the first server puts everything there, as an old config would.
    const stale = new ShardedClient({ backend, nodes: [first ?? ''] });
    try {
      const placed = Array.from({ length: 60 }, (_, i) => `placed:${i}`);
      const strays = Array.from({ length: 60 }, (_, i) => `stray:${i}`).filter((key) => right.locate(key) !== first).slice(0, 7);
      await right.setMany(placed.map((key) => ({ key, value: key })));
      await stale.setMany(strays.map((key) => ({ key, value: key })));
      const { code, stdout } = await run(['verify', '--backend', backend, '--servers', servers.join(','), '--json']);
      expect(code).toBe(0);
      const audits = JSON.parse(stdout) as { node: string; sampled: number; misplaced: number; examples: { key: string; belongsTo: string }[] }[];
      expect(audits.reduce((sum, a) => sum + a.sampled, 0)).toBe(placed.length + strays.length);
      expect(audits.map((a) => [a.node, a.misplaced])).toEqual(servers.map((server) => [server, server === first ? strays.length : 0]));
      for (const example of audits[0]?.examples ?? []) expect(example.belongsTo).toBe(right.locate(example.key));
    } finally {
      await Promise.all([right.close(), stale.close()]);
      await fleet.stop();
    }
  });
});

describe('bad arguments', () => {
  it.concurrent.each([
    [['locate', '--servers', 'a:1', '--colour', 'x'], 2, /Unknown option '--colour'/],
    [['locate'], 2, /locate needs --config FILE or --servers LIST/],
    [['locate', '--config', '/no/such/file.yml', 'k'], 2, /cannot read --config \/no\/such\/file.yml/],
    [['locate', '--servers', 'a:1', '--algorithm', 'chord', 'k'], 2, /unknown algorithm "chord"/],
    [['locate', '--servers', 'not a server', 'k'], 2, /--servers: expected "host:port\[:weight\]\[ name\]", got "not a server"/],
    [['locate', '--servers', 'a:1:0', 'k'], 1, /ERR_INVALID_WEIGHT/],
    [['simulate', '--servers', 'a:1,b:1'], 2, /simulate needs --add or --remove/],
    [['simulate', '--add', 'b:1'], 2, /simulate needs --servers LIST or --config FILE/],
    [['simulate', '--servers', 'a:1', '--distribution', 'ketama', '--compare', 'maglev', '--add', 'b:1:1'], 2, /--compare and --algorithm are for native rings/],
    [['locate', '--servers', 'a:1', '--distribution', 'ketama', '--libmemcached', 'modula', 'k'], 2, /give --distribution \(twemproxy\) or --libmemcached, not both/],
    [['locate', '--servers', 'a:1', '--libmemcached', 'round robin', 'k'], 1, /ERR_UNKNOWN_DISTRIBUTION/],
    [['simulate', '--servers', 'a:1', '--add', 'b:1', '--keys', 'many'], 2, /--keys must be a positive integer/],
    [['stats', '--servers', 'a:1', '--backend', 'mongo'], 2, /--backend must be memcached or redis, got "mongo"/],
    [['verify', '--backend', 'redis'], 2, /verify needs --servers LIST or --config FILE/],
    [['verify', '--servers', 'a:1', '--sample', '0'], 2, /--sample must be a positive integer/],
  ])('%j exits %i and says what is wrong', async (args, code, message) => {
    const result = await run(args);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
  });

  it.concurrent.each(['demo', 'chaos', 'bench', 'locate', 'simulate', 'stats', 'verify', 'membership'])('%s --help exits 0 with its usage', async (command) => {
    const { code, stdout } = await run([command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: shardcache ${command}`));
  });
});
