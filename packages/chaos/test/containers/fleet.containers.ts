// The same fleet through testcontainers (opt-in: `npm run test:containers`, which builds the
// images and runs a podman service first). Not part of `npm test`.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFault, startFleet, type Fleet } from '../../src/index.js';
import { probeOnce } from '../../src/internal/probe.js';
import { rawRequest } from '../support/raw-request.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 2, redis: 2, runtime: 'testcontainers' });
}, 120_000);
afterAll(() => fleet.stop(), 60_000);

const answers = (port: number, kind: 'memcached' | 'redis'): Promise<boolean> =>
  kind === 'redis' ? probeOnce(port, 'PING\r\n', '+PONG', 500) : probeOnce(port, 'version\r\n', 'VERSION ', 500);

describe('runtime "testcontainers"', () => {
  it('publishes every server on 127.0.0.1 only, each answering', async () => {
    expect(fleet.servers).toHaveLength(4);
    for (const node of fleet.servers) {
      expect(node.host).toBe('127.0.0.1');
      expect(await answers(node.port, node.kind)).toBe(true);
      expect(node.pid).toBeGreaterThan(0);
      // Really in a container: the server's parent is podman's conmon, not this test process.
      const parent = /PPid:\s+(\d+)/.exec(readFileSync(`/proc/${node.pid}/status`, 'utf8'))?.[1] ?? '';
      expect(readFileSync(`/proc/${parent}/comm`, 'utf8').trim()).toBe('conmon');
    }
  });

  it('keeps data, pauses and resumes a node (SIGSTOP/SIGCONT on its host PID)', async () => {
    const node = fleet.redis[0];
    if (node === undefined) throw new Error('no redis node');
    expect((await rawRequest(node.port, '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n')).text).toBe('+OK\r\n');
    await node.pause();
    expect(await answers(node.port, 'redis')).toBe(false);
    await node.resume();
    const reply = await rawRequest(node.port, '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n', { until: (received) => received.toString().endsWith('v\r\n') });
    expect(reply.text).toBe('$1\r\nv\r\n');
  });

  it('restarts a node on the same port, empty', async () => {
    const node = fleet.memcached[0];
    if (node === undefined) throw new Error('no memcached node');
    expect((await rawRequest(node.port, 'set k 0 0 1\r\nv\r\n')).text).toBe('STORED\r\n');
    const port = node.port;
    await node.restart();
    expect(node.port).toBe(port);
    expect((await rawRequest(node.port, 'get k\r\n')).text).toBe('END\r\n');
  });

  it('plays network faults through the proxy in front of a container', async () => {
    const node = fleet.memcached[1];
    if (node === undefined || node.proxyAddress === undefined) throw new Error('no proxied memcached node');
    const proxyPort = Number(node.proxyAddress.split(':')[1]);
    const fault = await applyFault(node, { type: 'blackhole' });
    expect(await answers(proxyPort, 'memcached')).toBe(false);
    await fault.revert();
    expect(await answers(proxyPort, 'memcached')).toBe(true);
  });
});
