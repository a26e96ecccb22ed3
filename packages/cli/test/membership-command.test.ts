// `shardcache membership show|publish|watch` as a user runs it, against a real etcd member.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdCluster } from '@shardcache/chaos';
import { BIN, runCli } from './support/run-cli.js';

let etcd: EtcdCluster;
beforeAll(async () => {
  etcd = await EtcdCluster.start({ members: 1 });
});
afterAll(() => etcd.stop());

const target = (prefix: string): string[] => ['--etcd', etcd.endpoints.join(','), '--prefix', prefix];

describe('shardcache membership', () => {
  it('publishes a list, shows it, changes it by compare-and-swap, and refuses a stale --if-epoch', async () => {
    const at = target('/cli/show');
    const empty = await runCli(['membership', 'show', ...at]);
    expect(empty).toMatchObject({ code: 0, stdout: '/cli/show/nodes: no node list yet\n' });

    const first = await runCli(['membership', 'publish', ...at, '--nodes', '10.0.0.1:11211,10.0.0.2:11211', '--json']);
    expect(first.code).toBe(0);
    const published = JSON.parse(first.stdout) as { epoch: number; nodes: string[] };
    expect(published).toEqual({ key: '/cli/show/nodes', epoch: expect.any(Number) as number, nodes: ['10.0.0.1:11211', '10.0.0.2:11211'] });

    const changed = await runCli(['membership', 'publish', ...at, '--add', '10.0.0.3:11211', '--remove', '10.0.0.1:11211', '--weight', '10.0.0.2:11211=2', '--if-epoch', String(published.epoch)]);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toMatch(/^published: \/cli\/show\/nodes epoch \d+: 10\.0\.0\.2:11211:2, 10\.0\.0\.3:11211\n$/);

    // The epoch moved: a publisher that read the old one loses instead of overwriting.
    const stale = await runCli(['membership', 'publish', ...at, '--add', '10.0.0.4:11211', '--if-epoch', String(published.epoch)]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/ERR_MEMBERSHIP_CONFLICT: Membership changed since it was read \(epoch \d+, now \d+\)/);
    const shown = await runCli(['membership', 'show', ...at, '--json']);
    expect((JSON.parse(shown.stdout) as { nodes: string[] }).nodes).toEqual(['10.0.0.2:11211:2', '10.0.0.3:11211']);
  });

  it('watch prints the current list, then each published one', async () => {
    const at = target('/cli/watch');
    await runCli(['membership', 'publish', ...at, '--nodes', '10.0.0.1:11211']);
    const child = spawn(process.execPath, [BIN, 'membership', 'watch', ...at, '--count', '2', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: { event: string; nodes?: string[] }[] = [];
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const first = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(JSON.parse(line) as { event: string });
        resolve();
      });
    });
    await first;
    expect((await runCli(['membership', 'publish', ...at, '--add', '10.0.0.2:11211'])).code).toBe(0);
    expect(await exited).toBe(0);
    expect(lines.filter((line) => line.event === 'view').map((line) => line.nodes)).toEqual([['10.0.0.1:11211'], ['10.0.0.1:11211', '10.0.0.2:11211']]);
  });

  // Each a CLI start (~0.7 s): run side by side.
  it.concurrent.each([
    [['membership', 'show', '--prefix', '/p'], 2, /--etcd is required/],
    [['membership', 'show', '--etcd', 'http://127.0.0.1:2379'], 2, /--prefix is required/],
    [['membership', 'list', '--etcd', 'http://127.0.0.1:2379', '--prefix', '/p'], 2, /expected one of show, publish, watch, got "list"/],
    [['membership', 'publish', '--etcd', 'http://127.0.0.1:2379', '--prefix', '/p'], 2, /publish needs --add, --remove, --weight or --nodes/],
    [['membership', 'show', '--etcd', 'localhost', '--prefix', '/p'], 1, /ERR_INVALID_OPTION: Invalid option "membership.endpoints\[0\]"/],
  ])('%j exits %i', async (args, code, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
  });

  it('says etcd is unreachable, with a typed code, when nothing answers', async () => {
    const down = await EtcdCluster.start({ members: 1 });
    const endpoints = down.endpoints;
    await down.stop();
    const result = await runCli(['membership', 'show', '--etcd', endpoints.join(','), '--prefix', '/p']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`ERR_MEMBERSHIP_UNAVAILABLE: Membership at ${endpoints[0] ?? ''} is unreachable`);
  });
});
