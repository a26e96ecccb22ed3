// Every call settles: whatever ring the application chose, and whatever its listeners do.
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { jumpRing } from '@shardcache/ring';
import { afterEach, describe, expect, it } from 'vitest';
import { ShardedClient, type DumpedItem } from '../src/index.js';
import { VirtualClock } from './model/virtual-clock.js';
import { memoryNode } from './support/memory-node.js';

const deflateAsync = promisify(deflate);
const IDS = ['10.0.0.1:11211', '10.0.0.2:11211', '10.0.0.3:11211'];

/** A client over memory nodes; `down` makes a node unreachable. */
function clientOver(down: Set<string>, options: Partial<ConstructorParameters<typeof ShardedClient>[0]> = {}): ShardedClient {
  return new ShardedClient({
    backend: 'memcached',
    nodes: IDS,
    health: { serverFailureLimit: 2, serverRetryTimeout: 60_000 },
    nodeFactory: (address) => memoryNode(address.id, new Map<string, DumpedItem>(), { down: () => down.has(address.id) }),
    ...options,
  });
}

/** A key the ring places on `node`. */
function keyOn(client: ShardedClient, node: string): string {
  const key = Array.from({ length: 500 }, (_, i) => `key:${i}`).find((candidate) => client.locate(candidate) === node);
  if (key === undefined) throw new Error(`no key on ${node}`);
  return key;
}

describe('a ring that cannot remove a middle node (jump)', () => {
  let client: ShardedClient | undefined;
  afterEach(async () => client?.destroy());

  it('is refused with `rebuild`, naming the option', () => {
    expect(() => clientOver(new Set(), { ring: (nodes) => jumpRing(nodes.map((node) => node.id)), failover: 'rebuild' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'failover' }),
    );
  });

  it.each(['next', 'fail'] as const)('serves `%s`: the failing middle node is ejected and every call settles', async (failover) => {
    const down = new Set<string>();
    client = clientOver(down, { ring: (nodes) => jumpRing(nodes.map((node) => node.id)), failover });
    const middle = IDS[0] as string;
    const key = keyOn(client, middle);
    await client.set(key, 'v1');
    down.add(middle);
    const outcomes = await Promise.allSettled([client.get(key), client.get(key)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(client.ejected).toEqual([middle]);
    // Next: the key goes to another node (a miss there); fail: a miss without asking anyone.
    expect(await client.get(key)).toBeUndefined();
  });
});

describe('a listener that throws', () => {
  let client: ShardedClient | undefined;
  afterEach(async () => client?.destroy());

  it.each(['node:ejected', 'ring:changed', 'error'] as const)('in %s: the call settles, other listeners run, and a SHARDCACHE_LISTENER_THREW warning says so', async (event) => {
    const down = new Set<string>();
    client = clientOver(down);
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const heard: string[] = [];
      client.on(event, () => {
        throw new Error(`listener of ${event} threw (test)`);
      });
      client.on(event, () => heard.push(event));
      const node = IDS[1] as string;
      const key = keyOn(client, node);
      down.add(node);
      const outcomes = await Promise.allSettled([client.get(key), client.get(key)]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
      expect(client.ejected).toEqual([node]);
      expect(heard.length).toBeGreaterThan(0);
      await expect.poll(() => warnings.length).toBe(heard.length);
      expect(warnings[0]).toMatchObject({ code: 'SHARDCACHE_LISTENER_THREW', message: `A "${event}" listener of a ShardedClient threw: listener of ${event} threw (test)` });
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('a write whose value takes long to compress', () => {
  // Found by the nemesis: 2 MiB sets settled up to 1.9 s after a 100 ms deadline, compression
  // running before the deadline started. In-memory nodes: the compression is the point here.
  // A 1.5 MB string of random base64: deflate shrinks it a quarter and takes tens of ms here.
  const big = randomBytes(1_100_000).toString('base64');

  it.each(['set', 'setMany'] as const)('%s settles by its deadline with ERR_TIMEOUT, before the compression ends, and the node stays in', async (call) => {
    const client = clientOver(new Set(), { maxValueBytes: 4 * 1024 * 1024 });
    try {
      // The same compression started beside the call: the call must settle first.
      let compressed = false;
      const beside = deflateAsync(big).then(() => (compressed = true));
      const outcome = call === 'set'
        ? await client.set('big', big, { timeoutMs: 2 }).then(() => 'stored', (error: { code?: string }) => error.code)
        : await client.setMany([{ key: 'big', value: big }], { timeoutMs: 2 }).then(({ failures }) => failures.map((failure) => failure.error.code).join());
      expect({ outcome, compressed }).toEqual({ outcome: 'ERR_TIMEOUT', compressed: false });
      await beside;
      expect(client.ejected).toEqual([]);
      expect(Object.values(client.stats.nodes).map((node) => node.timeouts)).toEqual([0, 0, 0]);
      // With time enough, the same write is stored (the control).
      await client.set('big', big, { timeoutMs: 10_000 });
      expect(await client.get('big', { timeoutMs: 10_000 })).toBe(big);
    } finally {
      await client.destroy();
    }
  });
});

/**
 * A call with a 40 ms deadline that spent 30 ms before it could be sent: it fails with
 * ERR_TIMEOUT 10 ms later, not before (counted from after the send, it would take 40).
 */
async function failsTenMsLater(clock: VirtualClock, call: Promise<unknown>): Promise<void> {
  let settled: string | undefined;
  void call.catch((error: { code?: string }) => (settled = error.code));
  await clock.advance(9);
  expect(settled).toBeUndefined();
  await clock.advance(1);
  expect(settled).toBe('ERR_TIMEOUT');
}

describe('a node that takes long to build its request', () => {
  // Found by the nemesis: a 2 MiB redis write settled 262 ms after a 100 ms deadline (bound 241)
  // when ioredis built the command on a loaded loop before the deadline started. The virtual
  // clock stands for that work: `stall` moves time while the node's call runs, as it would.
  it.each(['get', 'set'] as const)('%s: the deadline counts the time spent sending, from before the node is called', async (command) => {
    const clock = new VirtualClock();
    const hang = (): Promise<never> => new Promise(() => undefined);
    const slowSend = (): Promise<never> => {
      clock.stall(30);
      return hang();
    };
    const client = new ShardedClient({ backend: 'memcached', nodes: IDS, clock, timeoutMs: 40, nodeFactory: (address) => ({ ...memoryNode(address.id, new Map()), get: slowSend, set: slowSend }) });
    try {
      await failsTenMsLater(clock, command === 'get' ? client.get('k') : client.set('k', 'v'));
    } finally {
      await client.destroy();
    }
  });
});

describe('a write whose value takes long to encode', () => {
  // Found by the nemesis: a 2.7 MB string's UTF-8 conversion ran before the deadline started.
  // The serializer stands for that work, moving the virtual clock while it runs.
  it.each([false, 0] as const)('the deadline counts the encoding (compressAbove %s)', async (compressAbove) => {
    const clock = new VirtualClock();
    const hang = (): Promise<never> => new Promise(() => undefined);
    const serializer = {
      serialize: (value: unknown): string => {
        clock.stall(30);
        return JSON.stringify(value);
      },
      deserialize: (bytes: Buffer): unknown => JSON.parse(bytes.toString()),
    };
    const client = new ShardedClient({ backend: 'memcached', nodes: IDS, clock, timeoutMs: 40, serializer, compressAbove, nodeFactory: (address) => ({ ...memoryNode(address.id, new Map()), set: hang }) });
    try {
      await failsTenMsLater(clock, client.set('k', { big: true }));
    } finally {
      await client.destroy();
    }
  });
});
