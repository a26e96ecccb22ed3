// The meta-protocol node behind the chaos fault proxy: garbage, cut-off replies, resets and a
// black hole must give typed errors and a reconnect, never a wrong value, never a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFault, startFleet, type CorruptFault, type Fault, type Fleet, type FleetNode } from '@shardcache/chaos';
import type { StoredItem } from '../src/nodes/cache-node.js';
import { createMemcachedNode, type MemcachedNode } from '../src/nodes/memcached-node.js';
import { ShardedClient } from '../src/sharded-client.js';

let fleet: Fleet;
let server: FleetNode;
const KEYS = Array.from({ length: 200 }, (_, index) => `fault:${index}`);
const valueOf = (key: string): string => `value of ${key} `.repeat(8);

beforeAll(async () => {
  fleet = await startFleet({ memcached: 1 });
  server = fleet.memcached[0] as FleetNode;
  const loader = createMemcachedNode({ id: 'loader', host: server.host, port: server.port });
  await loader.setMany(KEYS.map((key) => ({ key, value: valueOf(key), flags: 9, ttl: 600 })));
  await loader.close();
});
afterAll(() => fleet.stop());

function throughProxy(options: { replyTimeoutMs?: number } = {}): MemcachedNode {
  const [host = '', port = ''] = (server.proxyAddress ?? '').split(':');
  return createMemcachedNode({ id: 'proxied', host, port: Number(port), reconnectDelayMs: 5, maxReconnectDelayMs: 50, ...options });
}

/** Every outcome is the key's own value or a typed connection/server error: never another key's value. */
function checkOutcomes(keys: readonly string[], outcomes: PromiseSettledResult<StoredItem | undefined>[]): { failed: number } {
  let failed = 0;
  outcomes.forEach((outcome, index) => {
    if (outcome.status === 'fulfilled') expect(outcome.value).toEqual({ value: Buffer.from(valueOf(keys[index] ?? '')), flags: 9 });
    else {
      failed++;
      expect((outcome.reason as { code?: unknown }).code).toMatch(/^ERR_(CONNECTION|SERVER)$/);
    }
  });
  return { failed };
}

async function recovered(node: MemcachedNode): Promise<void> {
  const key = KEYS[7] ?? '';
  await expect.poll(() => node.get(key).then((item) => item?.value.toString(), () => 'error'), { timeout: 10_000 }).toBe(valueOf(key));
  const items = await node.getMany(KEYS);
  items.forEach((item, index) => expect(item?.value.toString()).toBe(valueOf(KEYS[index] ?? '')));
}

describe.each<CorruptFault['mode']>(['garbage', 'truncate'])('corrupt replies (%s)', (mode) => {
  it('fails calls with typed errors, never returns a wrong value, and recovers after the fault', async () => {
    const node = throughProxy();
    try {
      await node.ping();
      const active = await applyFault(server, { type: 'corrupt', mode });
      let failed = 0;
      try {
        for (let round = 0; round < 5; round++) {
          const singles = await Promise.allSettled(KEYS.map((key) => node.get(key)));
          failed += checkOutcomes(KEYS, singles).failed;
          const many = await Promise.allSettled([node.getMany(KEYS)]);
          if (many[0]?.status === 'fulfilled') checkOutcomes(KEYS, many[0].value.map((value) => ({ status: 'fulfilled', value })));
          else failed++;
        }
      } finally {
        await active.revert();
      }
      expect(failed).toBeGreaterThan(0);
      expect(active.counters().bytesAltered + active.counters().bytesDropped).toBeGreaterThan(0);
      await recovered(node);
    } finally {
      await node.destroy();
    }
  });
});

describe.each<[string, Fault]>([
  ['reset', { type: 'reset' }],
  ['reset mid-stream', { type: 'reset', afterBytes: 3000 }],
])('connections %s', (_name, fault) => {
  it('fails with ERR_CONNECTION and reconnects with back-off once the fault is gone', async () => {
    const node = throughProxy();
    try {
      await node.ping();
      const active = await applyFault(server, fault);
      try {
        // Force a new connection under the fault: a cut-off reply drops the current one.
        await expect.poll(async () => checkOutcomes(KEYS, await Promise.allSettled(KEYS.map((key) => node.get(key)))).failed, { timeout: 10_000 }).toBeGreaterThan(0);
      } finally {
        await active.revert();
      }
      await recovered(node);
    } finally {
      await node.destroy();
    }
  });
});

describe('a slow server', () => {
  it('fails only the late call: a call with a later deadline on the same connection gets its value', async () => {
    const node = throughProxy();
    const client = new ShardedClient({ backend: 'memcached', nodes: ['proxied:1'], timeoutMs: 1000, nodeFactory: () => node, health: { serverFailureLimit: 1000 } });
    try {
      await client.ping();
      // Replies 80 ms late: past the first call's 50 ms deadline, within the grace the node
      // gives the connection after a late call (another 50 ms to hear from the server).
      const active = await applyFault(server, { type: 'latency', ms: 80, direction: 'downstream' });
      try {
        const [late, patient] = await Promise.allSettled([client.get(KEYS[3] ?? '', { timeoutMs: 50 }), client.get(KEYS[4] ?? '', { timeoutMs: 1000 })]);
        expect(late).toMatchObject({ status: 'rejected', reason: { code: 'ERR_TIMEOUT' } });
        expect(patient).toMatchObject({ status: 'fulfilled', value: Buffer.from(valueOf(KEYS[4] ?? '')) });
        expect(client.stats.nodes['proxied:1']?.errors).toEqual({ ERR_TIMEOUT: 1 });
      } finally {
        await active.revert();
      }
    } finally {
      await client.destroy();
    }
  });
});

describe('a black hole', () => {
  it('fails the late calls at their deadline (client) and drops the silent connection (node)', async () => {
    const node = throughProxy({ replyTimeoutMs: 300 });
    const client = new ShardedClient({ backend: 'memcached', nodes: ['proxied:1'], timeoutMs: 100, nodeFactory: () => node, health: { serverFailureLimit: 1000 } });
    try {
      expect(await client.get(KEYS[0] ?? '')).toBeInstanceOf(Buffer);
      const active = await applyFault(server, { type: 'blackhole' });
      try {
        await expect(client.get(KEYS[1] ?? '')).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
        // Past replyTimeoutMs the node gives the connection up instead of waiting forever.
        await expect(node.get(KEYS[2] ?? '')).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
      } finally {
        await active.revert();
      }
      await recovered(node);
    } finally {
      await client.destroy();
    }
  });
});
