import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyFault, EtcdCluster, InvalidOptionError, PID_LOG_ENV } from '../src/index.js';
import { commOf, isAlive } from './support/process-state.js';

// Through etcd's own JSON gateway (keys and values base64), so the toolkit's tests need no etcd client.
const b64 = (text: string): string => Buffer.from(text).toString('base64');

async function put(endpoint: string, key: string, value: string): Promise<void> {
  const response = await fetch(`${endpoint}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: b64(key), value: b64(value) }), signal: AbortSignal.timeout(5000) });
  expect(response.status).toBe(200);
}

async function get(endpoint: string, key: string): Promise<string | undefined> {
  const response = await fetch(`${endpoint}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: b64(key) }), signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as { kvs?: { value: string }[] };
  const value = body.kvs?.[0]?.value;
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString();
}

const started: EtcdCluster[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((cluster) => cluster.stop()));
});

async function start(members: 1 | 3, proxy = false): Promise<EtcdCluster> {
  const cluster = await EtcdCluster.start({ members, proxy });
  started.push(cluster);
  return cluster;
}

describe('EtcdCluster', () => {
  it('runs one member on a loopback port, records its PID, and removes its data dir on stop', async () => {
    const log = join(tmpdir(), `shardcache-etcd-pids-${process.pid}.jsonl`);
    const previous = process.env[PID_LOG_ENV];
    process.env[PID_LOG_ENV] = log;
    try {
      const cluster = await start(1);
      const [member] = cluster.members;
      const pid = member?.pid ?? 0;
      expect(cluster.endpoints).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/)]);
      expect(commOf(pid)).toBe('etcd');
      const records = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { pid: number; comm: string });
      expect(records).toContainEqual(expect.objectContaining({ pid, comm: 'etcd' }));
      await put(cluster.endpoints[0] ?? '', 'k', 'v');
      expect(await get(cluster.endpoints[0] ?? '', 'k')).toBe('v');
      expect(existsSync(join(cluster.dir, 'e1'))).toBe(true);

      await cluster.stop();
      expect(isAlive(pid)).toBe(false);
      expect(existsSync(cluster.dir)).toBe(false);
    } finally {
      process.env[PID_LOG_ENV] = previous ?? '';
      rmSync(log, { force: true });
    }
  });

  it('keeps a quorum of three through one kill; the killed member restarts with its data; pause hangs a member', async () => {
    const cluster = await start(3);
    const [e1, e2, e3] = cluster.members;
    if (e1 === undefined || e2 === undefined || e3 === undefined) throw new Error('three members expected');
    await put(e1.endpoint, 'before', '1');

    const killed = e2.pid ?? 0;
    await e2.kill();
    expect(isAlive(killed)).toBe(false);
    expect(e2.running).toBe(false);
    // If e2 led, the write waits out an election; a proposal made meanwhile can take etcd's own
    // request timeout (5 s + two election timeouts) to fail (seen in CI: a 5 s write timed out).
    // The quorum holds when a write succeeds: try again until one does.
    await expect.poll(() => put(e3.endpoint, 'during', '2').then(() => 'written', (error: unknown) => String(error)), { timeout: 20_000, interval: 200 }).toBe('written');

    await cluster.restart(e2);
    expect(e2.pid).not.toBe(killed);
    // Healthy means a leader is known, not that the member has caught up: poll, with room for a loaded machine.
    await expect.poll(() => get(e2.endpoint, 'before'), { timeout: 10_000 }).toBe('1');
    await expect.poll(() => get(e2.endpoint, 'during'), { timeout: 10_000 }).toBe('2');

    await e3.pause();
    const hung = await fetch(`${e3.endpoint}/health`, { signal: AbortSignal.timeout(500) }).then(() => 'answered', () => 'no answer');
    expect(hung).toBe('no answer');
    e3.resume();
    await e3.ready(10_000);

    const pids = cluster.members.map((member) => member.pid ?? 0);
    await cluster.stop();
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(cluster.dir)).toBe(false);
    // Its waits (an election, a catch-up, a resume) add up past the suite's 20 s default on a loaded machine.
  }, 90_000);

  it('takes the faults fleet nodes take, through applyFault: kill (reverted by a restart with its data) and network faults on its proxy', async () => {
    const cluster = await start(1, true);
    const [member] = cluster.members;
    if (member === undefined) throw new Error('one member expected');
    const proxied = cluster.proxyEndpoints[0] ?? '';
    expect(proxied).not.toBe(member.endpoint);
    await put(proxied, 'k', 'v');

    const killed = await applyFault(member, { type: 'kill' });
    expect(member.running).toBe(false);
    await killed.revert();
    expect(member.running).toBe(true);
    expect(await get(proxied, 'k')).toBe('v');
    expect(killed.counters()).toMatchObject({ kills: 1, restarts: 1 });

    const blackhole = await applyFault(member, { type: 'blackhole' });
    const held = await fetch(`${proxied}/health`, { signal: AbortSignal.timeout(500) }).then(() => 'answered', () => 'no answer');
    expect(held).toBe('no answer');
    // Control: the member itself answers; only the path through the proxy is cut.
    expect((await fetch(`${member.endpoint}/health`)).status).toBe(200);
    await blackhole.revert();
    expect(await get(proxied, 'k')).toBe('v');
  });

  it('refuses a member count other than 1 or 3, naming the option', async () => {
    const error: unknown = await EtcdCluster.start({ members: 2 as 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', message: expect.stringContaining('members') });
  });
});
