import { describe, expect } from 'vitest';
import { NodeStoppedError, startFleet } from '../src/index.js';
import { fleetTest } from '../src/vitest.js';
import { isAlive } from './support/process-state.js';
import { rawRequest } from './support/raw-request.js';

const it = fleetTest({ memcached: 1, redis: 1 });

describe('FleetNode handles', () => {
  it('pause() hangs the node (TCP still connects) and resume() answers the queued request', async ({ fleet }) => {
    const [node] = fleet.memcached;
    if (node === undefined) throw new Error('no memcached node');
    await node.pause();
    expect(node.paused).toBe(true);
    // The request is queued in the kernel; a paused process cannot answer it, whatever the timing.
    const queued = rawRequest(node.port, 'version\r\n', { timeoutMs: 10_000 });
    const hung = await rawRequest(node.port, 'version\r\n', { timeoutMs: 300 });
    expect(hung).toMatchObject({ outcome: 'timeout', text: '' });
    await node.resume();
    expect(node.paused).toBe(false);
    expect(await queued).toMatchObject({ outcome: 'reply', text: expect.stringMatching(/^VERSION /) });
  });

  it('restart() comes back on the same port with a new PID, empty', async ({ fleet }) => {
    const [node] = fleet.redis;
    if (node === undefined) throw new Error('no redis node');
    expect(await rawRequest(node.port, 'SET k v\r\n')).toMatchObject({ text: '+OK\r\n' });
    const { port, pid, id } = node;
    await node.restart();
    expect({ port: node.port, id: node.id, restarts: node.restarts, running: node.running }).toEqual({ port, id, restarts: 1, running: true });
    expect(node.pid).not.toBe(pid);
    expect(isAlive(pid)).toBe(false);
    expect(await rawRequest(node.port, 'GET k\r\n')).toMatchObject({ text: '$-1\r\n' });
  });

  it('kill() then restart() brings a crashed node back', async ({ fleet }) => {
    const [node] = fleet.memcached;
    if (node === undefined) throw new Error('no memcached node');
    await node.kill();
    expect(node.running).toBe(false);
    expect((await rawRequest(node.port, 'version\r\n', { timeoutMs: 1000 })).outcome).toBe('ECONNREFUSED');
    await node.restart();
    expect(await rawRequest(node.port, 'version\r\n')).toMatchObject({ outcome: 'reply' });
  });

  it('stop() ends a paused node too, and the node refuses further faults', async () => {
    const fleet = await startFleet({ memcached: 1 });
    const [node] = fleet.memcached;
    if (node === undefined) throw new Error('no memcached node');
    await node.pause();
    await fleet.stop();
    expect(isAlive(node.pid)).toBe(false);
    await expect(node.pause()).rejects.toBeInstanceOf(NodeStoppedError);
    await expect(node.restart()).rejects.toMatchObject({ code: 'ERR_NODE_STOPPED' });
  });

  it('exposes a fault proxy per node that passes bytes through', async ({ fleet }) => {
    for (const node of fleet.servers) {
      expect(node.proxyAddress).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(node.proxy?.port).not.toBe(node.port);
      const request = node.kind === 'redis' ? 'PING\r\n' : 'version\r\n';
      expect(await rawRequest(node.proxy?.port ?? 0, request)).toMatchObject({ outcome: 'reply', text: expect.stringMatching(/^(\+PONG|VERSION )/) });
    }
    expect(fleet.node('redis-0')).toBe(fleet.redis[0]);
  });
});

describe('startFleet without proxies', () => {
  it('starts nodes with no proxy when proxy: false', async () => {
    const fleet = await startFleet({ redis: 1, proxy: false });
    try {
      expect(fleet.redis[0]?.proxyAddress).toBeUndefined();
    } finally {
      await fleet.stop();
    }
  });
});

